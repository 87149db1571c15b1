"""Is every partition this worker reads still moving? Pure decisions for the progress watchdog.

`hub.kafka.watchdog` takes a `PartitionView` of every source partition from faust's consumer a few
times per commit interval and asks `StallTracker.observe` what, if anything, is wrong. Nothing
here touches faust or Kafka, so every decision has a test (tests/unit/test_stream_health.py).

What a stall looks like, by kind:

- `hole`: an offset was delivered to the streams, or (in a topic never compacted) skipped by
  the fetcher while later ones were processed, and is neither processed, in flight (being
  processed, queued, or being queued) nor committed. Nothing will ever process it, and
  commits stop before it (hub/kafka/faust_fixes.py), so the partition's lag freezes while later
  events are still processed. Healed by seeking back to the committed offset: the events
  after it are read again, which every stage treats as a repeat.
- `unread_start` (compacted topics): the next offset to commit was never delivered while later
  ones were processed. Compaction may have removed it, or the partition went on from
  aiokafka's position before a seek (seen under load after a rebalance): only the broker can
  tell. The watchdog reads the partition from there with a consumer of its own; if no record
  lies before the lowest processed offset, the offsets in between are booked as absent and
  commits go on, else the partition is sought back like a hole. Until then commits wait.
- `not_fetched`: the partition has records to read, the fetcher is delivering records of
  other partitions, yet none of this one's arrive. If faust has it paused, it is resumed;
  it is never sought. An unpaused partition is only counted (and must have waited ten times
  longer): the fetcher hands out records in per-partition batches, so a busy partition can
  wait its turn for a few seconds.
- `fetcher_dead`: faust's fetcher is not running although no rebalance or recovery is under
  way. Nothing would ever be read again: the worker exits non-zero so its supervisor
  restarts it.

A finding is only made outside rebalances and recovery and only after it has persisted for
`patience` consecutive checks with the same offsets, so a busy stream or a rebalance in
progress is never mistaken for a stall.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum

# An unpaused partition must go unread this many times longer than a paused one to count.
UNPAUSED_PATIENCE_FACTOR = 10


class StallKind(StrEnum):
    HOLE = "hole"
    UNREAD_START = "unread_start"
    NOT_FETCHED = "not_fetched"
    FETCHER_DEAD = "fetcher_dead"


class Action(StrEnum):
    SEEK_TO_COMMITTED = "seek_to_committed"
    PROBE = "probe"  # ask the broker whether the offsets before the lowest processed one exist
    RESUME = "resume"
    EXIT = "exit"
    NONE = "none"


class DeliveryLedger:
    """Offsets delivered to the streams and not yet committed, per partition.

    faust knows which offsets were acknowledged, not which were fetched: an event dropped
    before its stream saw it leaves no trace, and a commit can pass it. The ledger records
    every delivery (hub/kafka/faust_fixes.py wraps the consumer's callback), so a commit stops at
    the lowest offset that was delivered and never processed, and the watchdog can tell a
    hole from an offset that was never there (compacted away). Offsets leave the ledger once
    a commit passes them.
    """

    def __init__(self) -> None:
        self._offsets: dict[Hashable, set[int]] = {}
        self._last: dict[Hashable, int] = {}
        self._current: tuple[Hashable, int] | None = None
        self._floor: dict[Hashable, int] = {}
        self._committing: dict[Hashable, int] = {}
        self.total = 0  # deliveries since start, every partition

    def committing(self, tp: Hashable, offset: int) -> None:
        """faust is committing `offset` (it may take seconds: the producer is flushed first)."""
        self._committing[tp] = offset

    def next_to_commit(self, tp: Hashable, committed: int | None) -> int | None:
        """Where the next commit starts: past a commit under way, else committed, else the floor."""
        known = [o for o in (committed, self._committing.get(tp)) if o is not None]
        return max(known) if known else self._floor.get(tp)

    def set_floor(self, tp: Hashable, offset: int) -> None:
        """A partition never committed is read from `offset`: the first offset to process."""
        self._floor[tp] = offset

    def floor(self, tp: Hashable) -> int | None:
        return self._floor.get(tp)

    def delivering(self, tp: Hashable, offset: int) -> None:
        self._offsets.setdefault(tp, set()).add(offset)
        self._last[tp] = offset
        self._current = (tp, offset)
        self.total += 1

    def delivered(self) -> None:
        self._current = None

    def in_delivery(self, tp: Hashable) -> int | None:
        """The offset of `tp` being handed to a stream right now (waiting for queue room)."""
        if self._current is not None and self._current[0] == tp:
            return self._current[1]
        return None

    def last(self, tp: Hashable) -> int | None:
        return self._last.get(tp)

    def unprocessed_below(self, tp: Hashable, limit: int | None, committed: int | None, acked: Collection[int]) -> int | None:
        """The lowest offset in [committed, limit) delivered and not acknowledged, if any."""
        lowest = None
        for offset in self._offsets.get(tp, ()):
            if committed is not None and offset < committed:
                continue
            if limit is not None and offset >= limit:
                continue
            if offset in acked:
                continue
            if lowest is None or offset < lowest:
                lowest = offset
        return lowest

    def forget_below(self, tp: Hashable, offset: int | None) -> None:
        """Offsets below a commit are done."""
        offsets = self._offsets.get(tp)
        if offset is None or not offsets:
            return
        kept = {o for o in offsets if o >= offset}
        if len(kept) != len(offsets):
            self._offsets[tp] = kept

    def forget_positions(self) -> None:
        """A rebalance: where each partition's next record comes from is no longer known (aiokafka
        may fetch from the position it had before, faust seeks later), so no jump can be told."""
        self._last.clear()

    def forget_position(self, tp: Hashable) -> None:
        """`tp` was sought: its next record is no jump from the last one delivered."""
        self._last.pop(tp, None)

    def sought(self, tp: Hashable) -> None:
        """`tp` was sought to where its next commit starts (a rebalance's seek to committed
        offsets): whatever it delivered before and did not commit is read again, so none of it
        is a hole, and the next delivery is no jump."""
        self._offsets.pop(tp, None)
        self._last.pop(tp, None)

    def keep_only(self, assigned: Iterable[Hashable]) -> None:
        """After a rebalance: partitions no longer ours are someone else's to process."""
        keep = set(assigned)
        for tp in list(self._offsets):
            if tp not in keep:
                del self._offsets[tp]
                self._last.pop(tp, None)
        for held in (self._floor, self._committing):
            for tp in list(held):
                if tp not in keep:
                    del held[tp]


