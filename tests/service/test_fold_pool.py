"""The timeline stage as one pure step per shipment and batch (hub/stages/shipment_step.py), and
in a helper process (hub/agents/fold_pool.py): the same states and records as the stage and money
steps run one record at a time (tests/support/timeline_worker.py); a helper gives what the worker
would, in order; a helper lost costs nothing.

Over simulated traffic with faults and the example contracts, states encoded between batches as
the table stores them.
"""

from __future__ import annotations

import os
import signal

import orjson
import pytest

from hub import metrics
from hub.agents.fold_pool import FoldPool
from hub.agents.helper_pool import Helper
from hub.kafka import state_codec
from hub.stage_helper import run
from hub.stages import stored_events, timeline_fold, timeline_json
from hub.stages.shipment_step import (
    TIMELINES,
    TURNOVER,
    FoldedPart,
    ShipmentWork,
    Step,
    fold_part,
    forget_kept,
    keep_shipments,
    shipment_step,
    step_encoded,
)
from schemas import CanonicalEvent
from tests.support.simulated_shipments import simulated_shipments
from tests.support.timeline_worker import CONTRACTS, Worker

pytestmark = pytest.mark.service

TOPIC = "test.hub.shipment-events"
KEPT = 1024  # shipments a helper keeps (HUB_TIMELINE_CACHE's default)


@pytest.fixture(scope="module")
def shipments(tmp_path_factory) -> dict[str, list[CanonicalEvent]]:
    return simulated_shipments(tmp_path_factory.mktemp("simulation"), shipments=40, seed=21)


def record(event: CanonicalEvent) -> bytes:
    return orjson.dumps({"kind": "event", "event": orjson.loads(event.model_dump_json())})


def batches(shipments: dict[str, list[CanonicalEvent]], size: int = 3) -> list[list[tuple[str, list[bytes]]]]:
    """The shipments' records in batches: each batch has the next `size` records of every shipment not done yet."""
    rounds = max(len(events) for events in shipments.values()) // size + 1
    return [
        [(shipment_id, [record(e) for e in events[at:at + size]]) for shipment_id, events in shipments.items() if events[at:at + size]]
        for at in range(0, rounds * size, size)
    ]


def seen(step: Step) -> tuple:
    """All a step says but the CPU seconds it took."""
    return (step.state, step.outputs, step.retirements, step.duplicates, step.withheld, step.clock, step.published,
            step.settled, step.records)


def forget_caches() -> None:
    """A cold start: the caches only save work, so results must not depend on them."""
    forget_kept()


def test_one_step_per_record_gives_what_the_stage_and_money_steps_give(shipments) -> None:
    for shipment_id, events in shipments.items():
        worker, stored = Worker(), None
        for event in events:
            _, _, turnover = worker.event(shipment_id, event)
            step = shipment_step(state_codec.decode(stored) if stored else None, shipment_id, [record(event)], CONTRACTS, TOPIC)
            stored = state_codec.encode(step.state)
            assert state_codec.decode(stored) == worker.state(shipment_id)
            assert [orjson.loads(o.value) for o in step.outputs if o.topic == TURNOVER] == turnover


def test_a_batch_of_records_ends_in_the_state_record_by_record_gives_and_publishes_its_last_timeline(shipments) -> None:
    for shipment_id, events in list(shipments.items())[:15]:
        one_by_one, state = [], None
        for event in events:
            step = shipment_step(state, shipment_id, [record(event)], CONTRACTS, TOPIC)
            state = step.state
            one_by_one.append(step)
        whole = shipment_step(None, shipment_id, [record(e) for e in events], CONTRACTS, TOPIC)
        assert whole.state == state
        assert [o for o in whole.outputs if o.topic == TIMELINES] == [o for o in one_by_one[-1].outputs if o.topic == TIMELINES]
        assert sum(s.settled for s in one_by_one) >= whole.settled > 0


