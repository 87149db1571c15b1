"""Ask the broker which offset a partition really holds first, from a given offset on.

The progress watchdog's proof for a compacted topic (hub/kafka/stream_health.py, `unread_start`):
when a worker processed offsets above the next one to commit but never saw that one, either
compaction removed the records in between or the worker's fetcher went on from somewhere else.
faust's own consumer cannot tell the two apart (records it fetched before a seek look the same as
records fetched after it), so a consumer of the probe's own, with no group and nothing shared
with faust, reads the partition from that offset and reports the first record it finds.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from aiokafka import AIOKafkaConsumer, TopicPartition

# A probe is rare (a compacted partition after a rebalance or restart); a broker that does not
# answer within this time is asked again at the watchdog's next finding.
PROBE_TIMEOUT_S = 15.0


async def first_offset_from(bootstrap: str, security: Mapping[str, object], topic: str, partition: int, offset: int,
                            timeout_s: float = PROBE_TIMEOUT_S) -> int | None:
    """The offset of the first record at or after `offset`; the end offset if there is none
    (nothing exists from `offset` on); None if the broker did not answer in time."""
    tp = TopicPartition(topic, partition)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None,
                                max_poll_records=1, **dict(security))
    try:
        async with asyncio.timeout(timeout_s):
            await consumer.start()
            consumer.assign([tp])
            end = (await consumer.end_offsets([tp]))[tp]
            if end <= offset:
                return end
            consumer.seek(tp, offset)
            while True:
                batch = await consumer.getmany(tp, timeout_ms=1000)
                # A fetch returns whole record batches; records before the offset asked are skipped.
                found = [m.offset for m in batch.get(tp, ()) if m.offset >= offset]
                if found:
                    return min(found)
                if await consumer.position(tp) >= end:
                    return end  # read to the end and found nothing (a compacted tail)
    except TimeoutError:
        return None
    finally:
        await consumer.stop()
