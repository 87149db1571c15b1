"""hub/kafka/faust_fixes.py and the progress watchdog, driven with faust's own objects (no broker).

The race of faust-streaming/faust#596, as it happens at the end of table recovery: a stream's
queue holds offsets 40-49 while flow is active, the agent has processed 40-43, faust calls
`app.flow_control.resume()` a second time, and 50-54 arrive. Stock faust drops 44-49 and its
commits freeze at 44 for good.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from types import SimpleNamespace

import pytest
from faust.types import TP
from faust.types.tuples import Message
from mode.utils.queues import FlowControlEvent

from hub.app import create_app
from hub.config import Settings
from hub.kafka import faust_fixes
from hub.kafka.stream_health import Action, StallKind
from hub.kafka.watchdog import FETCHER_DEAD_EXIT, ProgressWatchdog

pytestmark = pytest.mark.service

TOPIC = "partner.cdek.events"
COMPACTED = "hub.timelines"  # a compacted topic read as a stream would be: offsets may be missing


@pytest.fixture
def app():
    app = create_app(Settings(app_id=f"svc-fixes-{uuid.uuid4().hex[:8]}", kafka_bootstrap="127.0.0.1:1", store="memory://"))
    app.finalize()
    app.topics._acking_topics.update({TOPIC, COMPACTED})
    app.flow_control.resume()  # faust starts suspended; a worker's flow is on once it is assigned
    return app


@pytest.fixture
def tp() -> TP:
    return TP(TOPIC, 0)


class Fetcher:
    """Plays faust's fetcher and agent against the app's real consumer and a real stream queue."""

    def __init__(self, app, tp: TP) -> None:
        self.app, self.tp = app, tp
        self.consumer = app.consumer
        channel = app.channel()
        app.topics._tp_index[tp].add(channel)  # as the conductor indexes an agent's channel
        self.queue = channel.queue  # a FlowControlQueue managed by app.flow_control
        self.ledger = faust_fixes.ledger(self.consumer)
        self.processed: list[int] = []

    def deliver(self, *offsets: int) -> None:
        for offset in offsets:
            self.ledger.delivering(self.tp, offset)
            self.queue.put_nowait(self.message(offset))
            self.ledger.delivered()

    def message(self, offset: int, generation: int | None = None) -> Message:
        return Message(
            self.tp.topic, self.tp.partition, offset, 0.0, 0, None, b"k", b"v", None, tp=self.tp,
            generation_id=self.app.consumer_generation_id if generation is None else generation,
        )

    def process(self, count: int | None = None) -> None:
        n = 0
        while not self.queue.empty() and (count is None or n < count):
            message = self.queue.get_nowait()
            self.consumer.track_message(message)
            self.consumer.ack(message)
            self.processed.append(message.offset)
            n += 1

    def the_race(self, at_recovery_end) -> None:
        """The #596 window: 40-49 queued, 40-43 processed, `at_recovery_end()`, then 50-54."""
        self.consumer._committed_offset[self.tp] = 40
        self.deliver(*range(40, 50))
        self.process(4)
        at_recovery_end()
        self.deliver(*range(50, 55))
        self.process()

    def commit_offset(self) -> int | None:
        """What the consumer would commit now, and commits it (as faust does after a commit)."""
        offset = self.consumer._new_offset(self.tp)
        if offset is not None:
            self.consumer._committed_offset[self.tp] = offset
        return offset


def test_resuming_active_flow_keeps_queued_events(app):
    queue = app.channel().queue
    for n in range(10):
        queue.put_nowait(n)
    assert app.flow_control.is_active()
    app.flow_control.resume()
    assert queue.qsize() == 10


def test_resuming_suspended_flow_still_drops_what_was_fetched_before(app):
    queue = app.channel().queue
    for n in range(10):
        queue.put_nowait(n)
    app.flow_control.suspend()
    app.flow_control.resume()
    assert queue.qsize() == 0