def test_an_unchanged_state_is_not_written_again(shipments) -> None:
    shipment_id, events = next(iter(shipments.items()))
    first = fold_part([ShipmentWork(shipment_id, None, [record(events[0])])], CONTRACTS, TOPIC).steps[0]
    again = fold_part([ShipmentWork(shipment_id, first.state, [record(events[0])])], CONTRACTS, TOPIC).steps[0]
    assert first.state is not None and again.state is None
    assert [o.topic for o in again.outputs] == [TIMELINES], "a repeat publishes the timeline again, in case a crash lost it"


async def run_batches(pool: FoldPool | None, shipments, contracts=CONTRACTS, kill_after_first_part: bool = False) -> list[tuple]:
    """Every batch folded, states kept as stored bytes between batches; what each step said."""
    states: dict[str, bytes] = {}
    said = []
    for batch in batches(shipments):
        work = [ShipmentWork(s, states.get(s), records) for s, records in batch]
        if pool is None:
            parts = [(work, fold_part(work, contracts, TOPIC))]
        else:
            parts = []
            async for shipments, part in pool.fold_in_parts(work, contracts):
                if kill_after_first_part and not parts:
                    os.kill(pool._helpers[0].process.pid, signal.SIGKILL)
                    kill_after_first_part = False
                parts.append((shipments, part))
        done = [(w, step) for shipments, part in parts for w, step in zip(shipments, part.steps, strict=True)]
        assert sorted(w.shipment_id for w, _ in done) == sorted(w.shipment_id for w in work), "each shipment once"
        for w, step in done:
            if step.state is not None:
                states[w.shipment_id] = step.state
            said.append((w.shipment_id, *seen(step)))
    return sorted(said, key=lambda s: s[0])  # shipments of a batch may come in any order; each one's own in order


@pytest.mark.parametrize(("processes", "kept"), [(1, KEPT), (2, KEPT), (2, 0)])
async def test_helpers_fold_what_the_worker_would(shipments, processes: int, kept: int) -> None:
    forget_caches()
    here = await run_batches(None, shipments)
    forget_caches()
    pool = FoldPool(processes, TOPIC, kept)
    try:
        there = await run_batches(pool, shipments)
        helpers = [helper.process.pid for helper in pool._helpers]
    finally:
        pool.close()
        await pool.wait_closed()
    assert len(set(helpers)) == processes and os.getpid() not in helpers
    assert there == here
    assert any(TURNOVER in [o.topic for o in s[2]] for s in here), "some shipments should settle"


async def test_a_helper_killed_halfway_through_a_batch_loses_nothing_and_is_replaced(shipments) -> None:
    here = await run_batches(None, shipments)
    pool = FoldPool(1, TOPIC, KEPT)
    lost = metrics.HELPERS_LOST.labels("fold")._value.get()
    try:
        there = await run_batches(pool, shipments, kill_after_first_part=True)
        assert pool._helpers and pool._helpers[0].usable, "a new helper for the batches after"
    finally:
        pool.close()
        await pool.wait_closed()
    assert metrics.HELPERS_LOST.labels("fold")._value.get() == lost + 1
    assert there == here


async def test_contracts_go_to_a_helper_once_and_again_when_they_change(shipments) -> None:
    few = dict(list(shipments.items())[:10])
    other = CONTRACTS.model_copy(update={"file_hash": "another", "contracts": ()})
    pool = FoldPool(1, TOPIC, KEPT)
    try:
        assert await run_batches(pool, few) == await run_batches(None, few)
        (helper,) = pool._helpers
        assert helper.kept["contracts"] is CONTRACTS
        # New contracts (none at all here): the helper settles with those from then on.
        assert await run_batches(pool, few, contracts=other) == await run_batches(None, few, contracts=other)
        assert helper.kept["contracts"] is other and pool._helpers == [helper]
    finally:
        pool.close()
        await pool.wait_closed()


