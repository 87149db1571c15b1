"""The hub's timelines of a simulation folder worked out without Kafka: every payload through
its partner's adapter, events grouped as identity groups them, each group folded by
`build_timeline`. The same pure code the workers run, so `hub verify --offline` checks an
adapter or fold change in seconds, before any broker is involved."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from adapters.base import AdapterError, AdapterOptions
from adapters.registry import run_adapter
from hub.partners import partner as partner_of
from hub.stages.identity import shipment_id_for
from hub.stages.timeline_build import EventsById, add_event, build_timeline
from schemas import CanonicalEvent


def read_events(directory: Path) -> list[CanonicalEvent]:
    """Every canonical event of the folder, in publish order; dead letters are skipped.

    `received_at` is the manifest's simulated publish time, as a replay of the folder on
    simulated time would give, so a snapshot without a time is dated when it was sent."""
    events: list[CanonicalEvent] = []
    for line in (directory / "manifest.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        entry = json.loads(line)
        partner = partner_of(entry["partner"])
        options = AdapterOptions(partner.id, partner.kind, subject=entry.get("subject"), country=partner.country)
        payload = (directory / entry["file"]).read_bytes()
        try:
            result = run_adapter(partner.adapter, payload, received_at=datetime.fromisoformat(entry["at"]), options=options)
        except AdapterError:
            continue
        events.extend(result.events)
    return events


def group_by_shipment(events: list[CanonicalEvent]) -> dict[str, EventsById]:
    """Shipment id → its events: parcel identifiers on one event link (min-label components,
    as the identity stage computes them, without its generations: a folder has no splits)."""
    parent: dict[str, str] = {}

    def find(item: str) -> str:
        parent.setdefault(item, item)
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    for event in events:
        parcels = sorted(str(i) for i in event.parcel_identifiers())
        for other in parcels[1:]:
            a, b = find(parcels[0]), find(other)
            if a != b:
                parent[max(a, b)] = min(a, b)
        if parcels:
            find(parcels[0])
    grouped: dict[str, EventsById] = {}
    for event in events:
        parcels = [str(i) for i in event.parcel_identifiers()]
        if not parcels:
            continue
        shipment = shipment_id_for(find(parcels[0]))
        grouped[shipment], _ = add_event(grouped.get(shipment, {}), event)
    return grouped


def offline_timelines(directory: Path) -> dict[str, dict[str, Any]]:
    """Shipment id → its timeline as JSON, as `hub.timelines` would carry it."""
    grouped = group_by_shipment(read_events(directory))
    return {sid: json.loads(build_timeline(sid, events).model_dump_json()) for sid, events in sorted(grouped.items())}
