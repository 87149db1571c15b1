"""faust's fetch loop, with one change: it delivers every record it fetched, repeats included.

faust's own loop (`faust.transport.consumer.Consumer._drain_messages`, faust-streaming 0.15.3)
drops every record below the partition's "read offset", to skip what a seek made stale. But the
read offset is shared state: a seek sets it back to the seek's target, and a batch fetched
before the seek, still being delivered (waiting for room in a stream's queue), sets it forward
again record by record. The records read again from the seek's target are then dropped up to
where the stale batch ended, and nothing reads them a third time: a hole that freezes the
partition's commits (robinhood/faust#115, faust-streaming/faust#216; the CI failures of
issue 13). A fence that skipped the stale batch instead lost records of its own (see
docs/research/faust-read-offset.md), so this loop does not judge staleness at all:

- Every record fetched is delivered. After a seek back, the records between the seek's target
  and the end of the batch in hand arrive twice. Every stage treats a repeat as such (ids are
  deterministic, tables are keyed), faust acknowledges an offset once (`Consumer.ack` keeps an
  index) and never below the committed offset, and `_should_commit` never commits backwards.
- A jump forward (offset > last delivered + 1) is recorded as faust records it, as a gap of
  absent offsets, which only compacted topics use (hub/kafka/faust_fixes.py, fix 2): a gap
  lets a commit pass those offsets. "Last delivered" is the delivery ledger's: a seek back
  followed by the stale batch's next record is no jump. A rebalance or a seek forgets it: the
  next record may come from where aiokafka stood before (it keeps a partition's position
  across a rebalance, and faust seeks only at the end of recovery), and booking the records
  in between as absent lost them in the fault soak (hub.identity and hub.turnover were
  compacted then).

One more change, for speed: a delivery that does not have to wait is not given tasks.
faust awaits every record's delivery with `wait_first(delivery, flow suspended)`, which makes
four tasks (the delivery, the flow's, the consumer's stopped and crashed events) and an
`asyncio.wait`, about a twentieth of a worker's time (issue 15). A delivery only waits when a
stream's queue is full, flow control is on or the producer's buffer is over its limit; most
complete in their first step. So the delivery's first step runs here (`_deliver`); if it has
to wait, the rest of it is awaited exactly as faust awaits the whole (`_Rest` passes what it
waits on to the task driving it, as `await` does), with the flow suspension racing it.

Everything else is faust's loop as it is: the diagnostic flag, commit_every, the periodic
yield to the event loop, and how it stops.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Generator
from typing import Any

from faust.transport.consumer import CONSUMER_FETCHING, Consumer

from hub.kafka.stream_health import DeliveryLedger

_YIELD_EVERY = 100  # records between two sleeps(0), as faust does


async def drain_every_record(consumer: Consumer, fetcher: Any, record: DeliveryLedger) -> None:
    """`Consumer._drain_messages` for `consumer`, delivering every record (see module doc)."""
    callback = consumer.callback
    consumer_should_stop = consumer._stopped.is_set
    fetcher_should_stop = fetcher._stopped.is_set
    read_offset = consumer._read_offset
    acks_enabled_for = consumer.app.topics.acks_enabled_for
    commit_every = consumer._commit_every
    set_flag, unset_flag = consumer.diag.set_flag, consumer.diag.unset_flag
    since_yield = 0
    app = consumer.app
    generation = app.consumer_generation_id
    try:
        while not (consumer_should_stop() or fetcher_should_stop()):
            set_flag(CONSUMER_FETCHING)
            batch = consumer.getmany(timeout=1.0)
            # getmany may return at once, again and again: let the rest of the loop run.
            await consumer.sleep(0)
            if consumer.should_stop:
                continue
            async for tp, message in batch:
                since_yield += 1
                if since_yield > _YIELD_EVERY:
                    await asyncio.sleep(0)
                    since_yield = 0
                offset = message.offset
                if app.consumer_generation_id != generation:
                    # A rebalance since the last record: the next one may come from where
                    # aiokafka stood before it, with the records in between fetched and dropped.
                    # That is no gap: they are read again after faust's seek.
                    generation = app.consumer_generation_id
                    record.forget_positions()
                previous = record.last(tp)
                if previous is not None and offset > previous + 1 and acks_enabled_for(message.topic):
                    await consumer._add_gap(tp, previous + 1, offset - 1)
                if commit_every is not None and consumer._n_acked >= commit_every:
                    consumer._n_acked = 0
                    await consumer.commit()
                await _deliver(consumer, callback(message))
                read_offset[tp] = offset
            unset_flag(CONSUMER_FETCHING)
    except consumer.consumer_stopped_errors:
        if consumer.transport.app.should_stop:
            consumer.log.info("Broker stopped consumer, shutting down...")
            return
        raise
    except asyncio.CancelledError:
        if consumer.transport.app.should_stop:
            consumer.log.info("Consumer shutting down for user cancel.")
            return
        raise
    except Exception as exc:
        consumer.log.exception("Drain messages raised: %r", exc)
        raise
    finally:
        unset_flag(CONSUMER_FETCHING)


async def _deliver(consumer: Consumer, delivery: Coroutine[Any, Any, None]) -> None:
    """`consumer.wait_first(delivery, consumer.suspend_flow.wait())`, without its tasks when
    the delivery completes in its first step."""
    try:
        waiting = delivery.send(None)
    except StopIteration:
        return  # delivered without waiting
    rest = asyncio.ensure_future(_Rest(delivery, waiting))
    # A task cancelled before its first step (the loop stopping) never runs the rest: close
    # the delivery, so it leaves its queue's waiters and its ledger entry as cancelled.
    rest.add_done_callback(lambda _: delivery.close())
    await consumer.wait_first(rest, consumer.suspend_flow.wait())


class _Rest:
    """A coroutine that has taken its first step, which yielded `waiting` (the future it
    waits on, or None for a bare yield): awaiting this runs it to its end, as awaiting the
    coroutine would have. What it waits on goes up to the driving task, and what the task
    sends or throws in (a result, a cancellation) goes down to the coroutine."""

    def __init__(self, coroutine: Coroutine[Any, Any, None], waiting: Any) -> None:
        self._coroutine = coroutine
        self._waiting = waiting

    def __await__(self) -> Generator[Any, None, None]:
        coroutine, waiting = self._coroutine, self._waiting
        while True:
            try:
                yield waiting
            except BaseException as thrown:  # noqa: BLE001 - everything goes down, as `await` does
                try:
                    waiting = coroutine.throw(thrown)
                except StopIteration:
                    return
                continue
            try:
                waiting = coroutine.send(None)
            except StopIteration:
                return
