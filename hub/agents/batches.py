"""Agents read their streams a batch at a time, and handle each record as faust would one by one.

faust hands a per-record agent its records one loop turn at a time, and every turn lets
aiokafka's sender ship the one or two records sent since the last (2-3 records per produce
request against 40 for a plain aiokafka loop: docs/research/faust-throughput.md). Here an agent
first takes every record already waiting in its stream's queue (up to `BATCH_RECORDS`), then
handles them one after the other: their sends go out together, since nothing in between yields
once the producer has started (hub/kafka/faust_speedups.py).

When the queue runs dry before the batch is full, the agent waits once, up to `linger` seconds
(`HUB_BATCH_LINGER_MS`, 20 ms by default), for more records, as Kafka's producer lingers to fill
a batch. Thin traffic handled a record at a time cost about three times the CPU per record that
batches cost (caches go cold between records on a small shared machine; tests/perf/spaced_messages.py),
so that at half its full-speed rate a worker was 85% busy and fell behind in the heavier
stretches. Measured (`hub bench --shipments 1000 --clean`, docs/research/faust-throughput.md):
at 100 messages/s p99 to timeline 17.5-18.8 s without, 226 ms with 20 ms; at 160 messages/s
2.7 s and 343 ms; at full speed 1,031 and 1,284 events/s, 38.0 and 31.1 worker CPU seconds.
A record waits at most `linger` per hop more; 0 turns it off.

(faust's own `Stream.take_events` froze every agent of a worker after its first batch when
all five used it; this takes from the stream as a per-record agent does, with acks off.)

What per-record iteration guarantees is kept, record by record:
- faust's current event is the record being handled, so a table written while handling it
  writes the changelog partition of that record's partition, as in per-record iteration;
- a record of an older consumer generation (fetched before a rebalance), or one met while
  flow control is off (during a rebalance), is skipped unhandled, as faust's stream iterator
  skips it; its acknowledgement is refused (hub/kafka/faust_fixes.py, fix 4), so it is read
  again by whoever owns its partition now;
- a record is acknowledged only after every record of its batch was handled, so a crash
  mid-batch leaves the whole batch to be read again: at least once, as before; a record
  skipped is never acknowledged (the delivery ledger holds commits before it until it is read
  again).
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator, Iterator
from typing import Any

import faust
from faust.streams import _current_event

# At most this many records in a batch: faust's own `broker_max_poll_records`.
BATCH_RECORDS = 500


class Batch:
    """The records waiting in a stream at one time, handed to an agent to handle in any grouping.

    `take(event)` before handling each record: False for a record to skip (see above), which is
    released; True makes it faust's current event and marks it handled. Every record taken is
    acknowledged once the agent asks for the next batch.
    """

    def __init__(self, app: faust.App, events: list[faust.EventT]) -> None:
        self.app = app
        self.events = events
        self.handled: list[faust.EventT] = []

    def take(self, event: faust.EventT) -> bool:
        message = event.message
        if not self.app.flow_control.is_active() or message.generation_id != self.app.consumer_generation_id:
            # Never acknowledged: acknowledged at the end of the batch, a record skipped during
            # recovery (flow off, this generation) would be accepted once flow is back on and
            # committed unhandled. faust's iterator never tracks a record it skips; this one
            # was tracked when taken, so it is released now, or a revoke's `wait_empty` would
            # wait for it forever (a worker froze so in tests/integration/test_cluster.py).
            self.app.consumer._unacked_messages.discard(message)
            return False
        self.make_current(event)
        self.handled.append(event)
        return True

    @staticmethod
    def make_current(event: faust.EventT) -> None:
        """Make a record taken faust's current event again: a table written now writes the
        changelog partition of that record's partition (an agent that handles its records
        after taking them all, hub/agents/timeline.py)."""
        # As faust's stream iterator does: set, never reset (the next record replaces it).
        _current_event.set(weakref.ref(event))


# A key's state not read yet in this batch (None is a state: a new key).
_UNREAD = object()


class KeyState:
    """One key's table value over its records of a batch: read once, written once.

    The agent alone writes the key, so what it read stays true for the batch. The read waits
    for a record of the key to be taken: faust's RocksDB store reads the partition of the
    current event, and before that the current event is another key's (another partition's).
    The write happens while the key's last record taken is the current event: its changelog
    partition.
    """

    def __init__(self, table: faust.types.TableT, key: bytes) -> None:
        self.table = table
        self.key = key
        self.state: Any = None
        self._before: Any = _UNREAD

    def taken(self, batch: Batch, events: list[faust.EventT]) -> Iterator[faust.EventT]:
        """The key's records to handle (see `Batch.take`), its state read before the first."""
        for event in events:
            if not batch.take(event):
                continue  # of an older generation, or met during a rebalance: read again by its owner
            if self._before is _UNREAD:
                self._before = self.state = self.table.get(self.key)
            yield event

    def write(self) -> None:
        """Store the state if a record changed it."""
        if self._before is not _UNREAD and self.state != self._before:
            self.table[self.key] = self.state


def by_key(events: list[faust.EventT]) -> dict[bytes, list[faust.EventT]]:
    """A batch's records per key, each key's in their order: for one state read and write per key."""
    grouped: dict[bytes, list[faust.EventT]] = {}
    for event in events:
        grouped.setdefault(event.key, []).append(event)
    return grouped


async def each_batch(stream: faust.StreamT, app: faust.App, *, records: int = BATCH_RECORDS,
                     linger: float = 0.0) -> AsyncIterator[Batch]:
    """The records of `stream` in batches of what is waiting (at most `records`), after waiting
    once up to `linger` seconds for more when the queue runs dry (see the module doc)."""
    manual = stream.noack()
    queue = manual.channel.queue
    waiting: list[faust.EventT] = []
    lingered = False
    async for event in manual.events():
        waiting.append(event)
        if len(waiting) < records and not queue.empty():
            continue
        if linger > 0 and not lingered and len(waiting) < records:
            lingered = True
            await asyncio.sleep(linger)
            if not queue.empty():
                continue  # what came meanwhile joins the batch
        lingered = False
        batch = Batch(app, waiting)
        yield batch
        for taken in batch.handled:
            await manual.ack(taken)
        waiting = []


async def each_record(stream: faust.StreamT, app: faust.App, *, records: int = BATCH_RECORDS,
                      linger: float = 0.0) -> AsyncIterator[faust.EventT]:
    """Every event of `stream`, in batches of what is waiting, with faust's current event set to it."""
    async for batch in each_batch(stream, app, records=records, linger=linger):
        for event in batch.events:
            if batch.take(event):
                yield event