def test_a_folded_part_says_its_cpu_seconds(shipments) -> None:
    part: FoldedPart = fold_part([ShipmentWork(s, None, [record(e) for e in events]) for s, events in shipments.items()], CONTRACTS, TOPIC)
    assert part.cpu_seconds > 0 and part.cpu_seconds >= sum(step.settle_seconds for step in part.steps)


def test_a_shipment_always_goes_to_the_same_helper_and_the_parts_take_turns() -> None:
    from hub.agents.helper_pool import PART, _routed_parts

    items = list(range(1000))
    parts, owners = _routed_parts(items, 2, lambda i: i % 7)
    assert sorted(i for part in parts for i in part) == items
    for part, owner in zip(parts, owners, strict=True):
        assert all((i % 7) % 2 == owner for i in part) and len(part) <= PART * 1.5
        assert part == sorted(part), "each helper's items in their order"
    assert owners[:4] == [0, 1, 0, 1]
    assert _routed_parts(items[:10], 1, lambda i: i % 7) == ([items[:10]], [0])


def test_a_helper_keeps_as_many_shipments_as_it_is_told(shipments, sizes_put_back) -> None:
    """The caches a fold helper sizes: the decoded states, the events' models, the folds and the event JSON."""
    work = [ShipmentWork(s, None, [record(e) for e in events]) for s, events in list(shipments.items())[:3]]
    kept: dict = {}
    for shipments_kept in (7, 0, KEPT):
        run("fold", (work, CONTRACTS, TOPIC, shipments_kept), kept)
        assert (stored_events.STATES, timeline_fold.CAPACITY, state_codec._DECODED) == (shipments_kept,) * 3
        assert stored_events.CAPACITY == timeline_json.CAPACITY == 24 * shipments_kept
        assert len(stored_events._states) <= shipments_kept and len(timeline_fold._folds) <= shipments_kept
        assert kept["shipments"] == shipments_kept


async def test_the_pool_tells_its_helpers_how_many_shipments_to_keep(shipments, monkeypatch) -> None:
    told = []
    monkeypatch.setattr("hub.agents.fold_pool.fold_part", lambda *args: told.append(args) or fold_part(*args))
    pool = FoldPool(1, TOPIC, 5)
    sent = []
    real_send = Helper.send

    async def send(helper, requests):
        sent.extend(requests)
        await real_send(helper, requests)

    monkeypatch.setattr(Helper, "send", send)
    try:
        await run_batches(pool, dict(list(shipments.items())[:4]))
    finally:
        pool.close()
        await pool.wait_closed()
    assert sent and all(task == "fold" and args[3] == 5 for task, args in sent)
    assert not any(work for work, *_ in told), "every shipment folded by the helper"


def test_a_new_state_takes_its_predecessors_place_in_the_caches(shipments) -> None:
    """A shipment's second message: its first state's decoded value, models and fold make room."""
    forget_caches()
    shipment_id, events = next((s, e) for s, e in shipments.items() if len(e) >= 4)
    first = step_encoded(None, shipment_id, [record(e) for e in events[:2]], CONTRACTS, TOPIC)
    states, folds = len(stored_events._states), len(timeline_fold._folds)
    second = step_encoded(first.state, shipment_id, [record(e) for e in events[2:4]], CONTRACTS, TOPIC)
    assert second.state is not None and second.state != first.state
    assert first.state not in state_codec._decoded and second.state in state_codec._decoded
    assert (len(stored_events._states), len(timeline_fold._folds)) == (states, folds)


def test_a_shipment_not_kept_folds_the_same(shipments, sizes_put_back) -> None:
    """Keeping nothing costs work, never a different result (a shipment's every message a miss)."""
    work = [ShipmentWork(s, None, [record(e) for e in events]) for s, events in shipments.items()]
    keep_shipments(0)
    forget_caches()
    cold = [seen(step) for step in fold_part(work, CONTRACTS, TOPIC).steps]
    keep_shipments(KEPT)
    forget_caches()
    assert [seen(step) for step in fold_part(work, CONTRACTS, TOPIC).steps] == cold
