"""Work-arounds for faust-streaming behaviours that stop partitions or lose their messages.

Applied once, by `hub.app.create_app`, to faust-streaming 0.15.3 / mode-streaming 0.7.1 (the
newest releases; upstream master has the same code). Each fix names what it works around and
the test that fails without it.

1. Resuming flow that is already flowing empties the streams' queues (faust-streaming/faust#596,
   open since 2023-12). At the end of table recovery faust resumes the stream partitions,
   seeks them to their committed offsets, then calls `app.flow_control.resume()` again;
   mode's `FlowControlEvent.resume()` clears every managed queue even when flow was never
   suspended, so the events fetched in between vanish unprocessed while the fetcher has read
   past them. Nothing reads them again until the next rebalance, and commits cannot pass
   them: the partition's lag freezes. Fix: `resume()` clears only when flow was suspended.
   Tests: tests/service/test_faust_fixes.py::test_resuming_active_flow_keeps_queued_events
   (faust's own objects, no broker) and tests/integration/test_stream_faults.py (a backlog and
   a widened window, `HUB_TEST_SEEK_DELAY`, on the real broker).

2. A commit may pass an event that was fetched but never processed. faust decides what to
   commit from the acknowledged offsets alone: an event dropped before its stream saw it
   (a cleared queue, an event skipped for its stale generation, a delivery cancelled by a
   rebalance) leaves no trace; a fetch that jumps over records (seen after a worker restart:
   offsets 67-70 never delivered, 71 first) is booked as a gap of absent offsets and
   committed over; and faust's head-gap check is off by one and skipped for a partition
   never committed. Fix: every delivery to the streams is recorded
   (`hub.kafka.stream_health.DeliveryLedger`), and `_new_offset` commits nothing past an offset
   that was delivered and not acknowledged; in a topic never compacted (every offset holds
   a record) nothing past the committed offset, or the first offset of a partition never
   committed, unless it was processed, and a jump is never counted as done. In a compacted
   topic the same holds for the next offset to commit; a jump the fetch loop saw between two
   records of one reading counts as absent, and offsets before the first record after a seek
   or a rebalance count as absent only once the broker, asked by the progress watchdog
   (hub/kafka/offset_probe.py), holds none of them. Found by the fault soak
   (tests/soak/soak.py). Tests: tests/service/test_faust_fixes.py (commit tests).

3. A partition never committed is not sought by `seek_to_committed` (aiokafka skips it), so
   events fetched before a rebalance and dropped are not read again. Fix: after faust seeks
   to committed offsets, such partitions are sought to their earliest offset, through the
   consumer's own thread (`seek_wait`), as faust does its own seeks. Every partition so sought
   starts afresh in the delivery ledger: what it delivered before is read again, not a hole.
   Tests: tests/integration/test_stream_faults.py (fresh partitions with a backlog),
   tests/service/test_faust_fixes.py (deliveries dropped by a rebalance).

4. With faust's pure-Python stream iterator (used where its Cython extension is missing),
   an event skipped for its stale generation or paused flow is acknowledged, so its offset
   is committed unprocessed. Fix: such an acknowledgement is refused; the ledger then sees
   the offset as unprocessed and the progress watchdog reads it again.
   Test: tests/service/test_faust_fixes.py::test_a_skipped_event_is_not_acknowledged.

5. A table's first write checks that its changelog has as many partitions as its source topic,
   as the consumer's group metadata says. A changelog the worker created itself a moment
   before it joined can be in that metadata with no partitions yet (fetched while the topic
   was being created), and it stays so until the next metadata refresh, five minutes later:
   every write crashes the agent with `PartitionsMismatch` (source 3, changelog 0) and its
   partitions stop (seen on hub.turnover in tests/integration/test_settlement_e2e.py). Fix:
   no partitions known is not a mismatch; the check is made again at the next write, and a
   real mismatch still raises. Test: tests/service/test_faust_fixes.py (changelog tests).

6. faust's fetch loop (`Consumer._drain_messages`) drops every record below the partition's
   read offset. A seek sets that offset back, but a batch fetched before the seek and still
   being delivered sets it forward again, and the records read again from the seek's target
   are dropped up to there (robinhood/faust#115, faust-streaming/faust#216): a hole after
   every rebalance or heal that meets a batch in delivery, about one CI run in three.
   Fix: `hub.kafka.fetch_loop.drain_every_record` replaces the loop; it delivers every record
   fetched, a repeat after a seek included, and books a jump as a gap only past the last
   record it delivered since the latest rebalance or seek. The same loop runs a delivery's
   first step itself, and gives it wait_first's four tasks only when it has to wait (issue 15:
   a twentieth of a worker's time). Tests: tests/service/test_faust_fixes.py
   (fetch loop tests, faust's own consumer thread over a scripted aiokafka; deliveries that
   wait, fail or meet a flow suspension) and the fault soak (tests/soak/soak.py).

7. Table recovery seeks standby changelog partitions to the offsets it built from the broker's
   earliest offsets minus one, and maps only -1 to 0. An offset it could not build (None) or
   below -1 reaches aiokafka, which refuses the seek ("Offset must be a positive integer");
   recovery crashes and the worker exits (twice in the fault soak, after worker restarts).
   Fix: such an offset is sought as 0, faust's own meaning of -1 (read from the start).
   Test: tests/service/test_faust_fixes.py::test_recovery_seeks_no_negative_offset.

8. faust's RocksDB store writes a table value to disk before its changelog record is sent: a
   worker killed in between restarts on its data directory with a state its changelog never
   received, and the repeat it then processes writes nothing, so the changelog misses it for
   good (a rebuild elsewhere loses those events). Fix: `rocksdb://` is the hub's
   `hub.kafka.table_store.WriteBehindStore`, which writes to disk only once the broker has
   acknowledged the changelog record, before faust records that record's offset as persisted;
   the table tells the store which record each write is. Tests:
   tests/service/test_table_store.py, tests/integration/test_restart_on_data_dir.py.

Whatever else leaves a hole is found and healed by `hub.kafka.watchdog`.

Seen and not yet explained (issue 13): on a loaded machine a partition faust had sought to its
committed offset after a rebalance sometimes went on from aiokafka's old position instead,
never re-reading the offsets in between until the watchdog sought it again. In a compacted
topic fix 2 used to let a commit start above the committed offset there, since compaction may
have removed it; commits now wait until the broker has shown those offsets absent. (hub.identity
and hub.turnover were compacted then, and a loaded fault soak lost shipments and entries; most
of that loss was the log cleaner itself removing messages not read yet, and they are no longer
compacted: hub/topics.py.) The cause of the stale position itself is still open.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterable
from typing import Any

from faust import stores
from faust.tables.base import Collection
from faust.tables.recovery import Recovery
from faust.transport.consumer import Consumer, ThreadDelegateConsumer
from faust.utils.functional import consecutive_numbers
from mode.utils.queues import FlowControlEvent

from hub.kafka.fetch_loop import drain_every_record
from hub.kafka.stream_health import DeliveryLedger

_PATCHED = "_hub_fixes_applied"
# Test-only: seconds to wait after faust's seek to committed offsets, before flow resumes.
# Widens the window of fix 1 so that tests/integration/test_stream_faults.py hits it every run.
SEEK_DELAY_ENV = "HUB_TEST_SEEK_DELAY"


# Source topics whose offsets may be missing because compaction removed their records
# (hub.topics declares them; create_app passes them). In every other topic each offset up to
# the end holds a record, so a commit may never pass an offset that was not processed.
_COMPACTED: set[str] = set()


def declare_compacted(topics: Iterable[str]) -> None:
    _COMPACTED.update(topics)


def is_contiguous(topic: str) -> bool:
    return topic not in _COMPACTED


def ledger(consumer: Consumer) -> DeliveryLedger:
    """The consumer's record of deliveries to streams (created with the consumer)."""
    found = consumer.__dict__.get("_hub_ledger")
    if found is None:
        found = consumer.__dict__["_hub_ledger"] = DeliveryLedger()
    return found


