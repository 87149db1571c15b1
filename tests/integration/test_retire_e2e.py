"""Retirement end to end (issue 16): a worker retires finished shipments quiet for longer than
HUB_RETIRE_AFTER_DAYS of event time; a repeat of an old partner message then publishes and
settles nothing, and a return arriving after retirement reverses the share accrual exactly
once, however often it is sent.

The quiet time is 15 seconds here: Ozon's order values come in snapshots without a time of
their own, dated when the broker received them (now), so an Ozon parcel's last event is when
the test published it, whatever the simulated dates of the others."""

from __future__ import annotations

import asyncio
import json
import re
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from hub import topics
from hub.cli.contracts import publish_contract_file
from hub.kafka.topic_reader import read_all
from hub.topics import partner_topic
from simulator.faults import FaultRates
from simulator.generate import simulate
from simulator.publish import Record, publish_records, simulation_records
from tests.support.simulation import publish_simulation

pytestmark = pytest.mark.integration

CONTRACTS = Path(__file__).resolve().parents[2] / "deploy" / "contracts.example.toml"
QUIET_SECONDS = 15


@pytest.fixture
def hub_env(hub_env):
    # A short quiet time, and a full sweep in 60 ticks of 0.1 s.
    return {**hub_env, "HUB_RETIRE_AFTER_DAYS": str(QUIET_SECONDS / 86400), "HUB_RETIRE_SWEEP_SECONDS": "0.1"}


def native(parcel: str, event: str, **fields) -> Record:
    """A hub-native event from the pickup-point network, happening now."""
    now = datetime.now(timezone.utc).isoformat()
    return Record("pvz_network", json.dumps({"format": "hub-native/1", "parcel": parcel, "event": event, "occurred_at": now, **fields}).encode())


def metric(worker, name: str) -> float:
    found = re.search(rf"^{name} (\S+)$", worker.get_text("/metrics"), re.M)
    return float(found.group(1)) if found else 0.0


def publish(settings, records: list[Record]) -> None:
    asyncio.run(publish_records(settings.kafka_bootstrap, records, lambda p: partner_topic(settings, p), total=len(records)))


def timelines_of(settings, shipment_id: str) -> list[dict]:
    return [json.loads(v) for k, v in asyncio.run(read_all(settings.kafka_bootstrap, topics.TIMELINES.name(settings)))
            if k == shipment_id.encode()]


def entries_of(settings, subject: str) -> dict[str, dict]:
    """The shipment's settlement entries by id; every repeat of an id the same bytes."""
    seen: dict[str, bytes] = {}
    for key, value in asyncio.run(read_all(settings.kafka_bootstrap, topics.SETTLEMENTS.name(settings))):
        assert seen.setdefault(key.decode(), value) == value
    return {k: e for k, v in seen.items() if (e := json.loads(v))["subject"] == subject}


@pytest.mark.timeout(600)
def test_a_return_after_retirement_reverses_the_accrual_exactly_once(hub_settings, start_worker, caught_up):
    publish_contract_file(hub_settings, CONTRACTS)
    worker = start_worker()
    sim = simulate(30, seed=11, rates=FaultRates.none())
    publish_simulation(hub_settings, sim, sorted({m.partner for m in sim.messages}))
    published_by = time.monotonic()
    caught_up(timeout=180)

    # An Ozon order CDEK delivered: its delivery accrued CDEK's share of the order value.
    shipment = next(s for s in sim.shipments() if s["marketplace"] == "ozon" and s["final_status"] == "delivered"
                    and any(i.startswith("cdek:") for i in s["identifiers"]))
    shipment_id, order = shipment["shipment_id"], shipment["order"]
    cdek = next(i for i in shipment["identifiers"] if i.startswith("cdek:"))
    (accrual,) = [e for e in entries_of(hub_settings, order).values() if e["contract_id"] == "cdek-last-mile-share"]
    assert accrual["kind"] == "accrual"

    # Event time moves on past the quiet time (an unrelated parcel's event, now).
    time.sleep(max(0.0, published_by + QUIET_SECONDS + 3 - time.monotonic()))
    publish(hub_settings, [native("hub:clock-1", "accepted")])
    caught_up(timeout=60)

    # Retired: the sweep asked, and the stage shrank the state (a full pass takes 6 s).
    deadline = time.monotonic() + 60
    while metric(worker, "hub_retirements_total") < 1 and time.monotonic() < deadline:
        time.sleep(1)
    time.sleep(8)  # one more full pass, so every quiet shipment has been asked
    caught_up(timeout=60)
    assert metric(worker, "hub_retirements_total") >= 1
    published = timelines_of(hub_settings, shipment_id)
    assert published[-1]["status"] == "delivered"

    # A partner sends an old message again: settled history, nothing is published or settled.
    old = [m for m in sim.messages if m.partner == "cdek" and cdek.split(":")[1].encode() in m.payload]
    publish(hub_settings, simulation_records(old[-1:]))
    caught_up(timeout=60)
    assert timelines_of(hub_settings, shipment_id) == published, "the retired shipment published again"

    # The parcel comes back to its sender after retirement, told by the pickup-point network;
    # sent again after that, as a partner's retry would. (One after the other: records without
    # a key may sit on two partitions, and a retry read before its original is the earlier
    # sighting arriving second, which replaces the first: a new timeline, not a repeat.)
    returned = native(cdek, "returned_to_sender", direction="return", event_ref="RET-1")
    publish(hub_settings, [returned])
    caught_up(timeout=60)
    publish(hub_settings, [returned])
    caught_up(timeout=60)
    after = timelines_of(hub_settings, shipment_id)
    assert after[-1]["status"] == "returned"
    # The first return published a new timeline, the second the same one again (a repeat).
    assert len(after) == len(published) + 2 and after[-1] == after[-2]
    entries = entries_of(hub_settings, order)
    share = [e for e in entries.values() if e["contract_id"] == "cdek-last-mile-share"]
    reversals = [e for e in share if e["kind"] == "reversal"]
    assert len(share) == 2 and len(reversals) == 1
    assert reversals[0]["reverses"] == accrual["entry_id"] and reversals[0]["amount_minor"] == -accrual["amount_minor"]