@dataclass(frozen=True)
class PartitionView:
    """One source partition as the consumer sees it at one instant. Offsets are Kafka offsets."""

    topic: str
    partition: int
    committed: int | None  # the group's committed offset (the next offset to process), if any
    lowest_unprocessed: int | None  # lowest offset delivered to streams, not acknowledged nor committed
    read: int | None  # the last offset the fetcher delivered
    lowest_in_flight: int | None  # lowest offset being processed, queued for a stream, or being queued
    lowest_acked: int | None  # lowest offset processed and not yet committed
    contiguous: bool  # never compacted: every offset up to the end holds a record
    start: int | None  # the next offset to commit: committed, or where a never-committed partition starts
    highwater: int | None  # the partition's end offset as last fetched
    paused: bool  # faust is not fetching it (its own pause, as during recovery)

    @property
    def key(self) -> tuple[str, int]:
        return (self.topic, self.partition)

    @property
    def has_unread(self) -> bool:
        """Records exist beyond what was read (or, before any read, beyond the committed offset)."""
        if self.highwater is None:
            return False
        start = self.read + 1 if self.read is not None else self.committed
        return start is not None and self.highwater > start

    def hole_at(self) -> int | None:
        """The lowest offset that nothing will process, if any now: delivered and dropped, or
        (in a contiguous topic) skipped while later offsets were processed."""
        if self.paused:
            # Not fetched for now (backpressure: its stream's queue is full, or faust paused it):
            # what it has not read yet is not lost. A pause that lasts is `not_fetched`.
            return None
        if self.read is None:
            # Nothing delivered since its latest seek (a rebalance's or a heal's): what it
            # delivered before is read again first. Judged again once reading resumes; if it
            # never does, that is `not_fetched`, counted but never sought. Seeking it again
            # every few checks restarted its reading before it got anywhere on a loaded
            # machine (a soak sought partner.russian_post.events[3] back to 407 83 times).
            return None
        candidates = [] if self.lowest_unprocessed is None else [self.lowest_unprocessed]
        if self.start is not None and self.start_unread:
            candidates.append(self.start)
        if not candidates:
            return None
        hole = min(candidates)
        if self.lowest_in_flight is not None and self.lowest_in_flight <= hole:
            return None  # being processed, or queued behind others
        return hole


    @property
    def start_unread(self) -> bool:
        """Later offsets were processed, the next one to commit was not."""
        return self.start is not None and self.lowest_acked is not None and self.lowest_acked > self.start

    def stall_at(self, offset: int) -> tuple[StallKind, Action]:
        """What a stall at `offset` (from `hole_at`) is and what heals it."""
        if offset == self.start and self.start_unread and not self.contiguous and offset != self.lowest_unprocessed:
            return StallKind.UNREAD_START, Action.PROBE
        return StallKind.HOLE, Action.SEEK_TO_COMMITTED


