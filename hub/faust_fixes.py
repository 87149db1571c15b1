"""Work-arounds for faust-streaming behaviours that lose or stall messages. Applied once, by hub.app.

Found with two workers and with a worker killed and restarted mid-stream
(tests/integration/test_timeline_e2e.py): messages fetched around a rebalance or a start-up
were never processed, and either their offsets were committed anyway (lost) or the
partition's commits stopped behind them (stalled).

Why: while flow control is paused (recovery, rebalances), and for events fetched under a
previous consumer generation, faust's stream skips the events it has already fetched
(streams.py). faust seeks each partition back to its committed offset only once, before it
resumes flow control, so events fetched between that seek and the resume are skipped and
never read again; depending on the path they are acknowledged (their offsets committed
without processing) or not (and the head-gap check holds every later commit).

The fixes:
1. A skipped event's ack is not recorded, and once flow resumes the consumer seeks that
   partition back to the lowest skipped offset, so the event is read and processed. Events
   read twice are harmless: every stage re-emits the same outputs for a repeat.
2. A partition with no committed offset is sought to its earliest offset when faust seeks
   to committed offsets (aiokafka's seek_to_committed skips such a partition).
3. `Consumer._new_offset` commits nothing while the lowest acknowledged offset is above the
   committed one (faust's check is off by one and skipped for None or 0).
"""

from __future__ import annotations

import asyncio
from typing import Any

from faust.transport.consumer import Consumer
from faust.utils.functional import consecutive_numbers

from hub.logs import log

_PATCHED = "_hub_offset_fixes_applied"


def apply() -> None:
    if getattr(Consumer, _PATCHED, False):
        return
    original_ack = Consumer.ack
    original_perform_seek = Consumer.perform_seek

    def ack(self: Consumer, message: Any) -> bool:
        generation = getattr(message, "generation_id", None)
        current = getattr(self.app, "consumer_generation_id", None)
        stale = generation is not None and current is not None and generation != current
        if stale or not self.app.flow_control.is_active():
            _read_again_later(self, message.tp, message.offset)
            return False
        return original_ack(self, message)

    def _read_again_later(self: Consumer, tp: Any, offset: int) -> None:
        pending: dict = self.__dict__.setdefault("_hub_skipped", {})
        pending[tp] = min(offset, pending.get(tp, offset))
        task = self.__dict__.get("_hub_reseek_task")
        if task is None or task.done():
            self.__dict__["_hub_reseek_task"] = asyncio.ensure_future(_reseek_when_flowing(self))

    async def _reseek_when_flowing(self: Consumer) -> None:
        pending: dict = self.__dict__["_hub_skipped"]
        while pending:
            while not (self.app.flow_control.is_active() and self.flow_active):
                await asyncio.sleep(0.05)
            # Let the stream drain what it fetched under the old generation first.
            await asyncio.sleep(0.2)
            for tp in list(pending):
                offset = pending.pop(tp)
                if tp in self.assignment():
                    log.info("skipped_events_read_again", topic=tp.topic, partition=tp.partition, offset=offset)
                    await self.seek(tp, offset)
                # Not ours any more: its new owner starts from the committed offset,
                # which never passed the skipped event.

    async def perform_seek(self: Consumer) -> None:
        await original_perform_seek(self)
        never_committed = [tp for tp in self.assignment() if self._committed_offset.get(tp) is None]
        if never_committed:
            earliest = await self.earliest_offsets(*never_committed)
            for tp, offset in earliest.items():
                if offset is not None and offset >= 0:
                    await self.seek(tp, offset)

    def _new_offset(self: Consumer, tp: Any) -> int | None:
        acked = self._acked[tp]
        if not acked:
            return None
        gap_for_tp = self._gap[tp]
        if gap_for_tp:
            # Offsets faust knows are absent (compaction, transaction markers) count as done.
            highest = max(acked)
            candidates = sorted(gap_for_tp.overlap(0, highest), key=lambda x: x.begin)
            if candidates:
                filler: list[int] = []
                for entry in candidates:
                    filler.extend(range(entry.begin, entry.end))
                acked.extend(filler)
                gap_for_tp.chop(0, max(filler[-1], highest + 1))
        acked.sort()
        committed = self._committed_offset[tp]
        if committed is not None and acked[0] > committed:
            return None  # an earlier offset is not processed yet: commit nothing
        batch = next(consecutive_numbers(acked))
        acked[: len(batch)] = []
        self._acked_index[tp].difference_update(batch)
        return batch[-1] + 1

    Consumer.ack = ack  # type: ignore[method-assign]
    Consumer.perform_seek = perform_seek  # type: ignore[method-assign]
    Consumer._new_offset = _new_offset  # type: ignore[method-assign]
    setattr(Consumer, _PATCHED, True)
