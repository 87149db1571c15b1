"""A work-around for a faust-streaming behaviour that loses messages. Applied once, by hub.app.

Found with a worker killed and restarted mid-stream (tests/integration/test_timeline_e2e.py):
the first messages of a partition, published while a worker was starting (table
recovery pauses the streams), were never processed, yet their offsets were committed.

While flow control is paused (start-up recovery, rebalances), faust's stream skips the
events it has already fetched but still acks them (streams.py). That is harmless where the
partition has a committed offset: when recovery ends faust seeks every stream partition
back to it and the events are read again. A partition with no committed offset yet is not
sought anywhere (aiokafka's seek_to_committed skips it), so the skipped events are gone.
The fix: after faust seeks to committed offsets, a partition with none is sought to its
earliest offset. Events read twice are harmless: every stage re-emits the same outputs.
"""

from __future__ import annotations

from faust.transport.consumer import Consumer

_PATCHED = "_hub_offset_fixes_applied"


def apply() -> None:
    if getattr(Consumer, _PATCHED, False):
        return
    original_perform_seek = Consumer.perform_seek

    async def perform_seek(self: Consumer) -> None:
        await original_perform_seek(self)
        never_committed = [tp for tp in self.assignment() if self._committed_offset.get(tp) is None]
        if never_committed:
            earliest = await self.earliest_offsets(*never_committed)
            for tp, offset in earliest.items():
                if offset is not None and offset >= 0:
                    await self.seek(tp, offset)

    Consumer.perform_seek = perform_seek  # type: ignore[method-assign]
    setattr(Consumer, _PATCHED, True)