def test_the_recovery_race_leaves_no_hole(app, tp):
    run = Fetcher(app, tp)
    run.the_race(app.flow_control.resume)  # recovery.py's on_recovery_completed: flow already active
    assert run.processed == list(range(40, 55))
    assert run.commit_offset() == 55


def test_a_commit_never_passes_an_event_dropped_unprocessed(app, tp):
    """Without fix 1 (the queue emptied under the stream), commits stop at the hole."""
    run = Fetcher(app, tp)
    run.the_race(run.queue.clear)  # what stock mode's FlowControlEvent.resume() does
    assert run.commit_offset() == 44
    assert run.commit_offset() is None
    assert app.consumer._committed_offset[tp] == 44


def test_a_partition_never_committed_keeps_its_head(app, tp):
    run = Fetcher(app, tp)
    run.deliver(*range(0, 5))
    run.queue.get_nowait()  # offset 0 vanishes before its stream sees it
    run.process()
    assert run.commit_offset() is None


async def test_offsets_compacted_away_do_not_hold_commits(app):
    """41 and 42 are gone from the log: the fetcher records them as a gap, as faust's drain does."""
    tp = TP(COMPACTED, 0)
    run = Fetcher(app, tp)
    app.consumer._committed_offset[tp] = 40
    run.deliver(40)
    await app.consumer._add_gap(tp, 41, 43)
    run.deliver(43, 44)
    run.process()
    assert run.commit_offset() == 45


async def test_the_committed_offset_compacted_away_holds_commits_until_the_broker_shows_it_absent(app, monkeypatch):
    """After a seek to 40 the first record is 41. 40 may have been compacted away, or the
    fetcher went on from an old position (a loaded soak lost 3 shipments when commits passed
    such offsets in hub.identity): the broker is asked before anything is committed."""
    monkeypatch.setattr(type(app._fetcher), "state", property(lambda self: "running"))
    tp = TP(COMPACTED, 0)
    asked = []

    async def probe(topic, partition, offset):
        asked.append((topic, partition, offset))
        return 41  # the broker's first record from 40 on: 40 is gone

    watched = Watched(app, tp, probe)
    run = Fetcher(app, tp)
    app.consumer._committed_offset[tp] = 40
    run.deliver(41, 42)
    run.process()
    assert run.commit_offset() is None
    found = [await watched.watchdog.check() for _ in range(3)]
    assert [(f.kind, f.action, f.offset) for f in found[2]] == [(StallKind.UNREAD_START, Action.PROBE, 40)]
    assert asked == [(COMPACTED, 0, 40)] and watched.sought == []
    assert run.commit_offset() == 43


async def test_an_unread_start_the_broker_still_holds_is_read_again(app, monkeypatch):
    """The broker holds 40: the partition is sought back to it, and commits wait for it."""
    monkeypatch.setattr(type(app._fetcher), "state", property(lambda self: "running"))
    tp = TP(COMPACTED, 0)

    async def probe(topic, partition, offset):
        return 40

    watched = Watched(app, tp, probe)
    run = Fetcher(app, tp)
    app.consumer._committed_offset[tp] = 40
    run.deliver(41, 42)
    run.process()
    run.commit_offset()
    [await watched.watchdog.check() for _ in range(3)]
    assert watched.sought == [{tp: 40}]
    assert run.commit_offset() is None
    run.deliver(40)
    run.process()
    assert run.commit_offset() == 43


async def test_a_fetch_that_jumps_over_records_commits_nothing(app, tp):
    """The fault soak's loss: after a restart the committed offset was 67 and the first record
    delivered was 71. faust booked 68-71 as a gap and committed 72; 67-70 were never processed."""
    run = Fetcher(app, tp)
    app.consumer._committed_offset[tp] = 67
    await app.consumer._add_gap(tp, 68, 71)  # the drain's booking of the jump
    run.deliver(71, 72)
    run.process()
    assert run.commit_offset() is None
    assert app.consumer._committed_offset[tp] == 67


