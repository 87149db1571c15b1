"""What to ask about: the parcels of non-final shipments that carry an identifier of a partner's scheme.

Read from the hub's own state, the compacted `hub.timelines` topic (the latest record per
shipment id). Redirects (merged ids) are skipped: the shipment they point to has its own record.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pydantic import ValidationError

from hub.metrics import FINAL_STATUSES
from schemas.identifiers import Scheme
from schemas.timeline import TIMELINE_RECORD, Timeline


@dataclass(frozen=True)
class Parcel:
    identifier: str  # scheme:VALUE
    shipment_id: str
    last_movement_at: float | None  # epoch seconds of the timeline's latest event

    @property
    def value(self) -> str:
        return self.identifier.partition(":")[2]


def latest_timelines(records: Iterable[tuple[bytes | None, bytes | None]]) -> dict[str, Timeline]:
    """shipment id → its latest timeline (what compaction keeps); unreadable records and redirects skipped."""
    latest: dict[str, bytes | None] = {}
    for key, value in records:
        if key is not None:
            latest[key.decode("utf-8", "replace")] = value
    timelines = {}
    for shipment_id, value in latest.items():
        if value is None:
            continue
        try:
            record = TIMELINE_RECORD.validate_json(value)
        except ValidationError:
            continue
        if isinstance(record, Timeline):
            timelines[shipment_id] = record
    return timelines


def parcels_to_ask(timelines: Iterable[Timeline], schemes: Iterable[Scheme]) -> list[Parcel]:
    """Every identifier of `schemes` on a shipment that is not final, once, in a stable order."""
    prefixes = tuple(f"{Scheme(s).value}:" for s in schemes)
    found: dict[str, Parcel] = {}
    for timeline in timelines:
        if timeline.status.value in FINAL_STATUSES:
            continue
        moved = timeline.last_event_at.timestamp() if timeline.last_event_at else None
        for identifier in timeline.identifiers:
            if identifier.startswith(prefixes) and identifier not in found:
                found[identifier] = Parcel(identifier, timeline.shipment_id, moved)
    return sorted(found.values(), key=lambda p: p.identifier)
