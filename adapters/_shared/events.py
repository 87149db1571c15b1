"""The canonical event, built from what an adapter read (docs/architecture.md#the-canonical-event).

Every adapter ends in `canonical_event`: it holds the rules that are the same for every
partner, so that a partner module says only what it read.
- event id: (partner, the primary parcel field, the raw code, the time as the partner wrote
  it, the facility where the local time alone is ambiguous) (docs/architecture.md#event-id);
- time: a `PartnerTime` gives `occurred_at`, the local offset and whether it was assumed;
  none (a snapshot without a time of its own) dates the event at `received_at`, observed;
- reason: the party at fault is the one given, else the reason's usual one; none without a reason;
- description: what the partner wrote, else the code table's.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from adapters._shared.code_table import CodeMapping
from adapters._shared.times import PartnerTime
from adapters.base import AdapterOptions
from schemas import REASON_PARTY, Amount, CanonicalEvent, Identifier, Location, TimeSource, make_event_id


def canonical_event(
    options: AdapterOptions,
    received_at: datetime,
    *,
    adapter_version: int,
    primary: str,
    time_text: str | None,
    subject: Iterable[Identifier | str],
    mapping: CodeMapping,
    raw_code: str,
    when: PartnerTime | None,
    facility: str | None = None,
    references: Iterable[Identifier | str] = (),
    description: str | None = None,
    location: Location | None = None,
    amounts: tuple[Amount, ...] = (),
    promised: datetime | None = None,
    flags: tuple[str, ...] = (),
) -> CanonicalEvent:
    """One canonical event; raises pydantic's ValidationError for a value the event refuses.

    `primary`, `raw_code`, `time_text` and `facility` make the event id; `time_text` is the
    time exactly as written (None for a snapshot), `when` the time it was read as.
    """
    reason = mapping.reason
    return CanonicalEvent(
        event_id=make_event_id(options.partner, primary, raw_code, time_text, facility),
        partner=options.partner,
        partner_kind=options.partner_kind,
        adapter_version=adapter_version,
        subject=tuple(map(str, subject)),
        references=tuple(map(str, references)),
        status=mapping.status,
        milestone=mapping.milestone,
        reason=reason,
        reason_party=(mapping.party or REASON_PARTY[reason]) if reason is not None else None,
        occurred_at=when.instant if when else received_at,
        local_offset_minutes=when.local_offset_minutes if when else None,
        offset_assumed=when.offset_assumed if when else False,
        time_source=TimeSource.PARTNER if when else TimeSource.OBSERVED,
        received_at=received_at,
        location=location,
        raw_code=raw_code,
        raw_description=description or mapping.description or None,
        amounts=amounts,
        promised_delivery=promised,
        flags=flags,
    )


def check_digit_flags(identifiers: Iterable[Identifier]) -> tuple[str, ...]:
    """`bad_check_digit:<id>` for each identifier whose check digit is wrong: flagged, still linked
    (docs/partners/README.md#soft-check-digits)."""
    return tuple(f"bad_check_digit:{i}" for i in identifiers if i.check_digit_valid is False)


def unique_events(events: Iterable[CanonicalEvent]) -> list[CanonicalEvent]:
    """The first event of each id (a payload that repeats a status, as a newest-entry field does)."""
    seen: dict[str, CanonicalEvent] = {}
    for event in events:
        seen.setdefault(event.event_id, event)
    return list(seen.values())


def latest(events: list[CanonicalEvent]) -> int:
    """The index of the latest event (by time, then id): where a snapshot's amounts ride."""
    return max(range(len(events)), key=lambda i: (events[i].occurred_at, events[i].event_id))
