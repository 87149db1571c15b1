"""Simulated traffic in broker tests: publish a simulation to a test's partner topics, and
count what the hub did with it (dead letters by partner and reason, outcomes from the
worker's log lines, final timelines) next to what the ground truth says it should do."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from pathlib import Path
from typing import Any

from hub.config import Settings
from hub.topics import partner_topic
from schemas import DeadLetterHeader
from simulator import Simulation
from simulator.generate import simulate
from simulator.output import write_simulation, write_truth
from simulator.publish import publish_records, simulation_records
from tests.support.kafka import Record


def simulation_dir(directory: Path, shipments: int, seed: int = 20261122) -> Path:
    """A clean simulation of `shipments` journeys written to `directory`, with its ground truth."""
    sim = simulate(shipments, seed=seed)
    write_simulation(sim, directory)
    write_truth(sim, directory)
    return directory


def publish_simulation(settings: Settings, simulation: Simulation, partners: list[str]) -> int:
    """Every message for `partners`, in publish order, with its subject header; the count sent."""
    records = simulation_records(simulation.messages, partners)
    return asyncio.run(publish_records(
        settings.kafka_bootstrap, records, lambda p: partner_topic(settings, p), total=len(records),
    ))


def expected_dead_letters(simulation: Simulation, partners: list[str]) -> Counter[tuple[str, str]]:
    expected: Counter[tuple[str, str]] = Counter()
    for truth in simulation.partners():
        if truth["partner"] in partners:
            for reason, count in truth["dead_lettered_by_reason"].items():
                expected[(truth["partner"], reason)] += count
    return expected


def dead_letters(records: list[Record]) -> Counter[tuple[str, str]]:
    return Counter(
        (r.headers[DeadLetterHeader.PARTNER].decode(), r.headers[DeadLetterHeader.REASON].decode()) for r in records
    )


def expected_outcomes(simulation: Simulation, partners: list[str]) -> dict[str, dict[str, int]]:
    return {t["partner"]: t["outcomes"] for t in simulation.partners() if t["partner"] in partners}


def logged_outcomes(log_lines: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """Per partner, the outcomes of the worker's `partner_message_processed` lines."""
    counted: dict[str, Counter[str]] = {}
    for line in log_lines:
        if line.get("event") == "partner_message_processed":
            counted.setdefault(line["partner"], Counter())[line["outcome"]] += 1
    outcomes = ("normalised", "ignored", "partial", "dead_lettered")
    return {partner: {o: counts.get(o, 0) for o in outcomes} for partner, counts in counted.items()}


def logged_unknown_codes(log_lines: list[dict[str, Any]]) -> dict[str, set[str]]:
    codes: dict[str, set[str]] = {}
    for line in log_lines:
        if line.get("event") == "partner_message_processed" and line.get("unknown_codes"):
            codes.setdefault(line["partner"], set()).update(line["unknown_codes"])
    return codes


def final_timelines(records: list[Record]) -> dict[str, dict[str, Any]]:
    """Shipment id → its latest `hub.timelines` record, redirects followed to the merged timeline."""
    latest: dict[str, dict[str, Any]] = {}
    for record in sorted(records, key=lambda r: (r.partition, r.offset)):  # one key lives in one partition
        if record.key is not None and record.value is not None:
            latest[record.key.decode()] = json.loads(record.value)
    resolved = {}
    for key in latest:
        current, hops = latest[key], 0
        while current.get("kind") == "redirect" and current["to"] in latest and hops < 20:
            current, hops = latest[current["to"]], hops + 1
        resolved[key] = current
    return resolved


def timeline_mismatches(
    simulation: Simulation, timelines: dict[str, dict[str, Any]], partners: list[str]
) -> list[str]:
    """Shipments (carried only by `partners`) whose timeline lacks one of their identifiers or
    ends in another status than the ground truth's."""
    wrong = []
    for shipment in simulation.shipments():
        if not set(shipment["partners"]) <= set(partners):
            continue
        timeline = timelines.get(shipment["shipment_id"])
        if timeline is None or timeline.get("kind") != "timeline":
            wrong.append(f"{shipment['shipment']} ({shipment['scenario']}): no timeline {shipment['shipment_id']}")
            continue
        missing = set(shipment["identifiers"]) - set(timeline["identifiers"])
        if missing or timeline["status"] != shipment["final_status"]:
            wrong.append(f"{shipment['shipment']} ({shipment['scenario']}): status {timeline['status']}, "
                         f"truth {shipment['final_status']}; identifiers not linked: {sorted(missing)}")
    return wrong
