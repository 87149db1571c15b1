"""Talking to the real broker from tests: publish partner payloads, read a topic back."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition


@dataclass(frozen=True)
class Record:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: dict[str, bytes]
    timestamp_ms: int


async def create_topic(bootstrap: str, prefix: str, partitions: int) -> str:
    """A new topic named `prefix-<random>`, with `partitions` and one replica; its name."""
    import uuid

    from aiokafka.admin import AIOKafkaAdminClient, NewTopic

    topic = f"{prefix}-{uuid.uuid4().hex[:8]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=1)])
    finally:
        await admin.close()
    return topic


async def publish(bootstrap: str, topic: str, payloads: list[bytes], *, subject: str | None = None, partner: str | None = None) -> None:
    """Send payloads in order with null keys (partners may send none), like `hub publish`
    (`partner`: the hub-partner header, the partner the records are sent for)."""
    headers = ([("hub-subject", subject.encode())] if subject else []) + ([("hub-partner", partner.encode())] if partner else [])
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        for payload in payloads:
            await producer.send_and_wait(topic, value=payload, headers=headers or None)
    finally:
        await producer.stop()


async def read_topic(bootstrap: str, topic: str, *, expect: int | None = None, timeout: float = 30.0, quiet: float = 1.5) -> list[Record]:
    """Every record of `topic`, from the beginning of each partition.

    Stops when `expect` records were read, or when nothing new arrived for `quiet`
    seconds after reaching the end offsets seen at the start.
    """
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, auto_offset_reset="earliest")
    await consumer.start()
    records: list[Record] = []
    try:
        partitions = consumer.partitions_for_topic(topic)
        deadline = time.monotonic() + 10
        while not partitions and time.monotonic() < deadline:
            await consumer._client.force_metadata_update()
            partitions = consumer.partitions_for_topic(topic)
            if not partitions:
                await asyncio.sleep(0.2)
        tps = [TopicPartition(topic, p) for p in sorted(partitions or [])]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        started = time.monotonic()
        last_new = started
        while time.monotonic() - started < timeout:
            batch = await consumer.getmany(timeout_ms=300)
            for messages in batch.values():
                for m in messages:
                    records.append(Record(m.topic, m.partition, m.offset, m.key, m.value, {k: v for k, v in m.headers}, m.timestamp))
                last_new = time.monotonic()
            if expect is not None and len(records) >= expect:
                break
            if expect is None and time.monotonic() - last_new > quiet:
                ends = await consumer.end_offsets(tps)
                positions = {tp: await consumer.position(tp) for tp in tps}
                if all(positions[tp] >= ends[tp] for tp in tps):
                    break
        return records
    finally:
        await consumer.stop()
