"""A three-node cluster (issue 13): replication 3, min.insync.replicas 2, producers acks=all.

The test starts its own cluster (`hub broker start --nodes 3`), lets the hub create its
topics at the replication the cluster asks for (faust's changelogs included), runs two real
workers and publishes simulated traffic in two parts. A few seconds into part one it
SIGKILLs the broker that coordinates the hub's consumer group (a crash, not a clean
shutdown; that node also leads a third of every topic's partitions). Part one is published
and processed with that node down: the hub must catch up on two nodes, so a freeze cannot
hide behind the node's return. Then the node is started again on its own ports and data
while part two is published and processed, and its replicas must rejoin every partition's
in-sync set. At the end every shipment must match the simulator's ground truth (no event
lost, none doubled) and no partition of the group may lag.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from hub.app import active_partners
from hub.config import Settings
from hub.kafka import broker
from hub.kafka.caught_up import wait_until_caught_up
from hub.kafka.partner_feed import publish
from hub.topics import all_topic_configs, ensure_topics
from simulator.replay import entries_until, load_records
from tests.integration.test_timeline_e2e import check_against_ground_truth
from tests.support.environment import hub_environment
from tests.support.simulation import simulation_dir
from tests.support.worker import WorkerProcess, assert_no_stalls, free_port

pytestmark = [pytest.mark.integration]

SHIPMENTS = 60
PUBLISH_SECONDS = 18.0  # both parts together
FIRST_PART = 2 / 3  # of the messages, published around the kill
KILL_AFTER = 4.0  # seconds into the first part


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    directory = tmp_path_factory.mktemp("cluster")
    try:
        broker.start(directory, nodes=3)
    except broker.BrokerError as err:
        broker.stop(directory)
        pytest.fail(f"cannot start the three-node cluster: {err}")
    try:
        yield directory
    finally:
        broker.stop(directory, timeout=5)  # its data is thrown away: no need to wait for a clean shutdown


@pytest.fixture(scope="module")
def simulation(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return simulation_dir(tmp_path_factory.mktemp("simulation"), SHIPMENTS)


async def _admin_call(bootstrap: str, call):
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10000)
    await admin.start()
    try:
        return await call(admin)
    finally:
        await admin.close()


def describe(bootstrap: str, prefix: str, expect: list[str] = (), timeout: float = 15.0) -> dict[str, list[dict]]:
    """Every topic whose name starts with `prefix` → its partitions (replicas, isr, leader).

    Waits until the topics in `expect` are listed: a broker learns of a new topic from the
    metadata log a moment after the controller created it.
    """

    async def call(admin):
        names = [t for t in await admin.list_topics() if t.startswith(prefix)]
        return {t["topic"]: t["partitions"] for t in await admin.describe_topics(names)}

    deadline = time.monotonic() + timeout
    while True:
        found = asyncio.run(_admin_call(bootstrap, call))
        if set(expect) <= set(found) or time.monotonic() > deadline:
            return found
        time.sleep(0.5)


def coordinator(bootstrap: str, group: str) -> int:
    return asyncio.run(_admin_call(bootstrap, lambda admin: admin.find_coordinator(group)))


def wait_for_full_isr(bootstrap: str, prefixes: list[str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        short = {
            f"{topic}[{p['partition']}]": sorted(p["isr"])
            for prefix in prefixes for topic, partitions in describe(bootstrap, prefix).items()
            for p in partitions if len(p["isr"]) < 3
        }
        if not short:
            return
        assert time.monotonic() < deadline, f"{len(short)} partitions still short of 3 in-sync replicas: {dict(list(short.items())[:10])}"
        time.sleep(1)


def assert_running(workers: list[WorkerProcess]) -> None:
    """A broker's failure must not take a worker down with it."""
    gone = [f"worker {w.worker_id} exited with {w.process.returncode}; log:\n{w.log_tail(60)}"
            for w in workers if w.process is None or w.process.poll() is not None]
    assert not gone, "\n\n".join(gone)


class Clock:
    """Seconds since the test began, printed per step: pytest shows them when the test fails."""

    def __init__(self) -> None:
        self.started = time.monotonic()

    def mark(self, step: str) -> None:
        print(f"{time.monotonic() - self.started:6.1f}s  {step}", flush=True)


class Publisher(threading.Thread):
    """Publishes records at a rate in the background; keeps its error and how long it took."""

    def __init__(self, settings: Settings, records: list, rate: float) -> None:
        super().__init__(daemon=True)
        self.settings, self.records, self.rate = settings, records, rate
        self.error: BaseException | None = None
        self.seconds = 0.0

    def run(self) -> None:
        started = time.monotonic()
        try:
            publish(self.settings, self.records, rate=self.rate, show_progress=False)
        except BaseException as err:  # noqa: BLE001 - reported by the test
            self.error = err
        self.seconds = time.monotonic() - started

    def finish(self, budget: float) -> None:
        self.join(budget)
        assert not self.is_alive(), f"publishing did not finish within {budget:.0f}s: producers froze"
        assert self.error is None, f"publishing failed: {self.error!r}"