def test_a_never_committed_partition_commits_from_where_it_was_read(app, tp):
    run = Fetcher(app, tp)
    faust_fixes.ledger(app.consumer).set_floor(tp, 0)
    run.deliver(3, 4)  # 0-2 skipped
    run.process()
    assert run.commit_offset() is None
    run.deliver(0, 1, 2)
    run.process()
    assert run.commit_offset() == 5


def test_a_skipped_event_is_not_acknowledged(app, tp):
    """faust's pure-Python stream acknowledges events it skips for their stale generation."""
    run = Fetcher(app, tp)
    stale = run.message(7, generation=app.consumer_generation_id - 1)
    app.consumer._unacked_messages.add(stale)
    assert app.consumer.ack(stale) is False
    assert 7 not in app.consumer._acked_index[tp]
    # Nor waited for: a revoke's wait_empty would wait for it forever.
    assert stale not in app.consumer._unacked_messages


def test_flow_control_resume_is_patched_once():
    assert FlowControlEvent.resume.__qualname__.endswith("_resume_keeps_queues_when_flowing.<locals>.resume")


class Watched:
    def __init__(self, app, tp=None, probe=None) -> None:
        tp = tp or TP(TOPIC, 0)
        self.sought: list[dict] = []
        self.exits: list[int] = []
        self.watchdog = ProgressWatchdog(app, patience=3, exit_process=self.exits.append, probe=probe)

        async def seek_wait(partitions):
            self.sought.append(dict(partitions))

        app.consumer.seek_wait = seek_wait
        app.consumer.assignment = lambda: {tp}
        app.consumer._active_partitions = {tp}  # assigned and fetched, as after recovery
        app.tables.recovery.completed.set()


async def test_the_watchdog_heals_a_hole_by_seeking_to_the_committed_offset(app, tp, monkeypatch):
    monkeypatch.setattr(type(app._fetcher), "state", property(lambda self: "running"))
    watched = Watched(app)
    run = Fetcher(app, tp)
    run.the_race(run.queue.clear)
    run.commit_offset()
    found = [await watched.watchdog.check() for _ in range(3)]
    assert found[0] == found[1] == []
    (finding,) = found[2]
    assert (finding.kind, finding.action, finding.offset) == (StallKind.HOLE, Action.SEEK_TO_COMMITTED, 44)
    assert watched.sought == [{tp: 44}]


async def test_the_watchdog_reads_again_what_a_fetch_jumped_over(app, tp, monkeypatch):
    monkeypatch.setattr(type(app._fetcher), "state", property(lambda self: "running"))
    watched = Watched(app)
    run = Fetcher(app, tp)
    app.consumer._committed_offset[tp] = 67
    run.deliver(71, 72)
    run.process()
    run.commit_offset()
    found = [await watched.watchdog.check() for _ in range(3)]
    assert [f.offset for f in found[2]] == [67]
    assert watched.sought == [{tp: 67}]


async def test_the_watchdog_leaves_a_busy_stream_alone(app, tp, monkeypatch):
    monkeypatch.setattr(type(app._fetcher), "state", property(lambda self: "running"))
    watched = Watched(app)
    run = Fetcher(app, tp)
    app.consumer._committed_offset[tp] = 40
    run.deliver(*range(40, 50))  # queued: a slow agent, not a hole
    for _ in range(6):
        assert await watched.watchdog.check() == []
    assert watched.sought == []


async def test_a_dead_fetcher_makes_the_worker_exit(app, tp, monkeypatch):
    monkeypatch.setattr(type(app._fetcher), "state", property(lambda self: "crashed"))
    watched = Watched(app)
    for _ in range(3):
        await watched.watchdog.check()
    assert watched.exits == [FETCHER_DEAD_EXIT]


