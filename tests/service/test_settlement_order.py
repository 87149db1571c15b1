"""Settlement entries do not depend on the order a worker reads a shipment's events in.

The replay test (tests/integration/test_settlement_quarters.py) reads the same inputs twice
through real workers, whose partitions interleave differently each run. This drives the pure
settle stage (hub/stages/settle.py) over the same simulated traffic offline, each shipment's
events in several orders, and asks what that test asks, for every order: an entry id always
stands for the same bytes, and the money netted per contract and payer is what the whole
timeline implies. It found withdrawals dated by whatever else the timeline held when they
were read (an entry id with two receipt times).
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from pathlib import Path

import pytest

from hub.settlement.contracts import load_contracts
from hub.settlement.shipment_share import settle_timeline
from hub.stages.settle import settle_step
from hub.stages.timeline_build import add_event, build_timeline
from schemas import CanonicalEvent
from simulator.faults import FaultRates
from simulator.generate import simulate
from simulator.output import write_simulation
from tests.support.simulated_shipments import events_by_shipment

pytestmark = pytest.mark.service

CONTRACTS = load_contracts(Path(__file__).resolve().parents[2] / "deploy" / "contracts.example.toml")
ORDERS_PER_SHIPMENT = 31


def messages(events: list[CanonicalEvent]) -> list[list[CanonicalEvent]]:
    """The events in the groups the timeline stage folds together: a partner message's events
    (one partner, one receipt time) arrive as one shipment message (hub/stages/identity.py)."""
    groups: list[list[CanonicalEvent]] = []
    for event in events:
        if groups and (groups[-1][0].partner, groups[-1][0].received_at) == (event.partner, event.received_at):
            groups[-1].append(event)
        else:
            groups.append([event])
    return groups


def interleaved(groups: list[list[CanonicalEvent]], rng: random.Random) -> list[list[CanonicalEvent]]:
    """One order a worker could read them in: each partner's messages in the order it sent them
    (one partner topic partition, read in order, repeats included), partners interleaved at
    random, as partitions of different topics are."""
    streams = defaultdict(list)
    for group in groups:
        streams[group[0].partner].append(group)
    queues = [list(reversed(stream)) for _, stream in sorted(streams.items())]
    order = []
    while queues:
        queue = rng.choice(queues)
        order.append(queue.pop())
        if not queue:
            queues.remove(queue)
    return order


def settle_in_order(shipment_id: str, order: list[list[CanonicalEvent]]) -> list[dict]:
    """Every entry the settle stage sends while the groups of events arrive in `order`, each
    group folded at once, then settled."""
    state: dict = {}
    stored: dict = {}
    sent: list[dict] = []
    for group in order:
        changed = False
        for event in group:
            stored, added = add_event(stored, event)
            changed = changed or added
        if not changed:
            continue
        state, sends, _ = settle_step(state, build_timeline(shipment_id, stored), CONTRACTS)
        sent += [send.message["entry"] for send in sends if send.message["kind"] == "entry"]
    return sent


def implied_net(shipment_id: str, events) -> dict:
    """Per contract and payer, the net the shipment's whole timeline implies (zeros left out)."""
    whole = {}
    for event in events:
        whole, _ = add_event(whole, event)
    net = defaultdict(int)
    for entry in settle_timeline(build_timeline(shipment_id, whole), CONTRACTS).entries:
        net[(entry.contract_id, entry.payer)] += entry.amount_minor
    return {k: v for k, v in net.items() if v}


@pytest.mark.parametrize("grouped", [False, True], ids=["event_by_event", "message_by_message"])
def test_an_entry_id_means_the_same_bytes_whatever_the_order(tmp_path: Path, grouped: bool):
    # The quarterly test's traffic shape; seed 7 has a withdrawal whose old dating (the latest
    # event time the timeline held) differed between two of these orders.
    write_simulation(simulate(60, seed=7, days=200, rates=FaultRates(duplicates=0.08)), tmp_path)
    rng = random.Random(1)
    bytes_of: dict[str, str] = {}
    withdrawals = 0
    for shipment_id, events in sorted(events_by_shipment(tmp_path).items()):
        implied = implied_net(shipment_id, events)
        # As the worker reads them now (a message's events folded together), and as it did
        # before (one by one): both must give an entry id the same bytes.
        groups = messages(events) if grouped else [[event] for event in events]
        orders = [groups] + [interleaved(groups, rng) for _ in range(ORDERS_PER_SHIPMENT - 1)]
        for order in orders:
            net = defaultdict(int)
            for entry in settle_in_order(shipment_id, order):
                text = json.dumps(entry, sort_keys=True)
                assert bytes_of.setdefault(entry["entry_id"], text) == text, f"{shipment_id}: {entry['entry_id']} differs"
                net[(entry["contract_id"], entry["payer"])] += entry["amount_minor"]
                withdrawals += entry["kind"] == "reversal" and entry["trigger_event_id"] is None
            assert {k: v for k, v in net.items() if v} == implied, shipment_id
    assert withdrawals, "no order withdrew an accrual: the test no longer covers withdrawals"


def test_a_repeat_read_before_its_original_gives_the_same_bytes(tmp_path: Path):
    """A repeated partner message read before its original (null keys put them on different
    partitions): what was settled on the repeat's sighting is reversed once the original's is
    preferred, and issued again from it. An entry id has one content in every order, and the
    entries net to what the whole timeline implies."""
    write_simulation(simulate(60, seed=7, days=200, rates=FaultRates(duplicates=0.08)), tmp_path)
    bytes_of: dict[str, str] = {}
    reissued = 0
    for shipment_id, events in sorted(events_by_shipment(tmp_path).items()):
        groups = messages(events)
        # The same order with every repeated sighting moved before the first one.
        first_seen: dict[str, int] = {}
        early = list(groups)
        for index, group in enumerate(groups):
            for event in group:
                if event.event_id in first_seen and first_seen[event.event_id] < index:
                    early.remove(group)
                    early.insert(first_seen[event.event_id], group)
                    break
                first_seen.setdefault(event.event_id, index)
        implied = implied_net(shipment_id, events)
        for order in (groups, early):
            net = defaultdict(int)
            for entry in settle_in_order(shipment_id, order):
                text = json.dumps(entry, sort_keys=True)
                assert bytes_of.setdefault(entry["entry_id"], text) == text, f"{shipment_id}: {entry['entry_id']} differs"
                net[(entry["contract_id"], entry["payer"])] += entry["amount_minor"]
                reissued += order is early and entry["kind"] == "reversal" and entry["trigger_event_id"] is None
            assert {k: v for k, v in net.items() if v} == implied, shipment_id
    assert reissued, "no repeat read first changed a sighting: the test no longer covers it"
