"""The worker's fetches on the real broker (hub/kafka/faust_speedups.py, 2.): held for a batch
while records flow, a long poll once a fetch comes back empty."""

from __future__ import annotations

import asyncio

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from hub.kafka.faust_speedups import _pace
from tests.support.kafka import create_topic

pytestmark = pytest.mark.integration

HELD = (1_048_576, 20)
LONG_POLL = (1, 1500)  # faust's, as the worker's consumer is made


async def _fetches_around_a_burst(bootstrap: str) -> list[tuple[int, int, bool]]:
    """(min bytes, max wait ms, brought records) of each fetch: quiet, ten records, quiet again."""
    topic = await create_topic(bootstrap, "pacing", 2)
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=topic, auto_offset_reset="earliest",
                                fetch_min_bytes=LONG_POLL[0], fetch_max_wait_ms=LONG_POLL[1])
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await consumer.start()
    await producer.start()
    fetches: list[tuple[int, int, bool]] = []
    try:
        fetcher = consumer._fetcher
        _pace(fetcher, *HELD)
        paced = fetcher._proc_fetch_request

        async def recorded(assignment, node_id, request):  # type: ignore[no-untyped-def]
            brought = await paced(assignment, node_id, request)
            fetches.append((request._min_bytes, request._max_wait_ms, brought))
            return brought

        fetcher._proc_fetch_request = recorded
        while not consumer.assignment() or not any(not brought for *_, brought in fetches):
            await consumer.getmany(timeout_ms=200)  # a quiet topic: a long poll comes back empty
        for n in range(10):
            await producer.send_and_wait(topic, f"record {n}".encode(), partition=n % 2)
        got = 0
        while got < 10:
            got += sum(len(records) for records in (await consumer.getmany(timeout_ms=500)).values())
        while not any(not brought for *params, brought in fetches if tuple(params) == HELD):
            await consumer.getmany(timeout_ms=200)  # until a held fetch came back empty
    finally:
        await producer.stop()
        await consumer.stop()
    return fetches


def test_a_fetch_is_held_for_a_batch_after_records_and_a_long_poll_after_none(kafka_bootstrap: str):
    fetches = asyncio.run(asyncio.wait_for(_fetches_around_a_burst(kafka_bootstrap), 120))
    for (_, _, brought), (min_bytes, max_wait_ms, _) in zip(fetches, fetches[1:], strict=False):
        assert (min_bytes, max_wait_ms) == (HELD if brought else LONG_POLL)
    assert any(brought for *params, brought in fetches if tuple(params) == LONG_POLL), "the burst woke a long poll"
    assert any(not brought for *params, brought in fetches if tuple(params) == HELD), "a held fetch came back empty"
