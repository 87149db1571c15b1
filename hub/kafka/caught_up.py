"""Has the hub's consumer group processed everything written so far? For tests and tools.

Caught up means: on every topic the hub's group reads, the committed offset equals the end
offset, on two polls at least a commit interval apart with nothing new in between (a
stage's output is another stage's input, and the identity topic feeds itself, so one
equal poll can be a moment between two hops).
"""

from __future__ import annotations

import asyncio
import time

from aiokafka.errors import KafkaError

from hub import topics
from hub.config import Settings, kafka_client_options


def group_topics(settings: Settings, partner_ids: list[str]) -> list[str]:
    """Every topic the hub's consumer group reads: the pipeline's and the money stages' (a
    close goes from hub.control to hub.turnover, where entries become settlements)."""
    hub_inputs = [topics.IDENTITY, topics.SHIPMENT_EVENTS, topics.CONTROL, topics.TURNOVER]
    return [topics.partner_topic(settings, p) for p in partner_ids] + [spec.name(settings) for spec in hub_inputs]


async def lag_by_partition(settings: Settings, topic_names: list[str]) -> dict[tuple[str, int], int]:
    """(topic, partition) → end offset minus committed offset for the hub's group."""
    from aiokafka import AIOKafkaConsumer, TopicPartition
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap, **kafka_client_options(settings))
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.kafka_bootstrap, enable_auto_commit=False, **kafka_client_options(settings))
    await admin.start()
    await consumer.start()
    try:
        partitions = [
            TopicPartition(t, p) for t in topic_names for p in (consumer.partitions_for_topic(t) or await _partitions(consumer, t))
        ]
        ends = await consumer.end_offsets(partitions)
        committed = await admin.list_consumer_group_offsets(settings.app_id)
        lag = {}
        for tp in partitions:
            meta = committed.get(tp)
            done = meta.offset if meta is not None and meta.offset >= 0 else 0
            lag[(tp.topic, tp.partition)] = ends[tp] - done
        return lag
    finally:
        await consumer.stop()
        await admin.close()


async def _partitions(consumer: object, topic: str) -> set[int]:
    await consumer._client.force_metadata_update()  # type: ignore[attr-defined]
    return consumer.partitions_for_topic(topic) or set()  # type: ignore[attr-defined]


async def wait_until_caught_up(settings: Settings, partner_ids: list[str], timeout: float = 120.0) -> float:
    """Wait until the group has no lag on two polls a commit interval apart; returns seconds waited."""
    names = group_topics(settings, partner_ids)
    interval = max(settings.commit_interval * 1.5, 0.5)
    started = time.monotonic()
    previous: dict[tuple[str, int], int] | None = None
    lag: dict[tuple[str, int], int] = {}
    while time.monotonic() - started < timeout:
        try:
            lag = await lag_by_partition(settings, names)
        except (TimeoutError, KafkaError, OSError):
            # A broker that just died is still in the metadata for a few seconds: ask again.
            previous = None
            await asyncio.sleep(interval)
            continue
        if all(v == 0 for v in lag.values()):
            if previous is not None and all(v == 0 for v in previous.values()):
                return time.monotonic() - started
            previous = lag
        else:
            previous = None
        await asyncio.sleep(interval)
    behind = {f"{t}[{p}]": v for (t, p), v in lag.items() if v}
    raise TimeoutError(f"not caught up after {timeout:.0f}s; lag {behind}")
