"""The worker's consumer is paced (hub/kafka/faust_speedups.py, 2.): after a fetch that brought
records the broker holds the next for HUB_FETCH_MIN_BYTES or HUB_FETCH_WAIT_MS; after an empty one
it is faust's long poll again. On the real broker: tests/integration/test_fetch_pacing.py."""

from __future__ import annotations

import pytest

from hub.kafka.faust_speedups import _pace

pytestmark = pytest.mark.service


class _Fetcher:
    """aiokafka's fetcher as `_pace` sees it: the next request's settings, and the step that
    processes a fetch's answer (here: the answers given, records or none)."""

    def __init__(self, answers: list[bool]) -> None:
        self._fetch_min_bytes, self._fetch_max_wait_ms = 1, 1500
        self.answers = answers
        self.sent: list[tuple[int, int]] = []

    async def _proc_fetch_request(self, assignment, node_id, request) -> bool:  # type: ignore[no-untyped-def]
        return self.answers.pop(0)

    async def close(self) -> None:
        """As the consumer's stop calls it."""

    async def fetch(self) -> bool:
        self.sent.append((self._fetch_min_bytes, self._fetch_max_wait_ms))
        return await self._proc_fetch_request(None, 0, None)


async def test_records_hold_the_next_fetch_and_an_empty_answer_brings_back_the_long_poll():
    fetcher = _Fetcher([False, True, True, False, False, True])
    _pace(fetcher, 1_048_576, 20)
    answers = [await fetcher.fetch() for _ in range(6)]
    assert answers == [False, True, True, False, False, True], "the answers are passed on"
    assert fetcher.sent == [(1, 1500), (1, 1500), (1_048_576, 20), (1_048_576, 20), (1, 1500), (1, 1500)]


async def test_the_worker_consumer_is_paced_with_the_settings_only_in_a_hub_app(monkeypatch):
    import aiokafka
    import faust

    from hub.app import create_app
    from hub.config import Settings

    async def start_without_a_broker(consumer) -> None:  # type: ignore[no-untyped-def]
        consumer._fetcher = _Fetcher([True, False])  # what aiokafka's start makes, and no broker

    monkeypatch.setattr(aiokafka.AIOKafkaConsumer, "start", start_without_a_broker)
    hub_app = create_app(Settings.from_env({"HUB_APP_ID": "svc-fetch", "HUB_KAFKA_BOOTSTRAP": "127.0.0.1:1",
                                            "HUB_STORE": "memory://", "HUB_FETCH_WAIT_MS": "35", "HUB_FETCH_MIN_BYTES": "1000"}))
    plain_app = faust.App("svc-plain-fetch", broker="kafka://127.0.0.1:1", store="memory://")
    for app, after_records in ((hub_app, (1000, 35)), (plain_app, (1, 1500))):
        thread = app.consumer._thread  # made with the consumer, not started
        consumer = thread._create_worker_consumer(app.transport)
        try:
            await consumer.start()
            fetcher = consumer._fetcher
            assert await fetcher.fetch() is True
            assert await fetcher.fetch() is False
            # The hub's app holds the fetch after records; a plain faust app keeps its long poll.
            assert fetcher.sent == [(1, 1500), after_records]
            assert (fetcher._fetch_min_bytes, fetcher._fetch_max_wait_ms) == (1, 1500)
        finally:
            await consumer.stop()
            thread.thread_loop.close()