def test_a_broker_killed_mid_stream_loses_doubles_and_freezes_nothing(cluster, simulation, tmp_path):
    clock = Clock()
    state = broker.read_state(cluster)
    env = hub_environment(state.bootstrap, tmp_path)  # 3 partitions: one led by each node
    env.pop("HUB_REPLICATION", None)  # the replication is the cluster's: 3
    settings = Settings.from_env(env)
    partners = [p.id for p in active_partners()]
    asyncio.run(ensure_topics(settings, partners))
    run = settings.app_id  # the prefix of every topic of this test's hub, faust's own included
    wanted = list(all_topic_configs(settings, partners))
    created = describe(state.bootstrap, run, expect=wanted)
    assert sorted(created) == sorted(wanted)
    assert all(len(p["replicas"]) == 3 for parts in created.values() for p in parts), created
    clock.mark(f"{len(created)} topics created at replication 3")

    workers = [WorkerProcess(env, tmp_path / f"worker-{n}.log", free_port(), worker_id=f"w{n}") for n in range(2)]
    try:
        with ThreadPoolExecutor(len(workers)) as pool:
            list(pool.map(WorkerProcess.start, workers))
        clock.mark("workers ready")
        # faust created its changelogs and leader topic at start-up: replication 3 as well.
        topics = describe(state.bootstrap, run)
        assert any(name.endswith("-changelog") for name in topics), sorted(topics)
        thin = sorted(name for name, parts in topics.items() if any(len(p["replicas"]) != 3 for p in parts))
        assert not thin, f"topics not at replication 3: {thin}"

        records = load_records(simulation, entries_until(simulation, None))
        rate = len(records) / PUBLISH_SECONDS
        cut = int(len(records) * FIRST_PART)

        # Part one: the group's coordinator is killed a few seconds in.
        victim = coordinator(state.bootstrap, settings.app_id)
        first = Publisher(settings, records[:cut], rate)
        first.start()
        time.sleep(KILL_AFTER)
        assert first.is_alive(), "part one was over before the kill"
        assert broker.stop_node(cluster, victim)
        killed_at = time.monotonic()
        clock.mark(f"node {victim} (the group coordinator) killed")
        # A killed node is fenced after the broker session timeout (9 s); its partitions
        # then get new leaders among the two in-sync followers. Writes wait, never fail.
        first.finish(budget=PUBLISH_SECONDS * FIRST_PART + 60)
        clock.mark(f"part one published: {cut} messages in {first.seconds:.1f}s")
        asyncio.run(wait_until_caught_up(settings, partners, timeout=90))
        down_for = time.monotonic() - killed_at
        clock.mark("caught up on two nodes")
        assert_running(workers)
        # Caught up on two nodes, after the victim had been fenced (so not thanks to its return).
        assert not broker.answers_admin(state.node(victim).address)
        assert down_for > 9, f"caught up {down_for:.1f}s after the kill, before node {victim} could be fenced"

        # Part two: the node comes back on its own ports and data while the rest is published
        # and processed; its replicas catch up and rejoin every in-sync set.
        with ThreadPoolExecutor(1) as pool:
            restarted = pool.submit(broker.start_node, cluster, victim)
            second = Publisher(settings, records[cut:], rate)
            second.start()
            second.finish(budget=PUBLISH_SECONDS * (1 - FIRST_PART) + 60)
            clock.mark(f"part two published: {len(records) - cut} messages in {second.seconds:.1f}s")
            restarted.result(timeout=120)
            clock.mark(f"node {victim} answers again")
        asyncio.run(wait_until_caught_up(settings, partners, timeout=90))
        clock.mark("caught up")
        assert_running(workers)
        wait_for_full_isr(state.bootstrap, [run, "__consumer_offsets"], timeout=60)
        clock.mark("every partition has 3 in-sync replicas again")

        check_against_ground_truth([w.url for w in workers], simulation)
        # Still no lag once every replica is back. Polled, not read once: when the restarted
        # node leads the offsets again, the group coordinator moves there, and its first
        # answers can carry no committed offsets while it loads them (seen on CI).
        asyncio.run(wait_until_caught_up(settings, partners, timeout=90))
        clock.mark("every shipment matches its ground truth; no lag")
    finally:
        for worker in workers:
            worker.stop()
    assert_no_stalls(workers)
