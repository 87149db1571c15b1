"""Partner timestamps to aware UTC instants, keeping the local offset and saying when it was assumed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from adapters.base import AdapterError
from schemas import DeadLetterReason


@dataclass(frozen=True)
class PartnerTime:
    instant: datetime  # aware, UTC
    local_offset_minutes: int | None
    offset_assumed: bool


def parse_iso(text: str) -> PartnerTime:
    """ISO-8601 with an offset (`+03:00`, `+0700`, `Z`); a time without one is an error here."""
    try:
        value = datetime.fromisoformat(str(text).strip())
    except ValueError as err:
        raise AdapterError(DeadLetterReason.BAD_VALUE, f"not an ISO time: {text!r}") from err
    if value.tzinfo is None:
        raise AdapterError(DeadLetterReason.BAD_VALUE, f"time without offset: {text!r}")
    offset = value.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else None
    return PartnerTime(_to_utc(value, text), minutes, False)


def parse_local(text: str, formats: tuple[str, ...], zone: str, *, assumed: bool) -> PartnerTime:
    """A wall time without zone, read in `zone`; `assumed` says the zone was a guess."""
    stripped = str(text).strip()
    for fmt in formats:
        try:
            naive = datetime.strptime(stripped, fmt)
        except ValueError:
            continue
        local = naive.replace(tzinfo=ZoneInfo(zone))
        offset = local.utcoffset()
        minutes = int(offset.total_seconds() // 60) if offset is not None else None
        return PartnerTime(_to_utc(local, text), minutes, assumed)
    raise AdapterError(DeadLetterReason.BAD_VALUE, f"unrecognised time {stripped!r}")


def _to_utc(value: datetime, text: object) -> datetime:
    # Year 1 or 9999 with an offset falls outside datetime's range once shifted to UTC.
    try:
        return value.astimezone(timezone.utc)
    except OverflowError as err:
        raise AdapterError(DeadLetterReason.BAD_VALUE, f"time out of range: {str(text)[:60]!r}") from err
