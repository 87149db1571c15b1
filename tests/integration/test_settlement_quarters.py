"""Settlements quarter by quarter (issue 8), and a replay of the same inputs into a fresh prefix.

The simulator's traffic over several quarters, duplicates on, published quarter by quarter with
the real `hub publish --dir D --until T`, each quarter closed with `hub close-period` once the
hub has caught up. Inputs that reach the hub after their quarter closed (a courier's webhook
sent just after midnight, a history linked days late) become adjustments in the earliest
open quarter, and their turnover counts towards that quarter's fee. An oracle written from the
ground truth and the contracts file (tests/support/settlement_oracle.py, standard library only)
must equal the hub's totals per contract, payer, payee and period to the kopeck.

Then the run's inputs (partner topics, hub.contracts, hub.control) are copied into a fresh
prefix and app id, with their keys, values, headers, partitions and timestamps, and replayed
to two new workers in the same phases: the map entry_id → bytes must be the same, up to
transient accrual/reversal pairs (see `test_a_replay_into_a_fresh_prefix_gives_the_same_entries`).
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from hub import topics
from hub.app import active_partners
from hub.cli.contracts import publish_contract_file
from hub.config import Settings
from hub.kafka.caught_up import wait_until_caught_up
from hub.kafka.topic_reader import TopicRecord, read_records
from hub.topics import ensure_topics
from schemas.settlement import EntryKind
from simulator.faults import FaultRates
from simulator.generate import simulate
from simulator.output import write_simulation
from tests.integration.test_settlement_e2e import entries_by_id, expected_net, fees, net_totals, oracle_entries, share_entries
from tests.support import settlement_oracle
from tests.support.environment import hub_environment
from tests.support.settlement_entries import shipment_side_id
from tests.support.worker import WorkerProcess, assert_no_stalls, free_port

pytestmark = pytest.mark.integration

CONTRACTS = Path(__file__).resolve().parents[2] / "deploy" / "contracts.example.toml"
QUARTERS = ["2026Q1", "2026Q2", "2026Q3"]
MSK = ZoneInfo("Europe/Moscow")
# 60 shipments ordered over 200 days (traffic from January into August), every fault on,
# duplicates more often than by default. The seed was picked with the oracle (the first of
# seeds 1-120 whose quarter-by-quarter run has both kinds of share entry): the CDEK share of an
# Ozon order delivered in 2026Q1 is heard of only after 2026Q1 closed, so it is an adjustment
# in 2026Q2 (71,822 kopecks), and part of Ozon's 2026Q1 turnover arrives late the same way and
# moves its Russian Post fee into 2026Q2; SPSR's VAT-included shares accrue in Q1 and Q2.
# (Seed 36 had such cases until the simulator gained the SPSR journey, which changed them.)
SHIPMENTS, DAYS, SEED = 60, 200, 35


def last_second(period: str) -> datetime:
    """The last simulated second of a quarter in Moscow (simulated times are whole seconds)."""
    year, quarter = int(period[:4]), int(period[5])
    end = datetime(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1, tzinfo=MSK)
    return end - timedelta(seconds=1)


def partner_ids() -> list[str]:
    return [p.id for p in active_partners()]


def caught_up(settings: Settings, timeout: float = 180.0) -> None:
    """Every stage has caught up, hub.control and hub.turnover (closes and bookings) included."""
    asyncio.run(wait_until_caught_up(settings, partner_ids(), timeout))


def start_workers(env: dict[str, str], directory: Path, count: int = 2) -> list[WorkerProcess]:
    """Start `count` workers, then wait until every one is ready again: each start rebalances
    the others, and messages published while a worker recovers are the ones faust has been seen
    to skip (hub/kafka/faust_fixes.py)."""
    workers = []
    for n in range(count):
        workers.append(WorkerProcess(env, directory / f"worker-{n}.log", free_port(), worker_id=f"w{n}"))
        workers[-1].start()
    for worker in workers:
        worker.wait_ready(90)
    return workers


def hub_command(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "hub.cli", *args], env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"hub {' '.join(args)}: {done.stderr}"
    return done.stdout


@dataclass
class QuarterlyRun:
    env: dict[str, str]
    settings: Settings
    sim: Path
    entries: dict[str, bytes]
    seconds: float


def run_quarter_by_quarter(bootstrap: str, directory: Path) -> QuarterlyRun:
    """Publish the simulation quarter by quarter to two workers, closing each quarter between."""
    sim = directory / "sim"
    simulation = simulate(SHIPMENTS, seed=SEED, days=DAYS, rates=FaultRates(duplicates=0.08))
    assert simulation.messages[-1].at <= last_second(QUARTERS[-1])  # the last batch is the rest
    write_simulation(simulation, sim)
    env = hub_environment(bootstrap, directory)
    settings = Settings.from_env(env)
    asyncio.run(ensure_topics(settings, partner_ids()))
    publish_contract_file(settings, CONTRACTS)
    workers: list[WorkerProcess] = []
    try:
        started = time.monotonic()
        workers = start_workers(env, directory)
        for period in QUARTERS:
            # Every message up to the quarter's end, the earlier ones again (duplicates).
            hub_command(env, "publish", "--dir", str(sim), "--until", last_second(period).isoformat())
            caught_up(settings)
            hub_command(env, "close-period", period)
            caught_up(settings)
        return QuarterlyRun(env, settings, sim, entries_by_id(settings), time.monotonic() - started)
    finally:
        for worker in workers:
            worker.stop()
        assert_no_stalls(workers)


@pytest.fixture(scope="module")
def quarterly_run(kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory) -> QuarterlyRun:
    return run_quarter_by_quarter(kafka_bootstrap, tmp_path_factory.mktemp("quarters"))


def kinds(entries: dict[str, bytes]) -> dict[str, int]:
    counted: dict[str, int] = defaultdict(int)
    for value in entries.values():
        counted[json.loads(value)["kind"]] += 1
    return dict(counted)


def test_quarter_by_quarter_totals_equal_the_oracle(quarterly_run: QuarterlyRun):
    run = quarterly_run
    expected = settlement_oracle.expected(
        run.sim, CONTRACTS, closed=set(QUARTERS), inputs_until={p: last_second(p) for p in QUARTERS})
    entries = run.entries
    assert entries, "no settlement entries at all"
    print(f"\n{len(entries)} entries {kinds(entries)} in {run.seconds:.0f}s; "
          f"periods {sorted({json.loads(v)['period'] for v in entries.values()})}")
    # Entry by entry (accruals, and adjustments where inputs came after their period closed),
    # then fees per statement, then nets.
    each = oracle_entries(settlement_oracle.expected_entries(
        run.sim, CONTRACTS, closed=set(QUARTERS), inputs_until={p: last_second(p) for p in QUARTERS}))
    assert {key[4] for key in each} == {"accrual", "adjustment"}
    assert share_entries(entries) == each
    assert fees(entries) == {k: v["period_fee"] for k, v in expected.items() if "period_fee" in v}
    assert net_totals(entries) == expected_net(expected)
    assert {json.loads(v)["period"] for v in entries.values() if json.loads(v)["kind"] == "period_fee"} == set(QUARTERS)

    # The scenario really exercises lateness: the oracle expects adjustments and the hub made them,
    # each in a later period than the one its money belongs to.
    adjustments = [json.loads(v) for v in entries.values() if json.loads(v)["kind"] == EntryKind.ADJUSTMENT]
    assert any("adjustment" in v for v in expected.values())
    assert adjustments and all(a["original_period"] < a["period"] for a in adjustments)
    assert sum(a["amount_minor"] for a in adjustments) == sum(v.get("adjustment", 0) for v in expected.values())
    # ...and late turnover moved fees: they differ from what the same traffic would owe had
    # every input arrived before the closes.
    everything_first = settlement_oracle.expected(run.sim, CONTRACTS, closed=set(QUARTERS))
    assert fees(entries) != {k: v["period_fee"] for k, v in everything_first.items() if "period_fee" in v}


# --- the replay ----------------------------------------------------------------------------


def input_topics(settings: Settings) -> list[str]:
    return [topics.partner_topic(settings, p) for p in partner_ids()]


async def copy_records(bootstrap: str, records: list[tuple[str, TopicRecord]]) -> None:
    """Send each (topic, record) with the record's key, value, headers, partition and timestamp."""
    from aiokafka import AIOKafkaProducer

    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, linger_ms=5)
    await producer.start()
    try:
        pending = [
            await producer.send(topic, value=r.value, key=r.key, partition=r.partition, timestamp_ms=r.timestamp_ms,
                                headers=list(r.headers) or None)
            for topic, r in records
        ]
        await asyncio.gather(*pending)
    finally:
        await producer.stop()


