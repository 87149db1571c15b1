"""Every worker's copy of the period closes on `hub.control`, and how far in time it has read.

docs/architecture.md#periods-and-closes: an input received at `r` is settled only once the
worker has read hub.control up to a wall time of at least `r`, so a close and an input never
race. This follower reads every partition of the topic with its own consumer (not a group:
every worker needs every close), like the contract registry. Each round notes the wall time,
then reads to the end offsets it fetches after that: every close published before that time
has then been read, and `read_until` moves to it.

Rounds run once a second when nobody waits, and at once (at most every `ROUND_GAP_SECONDS`)
when an entry waits for one: a waiting entry holds up the turnover stage, so the wait is what
it adds to every settlement's latency (up to a second and a half with rounds a second apart).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from datetime import datetime, timezone

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
# Rounds asked for by waiters start at most this often: each asks the broker for end offsets.
ROUND_GAP_SECONDS = 0.02
FETCH_WAIT_MS = 20


class ControlFollower:
    def __init__(self) -> None:
        self.closes: dict[str, str] = {}  # period → cutoff (ISO); the first close of a period stands
        self.read_until = EPOCH
        # Set by a waiter that needs a round the follower has not started yet.
        self._asked = asyncio.Event()
        # Set (and replaced) after each round: what waiters wait on.
        self._advanced = asyncio.Event()

    def apply(self, value: bytes) -> None:
        try:
            record = json.loads(value)
        except ValueError:
            return  # the control agent logs what it cannot read
        if isinstance(record, dict) and record.get("kind") == "close_period" and "period" in record and "cutoff" in record:
            self.closes.setdefault(record["period"], record["cutoff"])

    async def read_past(self, instant: datetime) -> None:
        """Return once every close published before `instant` has been read.

        An instant in the future (a reversal dated by a partner's clock) waits only for now:
        nothing later can have been published yet, and settling must not stall on it.
        """
        target = min(instant, datetime.now(timezone.utc))
        while self.read_until < target:
            advanced = self._advanced
            self._asked.set()
            try:
                # The timeout only re-checks `read_until` (which tests set by hand).
                await asyncio.wait_for(advanced.wait(), 0.05)
            except TimeoutError:
                pass

    async def follow(self, bootstrap: str, topic: str, *, security: Mapping[str, object] | None = None, poll_seconds: float = 1.0) -> None:
        from aiokafka import AIOKafkaConsumer

        from hub.kafka.topic_reader import assign_from_beginning

        # A round asks the broker for the end offsets on the connection the consumer fetches on,
        # and a broker answers a connection's requests in order: behind a fetch held open for
        # aiokafka's default 500 ms, every round (and every settlement entry waiting for one)
        # waited up to that long. Fetches held at most 20 ms keep a round to a few ms.
        consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, auto_offset_reset="earliest",
                                    fetch_max_wait_ms=FETCH_WAIT_MS, **(security or {}))
        await consumer.start()
        try:
            tps = await assign_from_beginning(consumer, topic)
            while True:
                started = datetime.now(timezone.utc)
                ends = await consumer.end_offsets(tps)
                while not await self._reached(consumer, ends):
                    batch = await consumer.getmany(timeout_ms=500)
                    for messages in batch.values():
                        for message in messages:
                            if message.value:
                                self.apply(message.value)
                self.read_until = started
                self._advanced.set()
                self._advanced = asyncio.Event()
                await self.next_round(poll_seconds)
        finally:
            await consumer.stop()

    async def next_round(self, poll_seconds: float) -> None:
        """Return when the next round is due: `poll_seconds` after this one, or as soon as a waiter asks."""
        await asyncio.sleep(ROUND_GAP_SECONDS)
        try:
            await asyncio.wait_for(self._asked.wait(), max(0.0, poll_seconds - ROUND_GAP_SECONDS))
        except TimeoutError:
            pass
        self._asked.clear()

    @staticmethod
    async def _reached(consumer, ends) -> bool:
        for tp, end in ends.items():
            if await consumer.position(tp) < end:
                return False
        return True