async def test_never_committed_source_partitions_are_read_from_their_start(app, tp):
    """aiokafka's seek_to_committed skips them; changelogs are left alone (standbys keep reading)."""
    consumer = app.consumer
    changelog, committed = TP(f"{app.conf.id}-timelines-changelog", 0), TP(TOPIC, 1)
    consumer.assignment = lambda: {tp, changelog, committed}
    sought: list[dict] = []

    async def seek_to_committed():
        return {tp: None, changelog: None, committed: 12}

    async def earliest_offsets(*partitions):
        return {partition: 3 for partition in partitions}

    async def seek_wait(partitions):
        sought.append(dict(partitions))

    consumer.seek_to_committed, consumer.earliest_offsets, consumer.seek_wait = seek_to_committed, earliest_offsets, seek_wait
    await consumer.perform_seek()
    assert sought == [{tp: 3}]
    assert consumer._committed_offset[committed] == 12


async def test_deliveries_a_rebalance_dropped_are_no_hole_once_sought_again(app, tp, monkeypatch):
    """Offsets 154-163 were delivered and queued, the rebalance dropped them, and faust sought
    the partition back to 154 at the end of recovery. Until the first fetch they are neither
    processed nor in flight; on a loaded machine that takes seconds, and the watchdog called
    them holes (eight partitions at once in an end-to-end run). They will all be read again."""
    monkeypatch.setattr(type(app._fetcher), "state", property(lambda self: "running"))
    watched = Watched(app)
    run = Fetcher(app, tp)
    consumer = app.consumer
    run.deliver(*range(154, 164))
    run.queue.clear()  # the rebalance: flow suspended, queues emptied

    async def seek_to_committed():
        return {tp: 154}

    consumer.seek_to_committed = seek_to_committed
    await consumer.perform_seek()
    for _ in range(6):
        assert await watched.watchdog.check() == []
    assert watched.sought == []
    run.deliver(154)  # read again, then lost: that is a hole, and it is found
    run.queue.clear()
    found = [await watched.watchdog.check() for _ in range(3)]
    assert [f.offset for f in found[2]] == [154]


async def test_a_commit_under_way_is_no_hole(app, tp, monkeypatch):
    """faust takes the batch out of its acked list, then flushes the producer (seconds under
    load) before it records the new committed offset: the offsets in between are done."""
    monkeypatch.setattr(type(app._fetcher), "state", property(lambda self: "running"))
    watched = Watched(app)
    run = Fetcher(app, tp)
    app.consumer._committed_offset[tp] = 40
    run.deliver(*range(40, 50))
    run.process()
    assert app.consumer._new_offset(tp) == 50  # committing; faust's committed is still 40
    run.deliver(50, 51)
    run.process()
    for _ in range(5):
        assert await watched.watchdog.check() == []


def test_nothing_is_committed_before_the_committed_offset_is_known(app, tp):
    """A new process: faust records committed offsets only after seeking every partition, and
    an event processed meanwhile must not carry the commit past records still unread."""
    run = Fetcher(app, tp)
    run.deliver(21)
    run.process()
    assert run.commit_offset() is None
    app.consumer._committed_offset[tp] = 20  # perform_seek answered: 20 was never read
    assert run.commit_offset() is None


@pytest.fixture
def turnover_partitions(app, monkeypatch):
    """The partition counts the consumer's group metadata reports, per topic (None: not subscribed)."""
    known: dict[str, int | None] = {}
    monkeypatch.setattr(type(app.consumer), "topic_partitions", lambda self, topic: known.get(topic))
    return known


def test_a_changelog_without_partitions_yet_is_no_mismatch(app, turnover_partitions):
    table = app.tables["turnover"]
    turnover_partitions.update({"hub.turnover": 3, table.changelog_topic_name: 0})
    table._verify_source_topic_partitions("hub.turnover")  # stock faust: PartitionsMismatch (3 and 0)
    assert "hub.turnover" not in table._verified_source_topics_for_partitions  # checked again next time
    turnover_partitions[table.changelog_topic_name] = 3
    table._verify_source_topic_partitions("hub.turnover")
    assert "hub.turnover" in table._verified_source_topics_for_partitions


