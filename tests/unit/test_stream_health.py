"""The progress watchdog's decisions (hub/kafka/stream_health.py), without faust."""

from __future__ import annotations

import pytest

from hub.kafka.stream_health import (
    UNPAUSED_PATIENCE_FACTOR,
    Action,
    ConsumerView,
    DeliveryLedger,
    PartitionView,
    StallKind,
    StallTracker,
)

pytestmark = pytest.mark.unit


def part(**overrides) -> PartitionView:
    fields = dict(topic="t", partition=0, committed=40, lowest_unprocessed=None, read=49, lowest_in_flight=None,
                  highwater=50, paused=False, lowest_acked=None, contiguous=True, start=40)
    return PartitionView(**{**fields, **overrides})


def consumer(*partitions: PartitionView, settled: bool = True, fetcher: bool = True, delivered: int = 0) -> ConsumerView:
    return ConsumerView(settled=settled, fetcher_running=fetcher, partitions=partitions, delivered_total=delivered)


def test_a_hole_is_reported_after_it_persisted_and_then_again_later():
    tracker = StallTracker(patience=3)
    hole = consumer(part(lowest_unprocessed=44))
    assert [tracker.observe(hole) for _ in range(2)] == [[], []]
    (finding,) = tracker.observe(hole)
    assert (finding.kind, finding.action, finding.offset) == (StallKind.HOLE, Action.SEEK_TO_COMMITTED, 44)
    assert tracker.observe(hole) == [] and tracker.observe(hole) == []
    assert len(tracker.observe(hole)) == 1


def test_a_partition_not_read_since_its_seek_is_waited_for_not_sought_again():
    """A heal (or a rebalance) sought it: until it delivers again, its old deliveries are no hole."""
    tracker = StallTracker(patience=2)
    waiting = consumer(part(lowest_unprocessed=44, read=None))
    assert [tracker.observe(waiting) for _ in range(6)] == [[]] * 6
    assert [f.offset for f in [tracker.observe(consumer(part(lowest_unprocessed=44, read=45))) for _ in range(2)][1]] == [44]


@pytest.mark.parametrize("in_flight", [44, 41])
def test_an_offset_in_flight_is_no_hole(in_flight):
    tracker = StallTracker(patience=2)
    view = consumer(part(lowest_unprocessed=44, lowest_in_flight=in_flight))
    assert [tracker.observe(view) for _ in range(5)] == [[]] * 5


def test_an_offset_skipped_in_a_contiguous_topic_is_a_hole():
    """Never delivered, yet later offsets were processed: the fetcher jumped over it."""
    tracker = StallTracker(patience=1)
    (finding,) = tracker.observe(consumer(part(lowest_acked=71, start=67, committed=67)))
    assert (finding.kind, finding.offset) == (StallKind.HOLE, 67)


def test_a_partition_held_back_by_backpressure_has_no_hole():
    """Sought back to 50 while its stream's queue is full: faust does not fetch it until the
    queue drains, and re-seeking it every few seconds would only count false stalls."""
    tracker = StallTracker(patience=1)
    assert tracker.observe(consumer(part(lowest_acked=71, start=50, committed=50, paused=True), delivered=0)) == []


def test_an_unread_start_in_a_compacted_topic_is_probed_not_sought():
    """Compaction may have removed 67-70, or the fetcher went on from an old position: the
    broker is asked before anything is sought or committed."""
    tracker = StallTracker(patience=1)
    (finding,) = tracker.observe(consumer(part(lowest_acked=71, start=67, committed=67, contiguous=False)))
    assert (finding.kind, finding.action, finding.offset) == (StallKind.UNREAD_START, Action.PROBE, 67)


def test_a_delivered_and_dropped_start_in_a_compacted_topic_is_a_hole():
    """The start was delivered and never processed: it exists, no probe needed."""
    tracker = StallTracker(patience=1)
    (finding,) = tracker.observe(consumer(part(lowest_acked=71, lowest_unprocessed=67, start=67, committed=67, contiguous=False)))
    assert (finding.kind, finding.action) == (StallKind.HOLE, Action.SEEK_TO_COMMITTED)


