"""The control follower's record of closes and its wait (the broker side runs in integration)."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta, timezone

from hub.kafka.control_follower import ControlFollower


def close(period: str, cutoff: str) -> bytes:
    return json.dumps({"kind": "close_period", "period": period, "cutoff": cutoff}).encode()


def test_the_first_close_of_a_period_stands_and_other_records_are_ignored():
    follower = ControlFollower()
    follower.apply(close("2026Q1", "2026-04-02T00:00:00+00:00"))
    follower.apply(close("2026Q1", "2026-05-01T00:00:00+00:00"))
    follower.apply(b"not json")
    follower.apply(json.dumps({"kind": "something_else"}).encode())
    assert follower.closes == {"2026Q1": "2026-04-02T00:00:00+00:00"}


def test_read_past_waits_for_the_reader_and_never_for_the_future():
    follower = ControlFollower()

    async def scenario() -> list[str]:
        done: list[str] = []
        past = datetime.now(timezone.utc) - timedelta(seconds=1)
        waiter = asyncio.create_task(follower.read_past(past))
        # One turn of the loop runs the waiter's first check; every later check reads the same
        # read_until, so a waiter still pending now stays pending until read_until moves.
        await asyncio.sleep(0)
        done.append("waiting" if not waiter.done() else "returned early")
        follower.read_until = datetime.now(timezone.utc)
        await asyncio.wait_for(waiter, 2)
        # A time far ahead waits only until the reader has caught up with now.
        follower.read_until = datetime.now(timezone.utc) + timedelta(seconds=1)
        await asyncio.wait_for(follower.read_past(datetime(2030, 1, 1, tzinfo=timezone.utc)), 2)
        done.append("future returned")
        return done

    follower.read_until = datetime.now(timezone.utc) - timedelta(minutes=1)
    assert asyncio.run(scenario()) == ["waiting", "future returned"]


def test_a_waiter_starts_the_next_round_at_once():
    """An entry waiting for hub.control holds up the turnover stage: its round starts now, not
    at the next once-a-second poll."""
    follower = ControlFollower()
    follower.read_until = datetime.now(timezone.utc) - timedelta(minutes=1)

    async def scenario() -> tuple[float, float]:
        loop = asyncio.get_running_loop()
        started = loop.time()
        await follower.next_round(poll_seconds=0.5)  # nobody waits: the full interval
        unasked = loop.time() - started
        waiter = asyncio.create_task(follower.read_past(datetime.now(timezone.utc)))
        await asyncio.sleep(0)
        started = loop.time()
        await follower.next_round(poll_seconds=30)
        asked = loop.time() - started
        waiter.cancel()
        return unasked, asked

    unasked, asked = asyncio.run(scenario())
    assert unasked >= 0.45 and asked < 5, (unasked, asked)