async def create_partner_topics_keeping_timestamps(settings: Settings) -> None:
    """Partner topics stamp broker time (LogAppendTime), which would give every copied record a
    new `received_at`; the copies go to topics that keep the producer's timestamp instead."""
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic

    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
    await admin.start()
    try:
        configs = {**topics.PARTNER_TOPIC_CONFIGS, "message.timestamp.type": "CreateTime"}
        await admin.create_topics([NewTopic(name, settings.partitions, 1, topic_configs=configs)
                                   for name in input_topics(settings)], timeout_ms=30000)
    finally:
        await admin.close()


def read(settings: Settings, topic: str) -> list[TopicRecord]:
    return asyncio.run(read_records(settings.kafka_bootstrap, topic))


def replay_into_a_fresh_prefix(run: QuarterlyRun, directory: Path, *, phased: bool = True) -> dict[str, bytes]:
    """The first run's inputs copied into a fresh prefix and app id, phase by phase: partner
    records up to each close (by timestamp), caught up, the close, caught up; then the rest.
    Not phased: everything at once, closes included (which the hub does not reproduce: nothing
    holds an input back until hub.control has been read up to the input's time)."""
    env = hub_environment(run.settings.kafka_bootstrap, directory)
    fresh = Settings.from_env(env)
    asyncio.run(create_partner_topics_keeping_timestamps(fresh))
    asyncio.run(ensure_topics(fresh, partner_ids()))
    renamed = dict(zip(input_topics(run.settings), input_topics(fresh), strict=True))
    inputs = sorted(((renamed[t], r) for t in renamed for r in read(run.settings, t)),
                    key=lambda item: (item[1].timestamp_ms, item[0], item[1].partition, item[1].offset))
    closes = sorted(read(run.settings, topics.CONTROL.name(run.settings)), key=lambda r: r.timestamp_ms)
    assert [json.loads(c.value)["period"] for c in closes] == QUARTERS
    contracts = [(topics.CONTRACTS.name(fresh), r) for r in read(run.settings, topics.CONTRACTS.name(run.settings))]
    asyncio.run(copy_records(fresh.kafka_bootstrap, contracts))
    workers: list[WorkerProcess] = []
    try:
        workers = start_workers(env, directory)
        if not phased:
            asyncio.run(copy_records(fresh.kafka_bootstrap, inputs + [(topics.CONTROL.name(fresh), c) for c in closes]))
            inputs, closes = [], []
        for close in closes:
            batch = [item for item in inputs if item[1].timestamp_ms <= close.timestamp_ms]
            inputs = inputs[len(batch):]
            asyncio.run(copy_records(fresh.kafka_bootstrap, batch))
            caught_up(fresh)
            asyncio.run(copy_records(fresh.kafka_bootstrap, [(topics.CONTROL.name(fresh), close)]))
            caught_up(fresh)
        asyncio.run(copy_records(fresh.kafka_bootstrap, inputs))
        caught_up(fresh)
        return entries_by_id(fresh)
    finally:
        for worker in workers:
            worker.stop()
        assert_no_stalls(workers)