def test_a_real_changelog_mismatch_still_raises(app, turnover_partitions):
    from faust.exceptions import PartitionsMismatch

    table = app.tables["turnover"]
    turnover_partitions.update({"hub.turnover": 3, table.changelog_topic_name: 6})
    with pytest.raises(PartitionsMismatch):
        table._verify_source_topic_partitions("hub.turnover")


class ScriptedKafka:
    """aiokafka's consumer as faust's consumer thread drives it: ten records per partition per
    fetch from each partition's position, seeks that move the position, and offsets that
    compaction removed (`absent`) skipped as a real fetch skips them."""

    def __init__(self, positions: dict[TP, int], end: int, absent: frozenset[int] = frozenset()) -> None:
        self.positions, self.end, self.absent = dict(positions), end, absent
        self._closed = False
        self._fetcher = SimpleNamespace(
            _closed=False, fetched_records=self.fetched_records,
            _subscriptions=SimpleNamespace(fetch_context=contextlib.nullcontext),
        )

    async def fetched_records(self, partitions, timeout=None, max_records=None):
        await asyncio.sleep(0)
        records = {}
        for tp, position in self.positions.items():
            if position < self.end:
                batch = range(position, min(position + 10, self.end))
                self.positions[tp] = batch[-1] + 1
                records[tp] = [self.record(tp, offset) for offset in batch if offset not in self.absent]
        return records

    @staticmethod
    def record(tp: TP, offset: int) -> SimpleNamespace:
        return SimpleNamespace(
            topic=tp.topic, partition=tp.partition, offset=offset, timestamp=0, timestamp_type=0,
            headers=[], key=b"k", value=b"v", checksum=None, serialized_key_size=1, serialized_value_size=1,
        )

    def seek(self, tp: TP, offset: int) -> None:
        self.positions[tp] = offset

    async def position(self, tp: TP) -> int:
        return self.positions[tp]


class FetchLoop:
    """The consumer's fetch loop (`Consumer._drain_messages`, as hub.kafka.faust_fixes leaves it)
    and faust's own consumer-thread fetch and seek steps (`_fetch_records`, `_seek_wait`), over
    `ScriptedKafka`; no broker, and the thread's steps run on the test's loop."""

    def __init__(self, app, positions: dict[TP, int], end: int, absent: frozenset[int] = frozenset()) -> None:
        self.app, self.end = app, end
        self.consumer = consumer = app.consumer
        self.kafka = kafka = ScriptedKafka(positions, end, absent)
        self.delivered: dict[TP, list[int]] = {tp: [] for tp in positions}
        self.on_delivery: dict[tuple[TP, int], object] = {}
        self.before_fetch: list = []
        self.stopped = asyncio.Event()
        thread = consumer._thread
        consumer.resume_flow()
        consumer.highwater = lambda tp: self.end
        consumer._hub_deliver = self.deliver  # the ledger still records each delivery

        async def wait_next_records(timeout: float):
            while self.before_fetch:
                await self.before_fetch.pop(0)()  # as if the loop waited for flow meanwhile
            records = await thread._fetch_records(kafka, set(positions), timeout=timeout)
            if not records:
                self.stopped.set()
            return records, set(positions)

        async def seek_wait(partitions) -> None:
            await thread._seek_wait(kafka, partitions)

        consumer._wait_next_records = wait_next_records
        thread.seek_wait = seek_wait

    async def deliver(self, message) -> None:
        self.delivered[message.tp].append(message.offset)
        action = self.on_delivery.pop((message.tp, message.offset), None)
        if action is not None:
            await action()  # the delivery waits (a full queue) while this happens

    async def run(self) -> dict[TP, list[int]]:
        fetcher = SimpleNamespace(_stopped=self.stopped)
        await asyncio.wait_for(self.consumer._drain_messages(fetcher), timeout=10)
        return self.delivered