def test_a_hole_that_moves_starts_counting_again():
    tracker = StallTracker(patience=3)
    tracker.observe(consumer(part(lowest_unprocessed=44)))
    tracker.observe(consumer(part(lowest_unprocessed=44)))
    assert tracker.observe(consumer(part(lowest_unprocessed=45))) == []


def test_a_rebalance_forgets_every_suspicion():
    tracker = StallTracker(patience=3)
    tracker.observe(consumer(part(lowest_unprocessed=44)))
    tracker.observe(consumer(part(lowest_unprocessed=44)))
    assert tracker.observe(consumer(part(lowest_unprocessed=44), settled=False)) == []
    assert tracker.observe(consumer(part(lowest_unprocessed=44))) == []


def test_a_paused_partition_with_records_to_read_is_resumed():
    tracker = StallTracker(patience=3)
    findings = [tracker.observe(consumer(part(read=30, paused=True), delivered=n)) for n in range(3)]
    assert findings[:2] == [[], []]
    (finding,) = findings[2]
    assert (finding.kind, finding.action) == (StallKind.NOT_FETCHED, Action.RESUME)


def test_an_unpaused_partition_waits_longer_and_is_only_counted():
    tracker = StallTracker(patience=3)
    checks = 3 * UNPAUSED_PATIENCE_FACTOR
    findings = [tracker.observe(consumer(part(read=30), delivered=n)) for n in range(checks)]
    assert all(f == [] for f in findings[:-1])
    (finding,) = findings[-1]
    assert (finding.kind, finding.action) == (StallKind.NOT_FETCHED, Action.NONE)


def test_an_idle_fetcher_singles_out_no_partition():
    """Nothing delivered anywhere: backpressure or an idle broker, not one partition's stall."""
    tracker = StallTracker(patience=1)
    findings = [tracker.observe(consumer(part(read=30), delivered=7)) for _ in range(3 * UNPAUSED_PATIENCE_FACTOR)]
    assert all(f == [] for f in findings)


def test_a_partition_read_to_its_end_is_fine():
    tracker = StallTracker(patience=1)
    assert tracker.observe(consumer(part(read=49, highwater=50, paused=True), delivered=1)) == []


def test_a_dead_fetcher_exits_after_patience():
    tracker = StallTracker(patience=2)
    assert tracker.observe(consumer(fetcher=False)) == []
    (finding,) = tracker.observe(consumer(fetcher=False))
    assert (finding.kind, finding.action) == (StallKind.FETCHER_DEAD, Action.EXIT)


def test_the_ledger_finds_the_lowest_offset_delivered_and_not_processed():
    ledger = DeliveryLedger()
    for offset in range(40, 50):
        ledger.delivering("tp", offset)
        ledger.delivered()
    acked = {40, 41, 42, 43, 46}
    assert ledger.unprocessed_below("tp", None, 40, acked) == 44
    assert ledger.unprocessed_below("tp", 44, 40, acked) is None
    assert ledger.unprocessed_below("tp", None, 45, acked) == 45
    ledger.forget_below("tp", 48)
    assert ledger.unprocessed_below("tp", None, None, set()) == 48
    assert ledger.last("tp") == 49 and ledger.total == 10


def test_the_ledger_knows_the_offset_being_handed_over():
    ledger = DeliveryLedger()
    ledger.delivering("tp", 7)
    assert ledger.in_delivery("tp") == 7 and ledger.in_delivery("other") is None
    ledger.delivered()
    assert ledger.in_delivery("tp") is None


def test_the_ledger_drops_partitions_no_longer_assigned():
    ledger = DeliveryLedger()
    ledger.delivering("a", 1)
    ledger.delivering("b", 1)
    ledger.keep_only(["a"])
    assert ledger.unprocessed_below("b", None, None, set()) is None
    assert ledger.unprocessed_below("a", None, None, set()) == 1
