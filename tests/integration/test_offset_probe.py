"""The watchdog's broker probe (hub/kafka/offset_probe.py) on the real broker.

An offset that holds no record is made the way Kafka makes them without waiting for the log
cleaner: a transaction's commit marker takes an offset that no consumer ever sees, as a
record compacted away would.
"""

from __future__ import annotations

import asyncio

import pytest
from aiokafka import AIOKafkaProducer

from hub.kafka.offset_probe import first_offset_from
from tests.support.kafka import create_topic

pytestmark = pytest.mark.integration


async def _topic_with_a_marker(bootstrap: str) -> str:
    """Offsets: 0 a record, 1 its commit marker (no record), 2 a record, 3 its marker; the end is 4."""
    topic = await create_topic(bootstrap, "probe", 1)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, transactional_id=f"tx-{topic}", enable_idempotence=True)
    await producer.start()
    try:
        async with producer.transaction():
            await producer.send_and_wait(topic, b"first", partition=0)
        async with producer.transaction():
            await producer.send_and_wait(topic, b"after the marker", partition=0)
    finally:
        await producer.stop()
    return topic


def test_the_probe_finds_the_first_record_and_skips_offsets_that_hold_none(kafka_bootstrap: str):
    async def scenario() -> list[int | None]:
        topic = await _topic_with_a_marker(kafka_bootstrap)
        return [await first_offset_from(kafka_bootstrap, {}, topic, 0, offset) for offset in (0, 1, 2, 3, 4)]

    # From 1 the first record is 2 (1 holds none); from 3 on there is none: the end.
    assert asyncio.run(scenario()) == [0, 2, 2, 4, 4]