async def test_a_seek_during_a_batch_reads_every_record_again(app, tp):
    """Offsets 10-19 of two partitions in hand; while p0's 14 waits for room, p0 is sought to 12.

    Stock faust delivers p0's 15-19 from the old batch, its read offset is then 19, and 12-18
    read again from the seek are dropped: 12 and 13, if they were the hole the seek heals, are
    never processed (fix 6). Now all of them arrive again, in order from the seek's target, and
    the other partition's records are delivered once each."""
    other = TP(tp.topic, 1)
    loop = FetchLoop(app, {tp: 10, other: 10}, end=25)

    async def heal() -> None:
        await app.consumer.seek_wait({tp: 12})

    loop.on_delivery[(tp, 14)] = heal
    delivered = await loop.run()
    assert delivered[tp] == [*range(10, 20), *range(12, 25)]
    assert delivered[other] == list(range(10, 25))
    assert not app.consumer._gap[tp]  # a repeat is no jump


async def test_records_fetched_after_a_seek_are_all_delivered(app, tp):
    """A seek made while the fetch loop waits (a rebalance, recovery's seeks of changelogs) comes
    before the next fetch: that fetch's records are read from the seek and none is skipped."""
    other = TP(tp.topic, 1)
    loop = FetchLoop(app, {tp: 0, other: 0}, end=15)

    async def recovery_seeks() -> None:
        await app.consumer.seek_wait({tp: 5})

    loop.before_fetch.append(recovery_seeks)
    delivered = await loop.run()
    assert delivered[tp] == list(range(5, 15))
    assert delivered[other] == list(range(0, 15))


async def test_offsets_compacted_away_are_booked_as_a_gap(app):
    """Compaction removed 13-15 and 21: the fetch jumps over them, and those offsets (and no
    other) are booked absent, so a commit can pass them once 12 and 16-20 are processed."""
    tp = TP(COMPACTED, 0)
    loop = FetchLoop(app, {tp: 10}, end=25, absent=frozenset({13, 14, 15, 21}))
    delivered = await loop.run()
    assert delivered[tp] == [10, 11, 12, 16, 17, 18, 19, 20, 22, 23, 24]
    gap = sorted(offset for interval in app.consumer._gap[tp] for offset in range(interval.begin, interval.end))
    assert gap == [13, 14, 15, 21]


async def test_a_seek_back_in_a_compacted_topic_books_nothing_absent(app):
    """A stale batch's records after a seek back are no jump: 13-18 are re-read, not absent, and
    a commit must wait for them (stock faust booked 13-15 absent: its read offset was the
    seek's target)."""
    tp = TP(COMPACTED, 0)
    loop = FetchLoop(app, {tp: 10}, end=25)

    async def heal() -> None:
        await app.consumer.seek_wait({tp: 12})

    loop.on_delivery[(tp, 14)] = heal
    delivered = await loop.run()
    assert delivered[tp] == [*range(10, 20), *range(12, 25)]
    assert not app.consumer._gap[tp]


async def test_records_after_a_rebalance_book_no_gap_in_a_compacted_topic(app):
    """hub.identity: 10-14 delivered, then a rebalance. faust drops the rest of the batch
    (15-19), and aiokafka, which keeps a partition's position across a rebalance, fetches on
    from 20. Booking 15-19 as absent let commits pass them before faust's seek read them
    again: the fault soak lost identity and turnover records this way."""
    tp = TP(COMPACTED, 0)
    loop = FetchLoop(app, {tp: 10}, end=25)

    async def rebalance() -> None:
        app.consumer_generation_id += 1

    loop.on_delivery[(tp, 14)] = rebalance
    delivered = await loop.run()
    assert delivered[tp] == [10, 11, 12, 13, 14, 20, 21, 22, 23, 24]
    assert not app.consumer._gap[tp]


def test_a_compacted_topic_commits_nothing_before_its_start_is_known(app):
    tp = TP(COMPACTED, 0)
    run = Fetcher(app, tp)
    run.deliver(20, 21)
    run.process()
    assert app.consumer._new_offset(tp) is None  # faust's seek to committed offsets has not answered
    app.consumer._committed_offset[tp] = 20
    assert app.consumer._new_offset(tp) == 22


