"""Publishing simulated partner records to Kafka, in order, at a limited rate, with progress.

The simulator's only module that touches Kafka (aiokafka, nothing of the hub): topic names
come from the caller. hub/kafka/partner_feed.py sends to an installation's partner topics.

Records go with null keys, as partners may send them; the hub-subject header is set where the
format needs it. Kafka timestamps are the broker's wall clock: simulated time lives inside
the payloads.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TextIO

from schemas.deadletter import SUBJECT_HEADER
from simulator.model import Message

# With a rate, records go out in ticks of this many seconds' worth, not one by one.
RATE_TICK = 0.01


def rate_wait(started: float, sent: int, rate: float, now: float) -> float:
    """Seconds to wait before sending record number `sent` (from 0) at `rate` records a second
    from `started`: none if it is due, else until it is due and a tick more, so the records due
    by then go out together. A sleep and a wake-up for every record cost the publisher 0.39 ms of
    CPU a record at 455 records/s (0.15 in ticks), on the cores the bench's worker and broker share."""
    delay = started + sent / rate - now
    return delay + RATE_TICK if delay > 0 else 0.0


@dataclass(frozen=True)
class Record:
    partner: str
    payload: bytes
    subject: str | None = None
    pushed: bool = False  # the partner pushes it over HTTP (simulator/push.py), see Message.pushed


class Progress:
    """`published 1200/5000 (24%)` on one stderr line, redrawn at most four times a second."""

    def __init__(self, total: int, label: str = "published", stream: TextIO | None = None) -> None:
        self.total, self.label = total, label
        self.stream = stream or sys.stderr
        self.started = time.monotonic()
        self._drawn = 0.0
        self._tty = self.stream.isatty()

    def update(self, done: int, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._drawn < (0.25 if self._tty else 5.0):
            return
        self._drawn = now
        percent = 100 * done // self.total if self.total else 100
        speed = done / max(now - self.started, 1e-6)
        line = f"{self.label} {done}/{self.total} ({percent}%), {speed:.0f} msg/s"
        self.stream.write(("\r" + line) if self._tty else line + "\n")
        self.stream.flush()

    def finish(self, done: int) -> None:
        self.update(done, force=True)
        if self._tty:
            self.stream.write("\n")
            self.stream.flush()


async def publish_records(
    bootstrap: str,
    records: Iterable[Record],
    topic_for: Callable[[str], str],
    *,
    total: int,
    rate: float | None = None,
    progress: Progress | None = None,
    divert: Callable[[Record], Awaitable[bool]] | None = None,
    security: Mapping[str, object] | None = None,
) -> int:
    """Send every record in order; at most `rate` records per second when given. Returns the count.

    `divert`, when given, sees each record first: one it takes (answers True) went another
    way, as a push over HTTP (simulator/push.py), and is not produced here.
    """
    from aiokafka import AIOKafkaProducer

    # A record waits up to two minutes for the broker (aiokafka's default is 40 s): a broker
    # restart on a loaded two-core machine took 46 s in the fault soak, and the publisher failed.
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, linger_ms=5,
                                request_timeout_ms=120_000, **(security or {}))
    await producer.start()
    sent = 0
    pending: list[asyncio.Future] = []
    started = time.monotonic()
    try:
        for record in records:
            if rate and (wait := rate_wait(started, sent, rate, time.monotonic())):
                await asyncio.sleep(wait)
            if divert is not None and await divert(record):
                sent += 1
                if progress:
                    progress.update(sent)
                continue
            headers = [(SUBJECT_HEADER, record.subject.encode())] if record.subject else None
            pending.append(await producer.send(topic_for(record.partner), value=record.payload, headers=headers))
            sent += 1
            if len(pending) >= 500:
                await asyncio.gather(*pending)
                pending.clear()
            if progress:
                progress.update(sent)
        await asyncio.gather(*pending)
    finally:
        await producer.stop()
    if progress:
        progress.finish(sent)
    return sent


def simulation_records(messages: Iterable[Message], partners: Iterable[str] | None = None) -> list[Record]:
    """A simulation's messages as records, optionally only those for some partners."""
    keep = None if partners is None else set(partners)
    return [Record(m.partner, m.payload, m.subject, m.pushed) for m in messages if keep is None or m.partner in keep]
