"""Partner timestamps to aware UTC instants, keeping the local offset and saying when it was assumed.

The rule (docs/architecture.md#times): a time written with an offset is read as written; a
wall time without one is the local time of the operation, read in the zone the adapter
derives or else assumes (then flagged `offset_assumed`). One reader of ISO 8601 for every
partner (`read_iso`); partner-specific formats end in `aware` or `in_zone`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from adapters.base import AdapterError
from schemas import DeadLetterReason

# Wall times without a zone, as partners write them: ISO 8601 without an offset, and the
# Russian dd.MM.yyyy HH:mm[:ss]. strptime matches a whole text, so their order never matters.
ISO_WALL_FORMATS = ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M")
RUSSIAN_WALL_FORMATS = ("%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M")


@dataclass(frozen=True)
class PartnerTime:
    instant: datetime  # aware, UTC
    local_offset_minutes: int | None
    offset_assumed: bool


def read_iso(text: str) -> datetime:
    """ISO 8601 as written (`+03:00`, `+0700`, `Z`, or no offset at all: then naive)."""
    try:
        return datetime.fromisoformat(str(text).strip())
    except ValueError as err:
        raise AdapterError(DeadLetterReason.BAD_VALUE, f"not an ISO time: {text!r}") from err


def parse_iso(text: str) -> PartnerTime:
    """ISO 8601 with an offset; a time without one is an error here."""
    value = read_iso(text)
    if value.tzinfo is None:
        raise AdapterError(DeadLetterReason.BAD_VALUE, f"time without offset: {text!r}")
    return aware(value, text)


def parse_local(text: str, formats: tuple[str, ...], zone: str, *, assumed: bool) -> PartnerTime:
    """A wall time without zone in one of `formats`, read in `zone`; `assumed` says the zone was a guess."""
    stripped = str(text).strip()
    for fmt in formats:
        try:
            naive = datetime.strptime(stripped, fmt)
        except ValueError:
            continue
        return in_zone(naive, zone, assumed=assumed, text=text)
    raise AdapterError(DeadLetterReason.BAD_VALUE, f"unrecognised time {stripped!r}")


def parse_partner_time(text: str, formats: tuple[str, ...], zone: str, *, assumed: bool) -> PartnerTime:
    """A time with an offset as written (ISO 8601); without one, a wall time in `zone`."""
    try:
        return parse_iso(text)
    except AdapterError:
        return parse_local(text, formats, zone, assumed=assumed)


def aware(value: datetime, text: object) -> PartnerTime:
    """A time that carries its offset (`text` is what the partner wrote, for errors)."""
    offset = value.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else None
    return PartnerTime(_to_utc(value, text), minutes, False)


def in_zone(naive: datetime, zone: str, *, assumed: bool, text: object) -> PartnerTime:
    """A wall time read in `zone` (an IANA name); `assumed` says the zone was a guess."""
    local = naive.replace(tzinfo=ZoneInfo(zone))
    offset = local.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else None
    return PartnerTime(_to_utc(local, text), minutes, assumed)


def _to_utc(value: datetime, text: object) -> datetime:
    # Year 1 or 9999 with an offset falls outside datetime's range once shifted to UTC.
    try:
        return value.astimezone(timezone.utc)
    except OverflowError as err:
        raise AdapterError(DeadLetterReason.BAD_VALUE, f"time out of range: {str(text)[:60]!r}") from err
