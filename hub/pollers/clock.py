"""The pollers' time, injected: the wall clock in production, a test clock that tests move.

Every limit (ticket waits, token buckets, per-parcel spacing) is measured on this clock, so a
test can run hours of a partner's rules in a second and check that none was broken.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Seconds since the epoch."""

    async def sleep(self, seconds: float) -> None:
        """Return once `seconds` have passed on this clock."""


class WallClock:
    def now(self) -> float:
        return time.time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


class TestClock:
    """Virtual time in one process: `sleep` moves the clock forward at once; `advance` moves it by hand."""

    __test__ = False  # not a pytest class

    def __init__(self, start: float = 1_767_225_600.0) -> None:  # 2026-01-01T00:00:00Z
        self._now = start

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += max(0.0, seconds)

    async def sleep(self, seconds: float) -> None:
        self.advance(seconds)
        await asyncio.sleep(0)


class FileClock:
    """Time read from a file holding epoch seconds, shared by processes (a test moves it; a
    poller process in the same test waits for it). `sleep` waits for the file to pass the mark."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def now(self) -> float:
        return float(self.path.read_text().strip())

    def set(self, moment: float) -> None:
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(repr(moment))
        temporary.replace(self.path)

    def advance(self, seconds: float) -> None:
        self.set(self.now() + seconds)

    async def sleep(self, seconds: float) -> None:
        until = self.now() + max(0.0, seconds)
        while self.now() < until:
            await asyncio.sleep(0.05)
