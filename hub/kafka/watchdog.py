"""The progress watchdog: every worker checks that each partition it reads keeps moving.

Runs as a faust timer on every worker. Each check reads faust's consumer (committed offsets,
what was delivered and acknowledged, what is queued or being processed, high watermarks,
pauses), exports it as per-partition gauges, and asks `hub.kafka.stream_health.StallTracker` what
is wrong. Findings are logged (`partition_stall`), counted in `hub_partition_stall_total{kind}`
and acted on, only outside rebalances and recovery:

- a hole is healed by seeking the partition back to its committed offset, through the
  consumer's own thread (`seek_wait`, as faust seeks);
- an unread start in a compacted topic is put to the broker (`probe`, by default
  hub/kafka/offset_probe.py): offsets it does not hold are booked as absent, so commits go on;
  a record it holds there is a hole, healed as above;
- a partition faust left paused is resumed, never sought;
- a dead fetcher makes the worker exit non-zero, so that its supervisor restarts it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import faust

from hub import metrics
from hub.kafka import faust_fixes
from hub.kafka.stream_health import Action, ConsumerView, Finding, PartitionView, StallKind, StallTracker
from hub.logs import log

# A worker whose fetcher died exits with this status (EX_SOFTWARE): its supervisor restarts it.
FETCHER_DEAD_EXIT = 70


# (topic, partition, offset) -> the offset of the first record at or after it, the end offset
# if none, None if the broker did not answer.
Probe = Callable[[str, int, int], Awaitable[int | None]]


class ProgressWatchdog:
    def __init__(self, app: faust.App, patience: int = 3, exit_process: Callable[[int], Any] = os._exit,
                 probe: Probe | None = None) -> None:
        self.app = app
        self.tracker = StallTracker(patience=patience)
        self._exit = exit_process
        self._probe = probe
        self._exported: set[tuple[str, str]] = set()

    def settled(self) -> bool:
        """No rebalance or table recovery under way, and flow is on."""
        app = self.app
        consumer = app.consumer
        return (
            not app.rebalancing
            and bool(app.tables.recovery.completed.is_set())
            and app.flow_control.is_active()
            and bool(consumer.flow_active)
        )

    def view(self) -> ConsumerView:
        app = self.app
        consumer = app.consumer
        record = faust_fixes.ledger(consumer)
        sources = sorted(
            (tp for tp in consumer.assignment() if app.topics.acks_enabled_for(tp.topic)),
            key=lambda tp: (tp.topic, tp.partition),
        )
        in_flight = _lowest_in_flight(app, consumer)
        active = consumer._active_partitions
        partitions = []
        for tp in sources:
            committed = consumer._committed_offset.get(tp)
            candidates = [o for o in (in_flight.get(tp), record.in_delivery(tp)) if o is not None]
            acked = consumer._acked.get(tp)
            partitions.append(PartitionView(
                topic=tp.topic,
                partition=tp.partition,
                committed=committed,
                lowest_unprocessed=record.unprocessed_below(tp, None, committed, consumer._acked_index[tp]),
                read=record.last(tp),
                lowest_in_flight=min(candidates) if candidates else None,
                highwater=_highwater(consumer, tp),
                paused=active is not None and tp not in active,
                lowest_acked=min(acked) if acked else None,
                contiguous=faust_fixes.is_contiguous(tp.topic),
                # A commit under way has already taken its offsets out of faust's acked list.
                start=record.next_to_commit(tp, committed),
            ))
        return ConsumerView(
            settled=self.settled(),
            fetcher_running=app._fetcher.state == "running",
            partitions=tuple(partitions),
            delivered_total=record.total,
        )

    async def check(self) -> list[Finding]:
        view = self.view()
        self.export(view)
        findings = self.tracker.observe(view)
        parts = {p.key: p for p in view.partitions}
        for finding in findings:
            await self.act(finding, parts.get((finding.topic, finding.partition)))
        return findings

    async def act(self, finding: Finding, part: PartitionView | None = None) -> None:
        metrics.PARTITION_STALLS.labels(finding.kind.value).inc()
        consumer = self.app.consumer
        # What the partition looked like, so that a stall can be explained from the log alone.
        seen = {} if part is None else {
            "committed": part.committed, "start": part.start, "read": part.read, "lowest_acked": part.lowest_acked,
            "lowest_in_flight": part.lowest_in_flight, "highwater": part.highwater, "paused": part.paused,
        }
        log.warning(
            "partition_stall", kind=finding.kind.value, topic=finding.topic or None,
            partition=finding.partition if finding.topic else None, offset=finding.offset, action=finding.action.value,
            **seen,
        )
        if finding.action is Action.EXIT:
            sys.stdout.flush()
            self._exit(FETCHER_DEAD_EXIT)
            return
        if not self.settled():
            return  # a rebalance began since the check: it seeks and resumes by itself
        tp = _find_tp(consumer, finding.topic, finding.partition)
        if tp is None:
            return  # no longer ours
        if finding.action is Action.PROBE:
            await self._prove_or_heal(tp, finding)
        elif finding.action is Action.SEEK_TO_COMMITTED:
            await self._seek_to_committed(tp, finding.offset)
        elif finding.action is Action.RESUME:
            consumer._buffered_partitions.discard(tp)
            consumer.resume_partitions({tp})

    async def _seek_to_committed(self, tp: Any, fallback: int | None) -> None:
        consumer = self.app.consumer
        committed = consumer._committed_offset.get(tp)
        target = committed if committed is not None else fallback
        if target is not None:
            await consumer.seek_wait({tp: target})
            faust_fixes.ledger(consumer).forget_position(tp)  # what comes next is no jump

    async def _prove_or_heal(self, tp: Any, finding: Finding) -> None:
        """The next offset to commit (`finding.offset`) was never delivered, later ones were
        processed: book the offsets in between as absent if the broker holds none of them,
        else read the partition again from its committed offset."""
        if self._probe is None or finding.offset is None:
            return
        consumer = self.app.consumer
        first = await self._probe(tp.topic, tp.partition, finding.offset)
        record = faust_fixes.ledger(consumer)
        acked = consumer._acked.get(tp)
        if (first is None or not acked or not self.settled() or tp not in consumer.assignment()
                or record.next_to_commit(tp, consumer._committed_offset.get(tp)) != finding.offset):
            return  # no answer, or the partition moved on meanwhile: judged again at a later check
        lowest_acked = min(acked)
        if first >= lowest_acked:
            # Nothing there: compaction removed it. faust's own `_add_gap` starts after the
            # committed offset, which is the very offset to book, so the gap is added here.
            consumer._gap[tp].addi(finding.offset, lowest_acked)
            consumer._gap[tp].merge_overlaps()
            log.info("absent_offsets_proven", topic=tp.topic, partition=tp.partition, first=finding.offset, last=lowest_acked - 1)
            return
        log.warning("unread_offsets_found", topic=tp.topic, partition=tp.partition, offset=first, lowest_acked=lowest_acked)
        await self._seek_to_committed(tp, finding.offset)

    def export(self, view: ConsumerView) -> None:
        seen: set[tuple[str, str]] = set()
        for part in view.partitions:
            labels = (part.topic, str(part.partition))
            seen.add(labels)
            metrics.PARTITION_COMMITTED.labels(*labels).set(_or_minus_one(part.committed))
            metrics.PARTITION_LOWEST_UNACKED.labels(*labels).set(_or_minus_one(part.lowest_unprocessed))
            metrics.PARTITION_READ.labels(*labels).set(_or_minus_one(part.read))
            metrics.PARTITION_HIGH_WATERMARK.labels(*labels).set(_or_minus_one(part.highwater))
            metrics.PARTITION_PAUSED.labels(*labels).set(1 if part.paused else 0)
        # A partition now read by another worker is that worker's to report.
        for labels in self._exported - seen:
            for gauge in metrics.PARTITION_GAUGES:
                try:
                    gauge.remove(*labels)
                except KeyError:
                    pass
        self._exported = seen


def _lowest_in_flight(app: faust.App, consumer: Any) -> dict[Any, int]:
    """Per partition, the lowest offset being processed or waiting in a stream's queue."""
    lowest: dict[Any, int] = {}

    def note(tp: Any, offset: int) -> None:
        if offset < lowest.get(tp, offset + 1):
            lowest[tp] = offset

    for message in list(consumer._unacked_messages):
        if not message.acked:
            note(message.tp, message.offset)
    channels = {id(c): c for chans in list(app.topics._tp_index.values()) for c in chans}
    for channel in channels.values():
        queue = getattr(channel, "queue", None)
        for item in list(getattr(queue, "_queue", ())):
            message = getattr(item, "message", item)  # an Event, or a bare Message
            tp, offset = getattr(message, "tp", None), getattr(message, "offset", None)
            if tp is not None and isinstance(offset, int):
                note(tp, offset)
    return lowest


def _highwater(consumer: Any, tp: Any) -> int | None:
    try:
        value = consumer.highwater(tp)
    except Exception:  # noqa: BLE001 - unknown until the partition's first fetch answers
        return None
    return value if isinstance(value, int) and value >= 0 else None


def _find_tp(consumer: Any, topic: str, partition: int) -> Any | None:
    for tp in consumer.assignment():
        if tp.topic == topic and tp.partition == partition:
            return tp
    return None


def _or_minus_one(value: int | None) -> int:
    return -1 if value is None else value


__all__ = ["FETCHER_DEAD_EXIT", "ProgressWatchdog", "StallKind"]