@dataclass(frozen=True)
class Finding:
    kind: StallKind
    action: Action
    topic: str = ""
    partition: int = -1
    offset: int | None = None  # where the hole is, or where a stuck partition stands


@dataclass(frozen=True)
class ConsumerView:
    """The consumer as a whole at one instant."""

    settled: bool  # no rebalance or table recovery under way, flow control active
    fetcher_running: bool
    partitions: tuple[PartitionView, ...]
    delivered_total: int  # records the fetcher delivered since start, all partitions


@dataclass
class StallTracker:
    """Remembers each suspicion across checks; reports it once it persisted `patience` checks.

    After a finding is reported its count starts again, so a stall that an action did not
    cure is reported (and acted on) again `patience` checks later, never on every check.
    """

    patience: int = 3
    _holes: dict[tuple[str, int], tuple[int, int]] = field(default_factory=dict)  # key -> (offset, checks)
    _unfetched: dict[tuple[str, int], tuple[int | None, int, int]] = field(default_factory=dict)  # key -> (read, delivered, checks)
    _fetcher_down: int = 0

    def reset(self) -> None:
        """A rebalance or recovery: every suspicion starts from nothing."""
        self._holes.clear()
        self._unfetched.clear()
        self._fetcher_down = 0

    def observe(self, view: ConsumerView) -> list[Finding]:
        if not view.settled:
            self.reset()
            return []
        findings: list[Finding] = []
        if not view.fetcher_running:
            self._fetcher_down += 1
            if self._fetcher_down >= self.patience:
                self._fetcher_down = 0
                findings.append(Finding(StallKind.FETCHER_DEAD, Action.EXIT))
            # With no fetcher nothing is read: partitions cannot be judged.
            return findings
        self._fetcher_down = 0
        present = {p.key for p in view.partitions}
        for gone in set(self._holes) - present:
            del self._holes[gone]
        for gone in set(self._unfetched) - present:
            del self._unfetched[gone]
        for part in view.partitions:
            findings.extend(self._judge_hole(part))
            findings.extend(self._judge_fetching(part, view.delivered_total))
        return findings

    def _judge_hole(self, part: PartitionView) -> list[Finding]:
        offset = part.hole_at()
        if offset is None:
            self._holes.pop(part.key, None)
            return []
        previous, checks = self._holes.get(part.key, (offset, 0))
        checks = checks + 1 if previous == offset else 1
        if checks < self.patience:
            self._holes[part.key] = (offset, checks)
            return []
        self._holes.pop(part.key, None)
        kind, action = part.stall_at(offset)
        return [Finding(kind, action, part.topic, part.partition, offset)]

    def _judge_fetching(self, part: PartitionView, delivered_total: int) -> list[Finding]:
        waiting = part.has_unread and (part.lowest_in_flight is None)
        if not waiting:
            self._unfetched.pop(part.key, None)
            return []
        read, delivered, checks = self._unfetched.get(part.key, (part.read, delivered_total, 0))
        if read != part.read:
            # It moved: a fresh start.
            self._unfetched[part.key] = (part.read, delivered_total, 1)
            return []
        checks += 1
        # A paused partition is judged like a hole. An unpaused one that merely received
        # nothing for a while may be waiting its turn in the fetcher (records come in
        # per-partition batches), so it must go unread ten times longer before it counts.
        if checks < (self.patience if part.paused else self.patience * UNPAUSED_PATIENCE_FACTOR):
            self._unfetched[part.key] = (read, delivered, checks)
            return []
        self._unfetched.pop(part.key, None)
        if not part.paused and delivered_total == delivered:
            # Nothing at all was delivered meanwhile: the fetcher is idle or blocked (a full
            # queue is backpressure, not a stall), so this partition is not singled out.
            return []
        action = Action.RESUME if part.paused else Action.NONE
        return [Finding(StallKind.NOT_FETCHED, action, part.topic, part.partition, part.read)]