def apply() -> None:
    if getattr(Consumer, _PATCHED, False):
        return
    _resume_keeps_queues_when_flowing()
    _deliveries_are_recorded()
    _commits_never_pass_unprocessed()
    _never_committed_partitions_read_from_the_start()
    _skipped_events_are_not_acknowledged()
    _changelog_partitions_not_yet_known_are_no_mismatch()
    _fetch_loop_delivers_every_record()
    _recovery_seeks_no_negative_offset()
    _rocksdb_writes_behind_the_changelog()
    setattr(Consumer, _PATCHED, True)


def _resume_keeps_queues_when_flowing() -> None:
    original_resume = FlowControlEvent.resume

    def resume(self: FlowControlEvent) -> None:
        if self.is_active():
            return  # never suspended: nothing stale to drop, and nothing to wake
        original_resume(self)

    FlowControlEvent.resume = resume  # type: ignore[method-assign]


def _deliveries_are_recorded() -> None:
    original_init = Consumer.__init__

    def __init__(self: Consumer, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        # faust's delivery to the streams (the conductor's), kept where a test can replace it.
        self._hub_deliver = self.callback
        record = ledger(self)

        async def callback(message: Any) -> None:
            # Recorded before the delivery completes: a delivery cancelled half way (a
            # rebalance) or dropped later (a cleared queue) still holds commits behind it.
            record.delivering(message.tp, message.offset)
            try:
                await self._hub_deliver(message)
            finally:
                record.delivered()

        self.callback = callback

    Consumer.__init__ = __init__  # type: ignore[method-assign]


def _commits_never_pass_unprocessed() -> None:
    def _new_offset(self: Consumer, tp: Any) -> int | None:
        acked = self._acked[tp]
        if not acked:
            return None
        gap_for_tp = self._gap[tp]
        contiguous = is_contiguous(tp.topic)
        if gap_for_tp and contiguous:
            # faust records a jump between two delivered offsets as a gap of absent records.
            # In a topic never compacted every offset holds a record: a jump is records the
            # fetcher skipped (seen after a restart: 67-70 jumped, then committed over). They
            # stay unprocessed, and the watchdog reads them again.
            gap_for_tp.clear()
        elif gap_for_tp:
            # Offsets faust knows are absent (compaction) count as done.
            highest = max(acked)
            candidates = sorted(gap_for_tp.overlap(0, highest), key=lambda x: x.begin)
            if candidates:
                filler: list[int] = []
                for entry in candidates:
                    filler.extend(o for o in range(entry.begin, entry.end) if o not in self._acked_index[tp])
                acked.extend(filler)
                gap_for_tp.chop(0, max(candidates[-1].end, highest + 1))
        acked.sort()
        committed = self._committed_offset[tp]
        record = ledger(self)
        record.forget_below(tp, committed)
        start = committed if committed is not None else record.floor(tp)
        if start is None:
            # A partition just assigned: faust learns its committed offset only once its seek
            # to committed offsets has answered for every partition, and the streams may have
            # processed events by then. Commit nothing before the start is known (the soak
            # lost offset 20 this way: 21 was processed and committed first), in a compacted
            # topic too: what it processed may come from aiokafka's old position, far ahead.
            return None
        if acked[0] > start:
            # The next offset to commit was never processed: nothing passes it. In a compacted
            # topic it may be absent; the watchdog asks the broker and books it as a gap if so.
            return None
        batch = next(consecutive_numbers(acked))
        offset = batch[-1] + 1
        blocking = record.unprocessed_below(tp, offset, committed, self._acked_index[tp])
        if blocking is not None:
            # Delivered and never processed: commit only what lies before it, if anything.
            if blocking <= batch[0]:
                return None
            batch = [o for o in batch if o < blocking]
            offset = blocking
        acked[: len(batch)] = []
        self._acked_index[tp].difference_update(batch)
        record.forget_below(tp, offset)
        record.committing(tp, offset)
        return offset

    Consumer._new_offset = _new_offset  # type: ignore[method-assign]


def _never_committed_partitions_read_from_the_start() -> None:
    original_perform_seek = Consumer.perform_seek
    delay = float(os.environ.get(SEEK_DELAY_ENV, "0") or 0)

    async def perform_seek(self: Consumer) -> None:
        await original_perform_seek(self)
        assigned = self.assignment()
        record = ledger(self)
        record.keep_only(assigned)
        for tp in assigned:
            if self._committed_offset.get(tp):
                # Sought to its committed offset: what it delivered before the rebalance (queued,
                # then dropped by it) is read again, so it is no hole. Under load the first
                # fetch can take seconds, and the watchdog counted eight such "holes" at once.
                record.sought(tp)
        # Source topics only: a table's changelog is never committed, and its standby
        # readers must not start over at every rebalance.
        never_committed = [
            tp for tp in assigned if self.app.topics.acks_enabled_for(tp.topic) and not self._committed_offset.get(tp)
        ]
        if never_committed:
            earliest = await self.earliest_offsets(*never_committed)
            targets = {tp: offset for tp, offset in earliest.items() if offset is not None and offset >= 0}
            for tp in never_committed:
                # Where reading starts (0 if the broker did not say): commits start there.
                ledger(self).set_floor(tp, targets.get(tp, 0))
            if targets:
                await self.seek_wait(targets)
                for tp in targets:
                    record.sought(tp)
        if delay:
            await asyncio.sleep(delay)

    Consumer.perform_seek = perform_seek  # type: ignore[method-assign]
    # ThreadDelegateConsumer (faust's aiokafka driver) inherits it; make sure of that.
    assert ThreadDelegateConsumer.perform_seek is perform_seek


def _skipped_events_are_not_acknowledged() -> None:
    original_ack = Consumer.ack

    def ack(self: Consumer, message: Any) -> bool:
        generation = getattr(message, "generation_id", None)
        current = getattr(self.app, "consumer_generation_id", None)
        stale = generation is not None and current is not None and generation != current
        if stale or not self.app.flow_control.is_active():
            # Refused, and no longer waited for: it is read again after the rebalance's seek.
            # Left among the unacknowledged, it held faust's `wait_empty` at the next revoke
            # forever (a worker froze in tests/integration/test_cluster.py).
            self._unacked_messages.discard(message)
            return False
        return original_ack(self, message)

    Consumer.ack = ack  # type: ignore[method-assign]


def _changelog_partitions_not_yet_known_are_no_mismatch() -> None:
    original_verify = Collection._verify_source_topic_partitions

    def _verify_source_topic_partitions(self: Collection, source_topic: str) -> None:
        # A topic has at least one partition: 0 is metadata fetched before it had any.
        # Not marked verified, so the next write checks again.
        if source_topic not in self._verified_source_topics_for_partitions and self.app.consumer.topic_partitions(self.changelog_topic_name) == 0:
            return
        original_verify(self, source_topic)

    Collection._verify_source_topic_partitions = _verify_source_topic_partitions  # type: ignore[method-assign]


def _fetch_loop_delivers_every_record() -> None:
    async def _drain_messages(self: Consumer, fetcher: Any) -> None:
        await drain_every_record(self, fetcher, ledger(self))

    Consumer._drain_messages = _drain_messages  # type: ignore[method-assign]


def _recovery_seeks_no_negative_offset() -> None:
    original_seek_offsets = Recovery._seek_offsets

    async def _seek_offsets(self: Recovery, consumer: Any, tps: Any, offsets: Any, title: str) -> None:
        for tp in tps:
            if offsets[tp] is None or offsets[tp] < 0:
                offsets[tp] = -1  # faust seeks -1 as 0: from the start
        await original_seek_offsets(self, consumer, tps, offsets, title)

    Recovery._seek_offsets = _seek_offsets  # type: ignore[method-assign]


def _rocksdb_writes_behind_the_changelog() -> None:
    stores.STORES.aliases["rocksdb"] = "hub.kafka.table_store:WriteBehindStore"
    original_send = Collection.send_changelog
    original_sent = Collection._on_changelog_sent

    def send_changelog(self: Collection, *args: Any, **kwargs: Any) -> Any:
        future = original_send(self, *args, **kwargs)
        sending = getattr(self.data, "changelog_sending", None)
        if sending is not None:
            sending(future)
        return future

    def _on_changelog_sent(self: Collection, future: Any) -> None:
        acknowledged = getattr(self.data, "changelog_acknowledged", None)
        if acknowledged is not None:
            acknowledged(future)  # the value on disk before its offset is recorded as persisted
        original_sent(self, future)

    Collection.send_changelog = send_changelog  # type: ignore[method-assign]
    Collection._on_changelog_sent = _on_changelog_sent  # type: ignore[method-assign]
