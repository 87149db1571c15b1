"""What a simulation should produce, worked out offline from its payloads and ground truth.

The simulator is the independent witness; this module only runs the adapters offline over
its payloads (no Kafka) to know every event id each ground-truth shipment must end up with.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from adapters.base import AdapterError, AdapterOptions
from adapters.registry import run_adapter
from hub.partners import partner as partner_of

RECEIVED = datetime(2026, 11, 1, tzinfo=timezone.utc)


def ground_truth(directory: Path, name: str) -> list[dict]:
    return [json.loads(line) for line in (directory / "ground_truth" / f"{name}.jsonl").read_text().splitlines() if line]


def expected_event_ids(directory: Path) -> dict[str, set[str]]:
    """Ground-truth shipment id → the event ids its timeline must hold."""
    shipments = ground_truth(directory, "shipments")
    owner = {identifier: s["shipment_id"] for s in shipments for identifier in s["identifiers"]}
    expected: dict[str, set[str]] = {s["shipment_id"]: set() for s in shipments}
    for line in (directory / "manifest.jsonl").read_text().splitlines():
        entry = json.loads(line)
        partner = partner_of(entry["partner"])
        options = AdapterOptions(partner.id, partner.kind, subject=entry.get("subject"), country=partner.country)
        try:
            result = run_adapter(partner.adapter, (directory / entry["file"]).read_bytes(), received_at=RECEIVED, options=options)
        except AdapterError:
            continue
        for event in result.events:
            owners = {owner[i] for i in event.subject if i in owner}
            assert len(owners) <= 1, f"event {event.event_id} names parcels of two shipments: {event.subject}"
            if owners:
                expected[owners.pop()].add(event.event_id)
    return expected
