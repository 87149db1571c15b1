"""Read a whole topic once, from the beginning of every partition to the end offsets seen at the start."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class TopicRecord:
    topic: str
    partition: int
    offset: int
    timestamp_ms: int
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...]

    def header(self, name: str) -> str | None:
        """The last value of header `name`, decoded (replacing bytes that are not UTF-8)."""
        found = None
        for key, value in self.headers:
            if key == name and value is not None:
                found = value.decode("utf-8", "replace")
        return found


async def read_all(bootstrap: str, topic: str, *, security: Mapping[str, object] | None = None) -> list[tuple[bytes | None, bytes | None]]:
    return [(r.key, r.value) for r in await read_records(bootstrap, topic, security=security)]


async def read_records(bootstrap: str, topic: str, *, security: Mapping[str, object] | None = None) -> list[TopicRecord]:
    """Every record with its partition, offset, timestamp and headers, partition by partition."""
    from aiokafka import AIOKafkaConsumer, TopicPartition

    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, auto_offset_reset="earliest", **(security or {}))
    try:
        await consumer.start()  # inside: a consumer that failed to start is stopped too, never left unclosed
        partitions = consumer.partitions_for_topic(topic)
        for _ in range(20):
            if partitions:
                break
            await consumer._client.force_metadata_update()
            partitions = consumer.partitions_for_topic(topic)
            if not partitions:
                await asyncio.sleep(0.25)
        if not partitions:
            raise LookupError(f"topic {topic} does not exist")
        tps = [TopicPartition(topic, p) for p in sorted(partitions)]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        ends = await consumer.end_offsets(tps)
        records: list[TopicRecord] = []
        while True:
            positions = {tp: await consumer.position(tp) for tp in tps}
            if all(positions[tp] >= ends[tp] for tp in tps):
                return records
            batch = await consumer.getmany(timeout_ms=500)
            for tp in sorted(batch, key=lambda t: t.partition):
                records.extend(
                    TopicRecord(m.topic, m.partition, m.offset, m.timestamp, m.key, m.value, tuple(m.headers or ()))
                    for m in batch[tp] if m.offset < ends[tp]
                )
    finally:
        await consumer.stop()


async def assign_from_beginning(consumer, topic: str) -> list:
    """Assign every partition of `topic` to a started consumer (no group), from the beginning.

    Waits for the topic's metadata: a worker may start before the topic is created.
    """
    from aiokafka import TopicPartition

    partitions = consumer.partitions_for_topic(topic)
    while not partitions:
        await consumer._client.force_metadata_update()
        partitions = consumer.partitions_for_topic(topic)
        if not partitions:
            await asyncio.sleep(0.5)
    tps = [TopicPartition(topic, p) for p in sorted(partitions)]
    consumer.assign(tps)
    await consumer.seek_to_beginning(*tps)
    return tps
