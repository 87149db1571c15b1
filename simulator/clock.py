"""Simulated time: a fixed epoch, random durations from the run's generator, local renderings.

Nothing here reads the wall clock: the same seed gives the same times.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

EPOCH = datetime(2026, 1, 5, tzinfo=timezone.utc)
MOSCOW = "Europe/Moscow"
CHINA = "Asia/Shanghai"


class Clock:
    """A journey's time, moving forward by random amounts."""

    def __init__(self, rng: random.Random, start: datetime) -> None:
        self.rng = rng
        self.now = start

    def after(self, min_hours: float, max_hours: float) -> datetime:
        self.now = self.now + timedelta(seconds=int(self.rng.uniform(min_hours, max_hours) * 3600))
        return self.now

    def minutes(self, low: int, high: int) -> datetime:
        self.now = self.now + timedelta(seconds=self.rng.randint(low * 60, high * 60))
        return self.now


def hours(rng: random.Random, low: float, high: float) -> timedelta:
    """A random duration in whole seconds (simulated times never carry microseconds)."""
    return timedelta(seconds=int(rng.uniform(low, high) * 3600))


def local(at: datetime, zone: str) -> datetime:
    return at.astimezone(ZoneInfo(zone))


def iso_offset(at: datetime, zone: str, *, colon: bool = True, millis: bool = False) -> str:
    """`2026-01-05T13:07:34+03:00` (or `+0300` without colon, CDEK's way; `.000` with millis)."""
    moment = local(at, zone)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if millis:
        text += ".000"
    offset = moment.strftime("%z")
    return text + (offset[:3] + ":" + offset[3:] if colon else offset)


def utc_z(at: datetime, *, millis: bool = False) -> str:
    moment = at.astimezone(timezone.utc)
    if millis:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def wall(at: datetime, zone: str, fmt: str) -> str:
    return local(at, zone).strftime(fmt)


def quarter(at: datetime, zone: str = MOSCOW) -> str:
    moment = local(at, zone)
    return f"{moment.year}Q{(moment.month - 1) // 3 + 1}"


def iso(at: datetime) -> str:
    return at.astimezone(timezone.utc).isoformat()
