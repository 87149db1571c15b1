"""A simulation folder's canonical events, grouped by the ground-truth shipment they belong to."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from hub.stages.timeline_build import add_event, build_timeline
from hub.verify.offline import read_events
from schemas import CanonicalEvent
from simulator.generate import simulate
from simulator.output import write_simulation
from tests.support.expectations import ground_truth


def events_by_shipment(directory: Path) -> dict[str, list[CanonicalEvent]]:
    """Ground-truth shipment → its canonical events, each received when the simulation says it
    arrived (`hub verify --offline`'s reading of the folder)."""
    owner = {i: s["shipment_id"] for s in ground_truth(directory, "shipments") for i in s["identifiers"]}
    events: dict[str, list[CanonicalEvent]] = defaultdict(list)
    for event in read_events(directory):
        owners = {owner[i] for i in event.subject if i in owner}
        if owners:
            events[owners.pop()].append(event)
    return events


def simulated_shipments(directory: Path, shipments: int = 80, seed: int = 16) -> dict[str, list[CanonicalEvent]]:
    """A fresh simulation written to `directory` (faults on), its events by shipment id."""
    write_simulation(simulate(shipments, seed=seed), directory)
    return dict(sorted(events_by_shipment(directory).items()))


def final_status(events: list[CanonicalEvent]) -> str:
    """The status all of a shipment's events fold to."""
    whole: dict = {}
    for event in events:
        whole, _ = add_event(whole, event)
    return build_timeline("x", whole).status.value


def last_event_at(events: list[CanonicalEvent]) -> float:
    """Its latest event time, in epoch seconds."""
    return max(e.occurred_at for e in events).timestamp()
