"""Fakes for the pollers' edges (state store, answer sink, parcel source) and timelines to poll from."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from hub.pollers.parcels import Parcel, parcels_to_ask
from hub.pollers.state import PollerState, state_from_records
from schemas.enums import Milestone, Status
from schemas.identifiers import Scheme
from schemas.timeline import Timeline


def timeline(shipment_id: str, identifiers: list[str], status: Status = Status.IN_TRANSIT, moved_at: float | None = None) -> Timeline:
    return Timeline(
        shipment_id=shipment_id, identifiers=tuple(identifiers), status=status,
        milestone=Milestone.DELIVERED if status is Status.DELIVERED else Milestone.ARRIVED_AT_FACILITY, events=(),
        last_event_at=None if moved_at is None else datetime.fromtimestamp(moved_at, UTC),
    )


class MemoryStateStore:
    def __init__(self) -> None:
        self.latest: dict[str, bytes | None] = {}
        self.writes: list[str] = []

    async def load(self, partner: str) -> PollerState:
        return state_from_records(partner, self.latest)

    async def save(self, records: dict[str, dict | None]) -> None:
        for key, value in records.items():
            self.latest[key] = None if value is None else json.dumps(value).encode()
            self.writes.append(key)


class MemorySink:
    def __init__(self) -> None:
        self.published: list[tuple[bytes, dict[str, str]]] = []

    async def publish(self, body: bytes, headers: list[tuple[str, bytes]]) -> None:
        self.published.append((body, {k: v.decode() for k, v in headers}))


class StaticSource:
    def __init__(self, timelines: list[Timeline]) -> None:
        self.timelines = timelines

    async def parcels(self, schemes: tuple[Scheme, ...]) -> list[Parcel]:
        return parcels_to_ask(self.timelines, schemes)
