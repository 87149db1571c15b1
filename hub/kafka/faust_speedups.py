"""Changes to faust's per-record publishing path that keep what it does and drop a needless wait.

Applied once by `hub.app.create_app`, to faust-streaming 0.15.3 / mode-streaming 0.7.1. Unlike
hub/kafka/faust_fixes.py these fix no loss; they let aiokafka batch (issue 15, measured in
docs/research/faust-throughput.md).

1. Every `Topic.send`, `send_soon` and table changelog write asks `App.maybe_start_producer()`
   for the producer, and that method is wrapped in mode's `@stampede`, which awaits
   `asyncio.sleep(0)` three times per call even when the producer started long ago. Each of
   those yields lets aiokafka's sender ship what it has, so a stage that sends 500 records in a
   row ships them as 2-3 record ProduceRequests instead of one per partition (measured: 2.6 ->
   125 records per request, 3.1x events per CPU second inside `take()`). Fix: a producer that
   has started is returned at once; before that, and under exactly-once (where faust hands out
   the transaction manager instead), faust's own path runs.

2. faust has its worker's consumer ask the broker for records with aiokafka's `fetch_min_bytes`
   of 1 and a wait of 1.5 s: the broker answers a fetch as soon as one record is there. Under
   steady traffic below full speed that is a fetch for every few records (at 455 messages/s,
   1,000 shipments: 167 fetches a second, 12 records each), and each fetch names every
   partition the worker reads (about 70), is built and parsed in faust's consumer thread, and
   handed over to the event loop: that thread took 4.4 of the worker's 26.5 CPU seconds there,
   against 1.0 of 17.7 at full speed. Fix (`fetch_in_batches`, `_pace`): while fetches bring
   records, the broker holds the next until `HUB_FETCH_MIN_BYTES` (1 MiB) are there or
   `HUB_FETCH_WAIT_MS` (20 ms) have passed; once one comes back empty, faust's long poll again
   (one byte, 1.5 s), so an idle worker does not fetch 50 times a second and the first record
   after a quiet spell is answered at once. At full speed the bytes come first and nothing
   changes; below it a record waits at most the wait per hop. At 455 messages/s, alternating
   runs, the worker spent 23.0-23.5 CPU seconds instead of 26.6-26.9, p50 partner record ->
   timeline 227-244 ms instead of 275-286 (docs/research/faust-throughput.md). The settings are
   the fetcher's, not a node's: with several brokers the last fetch to come back sets them for
   the next to any, which only moves a fetch between the two ways, both correct.
"""

from __future__ import annotations

from typing import Any

import faust
from faust.topics import Topic
from faust.transport.drivers.aiokafka import AIOKafkaConsumerThread

_PATCHED = "_hub_speedups_applied"
# (min bytes, max wait ms) of an app's worker consumer's fetches, set by `fetch_in_batches`.
_FETCH = "_hub_fetch"


def apply() -> None:
    if getattr(Topic, _PATCHED, False):
        return
    _started_producer_without_yielding()
    _worker_consumer_fetches_as_set()
    setattr(Topic, _PATCHED, True)


def _started_producer_without_yielding() -> None:
    stampeded = Topic._get_producer

    async def _get_producer(self: Topic) -> Any:
        app = self.app
        producer = app.producer
        if not app.in_transaction and producer.started:
            return producer
        return await stampeded(self)

    Topic._get_producer = _get_producer  # type: ignore[method-assign]


def fetch_in_batches(app: faust.App, min_bytes: int, max_wait_ms: int) -> None:
    """While records flow, the broker holds `app`'s worker's fetches until `min_bytes` are there
    or `max_wait_ms` have passed (2.)."""
    setattr(app, _FETCH, (min_bytes, max_wait_ms))


def _worker_consumer_fetches_as_set() -> None:
    create = AIOKafkaConsumerThread._create_worker_consumer

    def _create_worker_consumer(self: AIOKafkaConsumerThread, transport: Any) -> Any:
        consumer = create(self, transport)
        fetch = getattr(self.app, _FETCH, None)
        if fetch is not None:
            start = consumer.start

            async def start_paced() -> None:
                await start()  # makes the consumer's fetcher (aiokafka 0.14)
                _pace(consumer._fetcher, *fetch)

            consumer.start = start_paced
        return consumer

    AIOKafkaConsumerThread._create_worker_consumer = _create_worker_consumer  # type: ignore[method-assign]


def _pace(fetcher: Any, min_bytes: int, max_wait_ms: int) -> None:
    """After each fetch: held for `min_bytes` or `max_wait_ms` if it brought records, a long poll
    as it was made (faust's one byte, 1.5 s) if not. aiokafka's fetcher builds every request
    from its `_fetch_min_bytes` and `_fetch_max_wait_ms`, and runs `_proc_fetch_request` for each,
    which answers whether records (or errors to hand on) came."""
    idle = (fetcher._fetch_min_bytes, fetcher._fetch_max_wait_ms)
    process = fetcher._proc_fetch_request

    async def _proc_fetch_request(assignment: Any, node_id: int, request: Any) -> bool:
        brought = await process(assignment, node_id, request)
        fetcher._fetch_min_bytes, fetcher._fetch_max_wait_ms = (min_bytes, max_wait_ms) if brought else idle
        return brought

    fetcher._proc_fetch_request = _proc_fetch_request
