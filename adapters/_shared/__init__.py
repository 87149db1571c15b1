"""What every partner adapter shares, so that each partner package holds only its partner's ways.

- `events`: the canonical event built from what an adapter read (one place for the event
  id, the time fields, the reason's party, the check-digit flags);
- `items`: a message of many items (records, operations, list entries) where one bad item
  is skipped and counted while the others are kept;
- `subject`: the `hub-subject` header, for formats that do not name their parcel;
- `safe_json`, `safe_xml`: reading hostile bytes with bounded size and depth;
- `times`: partner times to aware UTC instants, keeping the local offset;
- `code_table`: a partner's code table as data, and the lookup that reports unknown codes;
- `validation`: tolerant pydantic models of partner payloads and their one-line errors.

Nothing here knows a partner: partner facts live in `adapters/<partner>/`.
"""
