"""The stage clock counts a stage's own steps on the event loop: not its waits, not the stages inside it."""

from __future__ import annotations

import asyncio

import pytest

from hub.agents.stage_time import StageClock

pytestmark = pytest.mark.unit


class FakeClock:
    """A clock that only moves when a test moves it."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_only_the_steps_count_not_the_time_spent_waiting() -> None:
    fake, seen = FakeClock(), []
    clock = StageClock(lambda stage, seconds, records: seen.append((stage, seconds)), fake)

    async def other_stage() -> None:
        fake.now += 100.0  # runs while the timed work waits: not its time

    async def work() -> str:
        fake.now += 1.0
        waiting = asyncio.ensure_future(other_stage())
        await asyncio.sleep(0)
        await waiting
        fake.now += 2.0
        return "done"

    assert asyncio.run(_await(clock.timed("timeline", work()))) == "done"
    assert seen == [("timeline", 3.0)]


def test_a_stage_inside_another_is_counted_for_itself_and_taken_out_of_the_outer_one() -> None:
    fake, seen = FakeClock(), {}
    clock = StageClock(lambda stage, seconds, records: seen.__setitem__(stage, seconds), fake)

    async def settle() -> int:
        fake.now += 4.0
        await asyncio.sleep(0)
        fake.now += 1.0
        return 7

    async def timeline() -> int:
        fake.now += 2.0
        owed = await clock.timed("settle", settle())
        fake.now += 3.0
        return owed

    assert asyncio.run(_await(clock.timed("timeline", timeline()))) == 7
    assert seen == {"settle": 5.0, "timeline": 5.0}


def test_an_error_is_counted_and_raised_and_a_cancellation_reaches_the_work() -> None:
    fake, seen = FakeClock(), []
    clock = StageClock(lambda stage, seconds, records: seen.append((stage, seconds)), fake)

    async def fails() -> None:
        fake.now += 1.5
        raise ValueError("bad record")

    with pytest.raises(ValueError, match="bad record"):
        asyncio.run(_await(clock.timed("identify", fails())))
    assert seen == [("identify", 1.5)]

    cleaned = []

    async def waits() -> None:
        try:
            await asyncio.sleep(3600)
        finally:
            cleaned.append(True)

    async def cancel() -> None:
        task = asyncio.ensure_future(_await(clock.timed("turnover", waits())))
        await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(cancel())
    assert cleaned == [True] and seen[-1][0] == "turnover"


async def _await(awaitable):
    return await awaitable