def origin(entry: dict, known: dict[str, dict]) -> str:
    """The shipment-side accrual an accrual, reversal or adjustment of one is about, through
    reversals of reversals (`known`: entries by the id the shipment sent them under)."""
    while entry["kind"] == EntryKind.REVERSAL or entry.get("reverses"):
        if entry["reverses"] not in known:
            return entry["reverses"]
        entry = known[entry["reverses"]]
    return shipment_side_id(entry)


def unpaired(only: dict[str, bytes]) -> dict[str, int]:
    """Of entries present in one map only, the accruals whose entries there do not net to zero."""
    net: dict[str, int] = defaultdict(int)
    parsed = [json.loads(value) for value in only.values()]
    known = {shipment_side_id(entry): entry for entry in parsed}
    for entry in parsed:
        assert entry["kind"] != EntryKind.PERIOD_FEE, f"a period fee in one map only: {entry}"
        net[origin(entry, known)] += entry["amount_minor"]
    return {k: v for k, v in net.items() if v}


def test_a_replay_into_a_fresh_prefix_gives_the_same_entries(quarterly_run: QuarterlyRun, tmp_path: Path):
    """Same map entry_id → bytes, up to what depends on the order in which the workers happened to
    read the partitions: a shipment's intermediate timeline (a delivery seen before the order
    value that changes its basis, a later delivery report before the earlier one) can emit an
    accrual that a later input withdraws with a reversal in the same period. Such pairs may exist
    in one run and not the other; they net to zero. Everything else is byte-identical."""
    first = quarterly_run.entries
    started = time.monotonic()
    again = replay_into_a_fresh_prefix(quarterly_run, tmp_path)
    both = set(first) & set(again)
    only_first = {k: first[k] for k in set(first) - both}
    only_again = {k: again[k] for k in set(again) - both}
    print(f"\nreplay {time.monotonic() - started:.0f}s: {len(first)} entries first, {len(again)} again, "
          f"{len(both)} in both, {len(only_first)} only first, {len(only_again)} only again")
    differing = [k for k in sorted(both) if first[k] != again[k]]
    assert not differing, "\n".join(f"{k}\n  first {first[k]!r}\n  again {again[k]!r}" for k in differing)
    assert unpaired(only_first) == {} and unpaired(only_again) == {}
    assert net_totals(again) == net_totals(first)
    assert fees(again) == fees(first)