async def test_recovery_seeks_no_negative_offset(app):
    """faust builds standby offsets as earliest - 1; an earliest of -1 (a restarting broker)
    gave -2, and aiokafka's refusal crashed the worker in the fault soak."""
    from collections import Counter

    sought: list[dict] = []

    async def seek_wait(partitions):
        sought.append(dict(partitions))

    app.consumer.seek_wait = seek_wait
    standby, fresh, read, unknown = (TP("x-changelog", n) for n in range(4))
    offsets = Counter({standby: -2, fresh: -1, read: 41})
    offsets[unknown] = None  # type: ignore[assignment]  # as faust's offset building can leave it
    await app.tables.recovery._seek_offsets(app.consumer, {standby, fresh, read, unknown}, offsets, "standby")
    assert sought == [{standby: 0, fresh: 0, read: 41, unknown: 0}]


class Delivery:
    """A delivery coroutine whose steps are recorded: it waits on `waits_on` (None: no wait)."""

    def __init__(self, waits_on: asyncio.Future | None = None, fails: str | None = None) -> None:
        self.waits_on, self.fails = waits_on, fails
        self.steps: list[str] = []
        self.finished_in: asyncio.Task | None = None

    async def __call__(self) -> None:
        self.steps.append("start")
        try:
            if self.fails == "at once":
                raise ValueError("bad record")
            if self.waits_on is not None:
                await asyncio.sleep(0)  # a bare yield too, as asyncio's own waits make
                self.steps.append(f"got {await self.waits_on}")
            if self.fails == "after waiting":
                raise ValueError("bad record, later")
            self.steps.append("done")
            self.finished_in = asyncio.current_task()
        except asyncio.CancelledError:
            self.steps.append("cancelled")
            raise


async def test_a_delivery_that_waits_for_nothing_runs_in_the_fetch_loop_itself(app):
    """No tasks for a delivery that completes at once (hub/kafka/fetch_loop.py:_deliver)."""
    from hub.kafka.fetch_loop import _deliver

    delivery = Delivery()
    await _deliver(app.consumer, delivery())
    assert delivery.steps == ["start", "done"]
    assert delivery.finished_in is asyncio.current_task()


async def test_a_delivery_that_waits_is_awaited_to_its_end(app):
    from hub.kafka.fetch_loop import _deliver

    room = asyncio.get_running_loop().create_future()
    delivery = Delivery(waits_on=room)
    asyncio.get_running_loop().call_later(0.05, room.set_result, "room")
    await _deliver(app.consumer, delivery())
    assert delivery.steps == ["start", "got room", "done"]
    assert delivery.finished_in is not asyncio.current_task()  # the rest ran as faust runs a delivery


async def test_a_flow_suspension_cancels_a_delivery_still_waiting(app):
    """As faust's wait_first(delivery, suspend_flow): a rebalance does not wait for room in a queue."""
    from hub.kafka.fetch_loop import _deliver

    delivery = Delivery(waits_on=asyncio.get_running_loop().create_future())
    asyncio.get_running_loop().call_later(0.05, app.consumer.suspend_flow.set)
    try:
        await asyncio.wait_for(_deliver(app.consumer, delivery()), timeout=5)
    finally:
        app.consumer.suspend_flow.clear()
    await asyncio.sleep(0)  # the cancellation reaches the delivery
    assert delivery.steps == ["start", "cancelled"]


@pytest.mark.parametrize("when", ["at once", "after waiting"])
async def test_a_delivery_that_fails_raises_in_the_fetch_loop(app, when):
    from hub.kafka.fetch_loop import _deliver

    room = asyncio.get_running_loop().create_future()
    room.set_result("room")
    with pytest.raises(ValueError, match="bad record"):
        await _deliver(app.consumer, Delivery(waits_on=room, fails=when)())
