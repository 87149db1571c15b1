"""Agents taking records in batches handle them as faust would one by one (hub/agents/batches.py)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from faust.streams import current_event

from hub.agents.batches import each_record

pytestmark = pytest.mark.service


class FlowControl:
    def __init__(self) -> None:
        self.active = True

    def is_active(self) -> bool:
        return self.active


class Unacked(list):
    """The consumer's unacknowledged messages (a WeakSet in faust; fakes are not hashable)."""

    def discard(self, message) -> None:
        if message in self:
            self.remove(message)


def make_app(*tracked_events):
    return SimpleNamespace(consumer_generation_id=3, flow_control=FlowControl(),
                           consumer=SimpleNamespace(_unacked_messages=Unacked(e.message for e in tracked_events)))


class Event:
    """What each_record reads of faust's Event (which, like this, can be referred to weakly)."""

    def __init__(self, offset: int, generation: int) -> None:
        self.message = SimpleNamespace(offset=offset, generation_id=generation)
        self.value = offset


event = Event


class Queue:
    def __init__(self, stream) -> None:
        self.stream = stream

    def empty(self) -> bool:
        return not self.stream.waiting


class Stream:
    """A stream with acks off as each_record reads it: `batches` are what is waiting in its queue
    at a time; `between` changes the app before each batch after the first."""

    def __init__(self, app, batches, between=None) -> None:
        self.app, self.batches, self.between = app, batches, between
        self.channel = SimpleNamespace(queue=Queue(self))
        self.waiting: list = []
        self.acked: list[int] = []

    def noack(self):
        return self

    async def events(self):
        for n, batch in enumerate(self.batches):
            if n and self.between:
                self.between(self.app)
            self.waiting = list(batch)
            while self.waiting:
                yield self.waiting.pop(0)

    async def ack(self, event) -> None:
        self.acked.append(event.message.offset)


async def handled(stream, app) -> list[tuple[int, int]]:
    """(offset, offset of faust's current event) for each record the agent body sees; every
    record of a batch is acknowledged only after the whole batch was handled."""
    seen = []
    async for record in each_record(stream, app):
        seen.append((record.message.offset, current_event().message.offset))
        assert record.message.offset not in stream.acked
    return seen


async def test_every_record_is_the_current_event_while_it_is_handled():
    app = make_app()
    stream = Stream(app, [[event(1, 3), event(2, 3)], [event(3, 3)]])
    assert await handled(stream, app) == [(1, 1), (2, 2), (3, 3)]
    assert stream.acked == [1, 2, 3]


async def test_records_of_an_older_generation_are_skipped_as_faust_skips_them():
    """A rebalance between two batches: what the second still holds from before it is someone
    else's to handle now (or read again after faust's seek)."""
    app = make_app()

    def rebalance(app) -> None:
        app.consumer_generation_id = 4

    stream = Stream(app, [[event(1, 3)], [event(2, 3), event(3, 4)]], between=rebalance)
    assert [offset for offset, _ in await handled(stream, app)] == [1, 3]
    assert stream.acked == [1, 3]  # the skipped record is never acknowledged


async def test_nothing_is_handled_while_flow_control_is_off():
    app = make_app()

    def suspend(app) -> None:
        app.flow_control.active = False

    skipped = event(2, 3)
    app.consumer._unacked_messages.append(skipped.message)  # tracked when taken, as faust does
    stream = Stream(app, [[event(1, 3)], [skipped]], between=suspend)
    assert [offset for offset, _ in await handled(stream, app)] == [1]
    # Released, or a revoke's wait_empty would wait for it forever.
    assert skipped.message not in app.consumer._unacked_messages
    # Skipped during recovery (this generation, flow off): acknowledged at the batch's end, when
    # flow may be on again, it would be committed unhandled (the fault soak's loss).
    assert stream.acked == [1]


class ArrivingStream(Stream):
    """Records that arrive over time: (seconds after the previous arrival, record)."""

    def __init__(self, app, arrivals) -> None:
        super().__init__(app, [])
        self.arrivals = arrivals

    async def events(self):
        import asyncio

        async def arrive():
            for delay, record in self.arrivals:
                await asyncio.sleep(delay)
                self.waiting.append(record)

        arriving = asyncio.ensure_future(arrive())
        try:
            for _ in self.arrivals:
                while not self.waiting:
                    await asyncio.sleep(0.001)
                yield self.waiting.pop(0)
        finally:
            arriving.cancel()


async def batch_offsets(stream, app, linger: float) -> list[list[int]]:
    from hub.agents.batches import each_batch

    found = []
    async for batch in each_batch(stream, app, linger=linger):
        found.append([e.message.offset for e in batch.events if batch.take(e)])
    return found


async def test_a_record_arriving_while_the_agent_lingers_joins_the_batch():
    arrivals = [(0, event(1, 3)), (0.01, event(2, 3)), (0.3, event(3, 3))]
    app = make_app()
    # Without lingering each record is a batch of its own; with 100 ms the second (10 ms
    # later) joins the first, and the third (300 ms later) starts the next batch.
    assert await batch_offsets(ArrivingStream(app, arrivals), app, linger=0) == [[1], [2], [3]]
    assert await batch_offsets(ArrivingStream(app, arrivals), app, linger=0.1) == [[1, 2], [3]]
