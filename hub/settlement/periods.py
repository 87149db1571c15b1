"""Calendar quarters `YYYYQn` in a contract's time zone."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

PERIOD = re.compile(r"^(\d{4})Q([1-4])$")


def period_of(instant: datetime, zone: ZoneInfo) -> str:
    local = instant.astimezone(zone)
    return f"{local.year}Q{(local.month - 1) // 3 + 1}"


def parse_period(text: str) -> tuple[int, int]:
    match = PERIOD.fullmatch(text)
    if not match:
        raise ValueError(f"{text!r} is not a quarter like 2026Q3")
    return int(match.group(1)), int(match.group(2))


def period_bounds(period: str, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) of the quarter in `zone`, as aware datetimes."""
    year, quarter = parse_period(period)
    start = datetime(year, 3 * (quarter - 1) + 1, 1, tzinfo=zone)
    end = datetime(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1, tzinfo=zone)
    return start, end


def previous_periods(period: str, count: int) -> list[str]:
    """`period` and the `count - 1` quarters before it, oldest first."""
    year, quarter = parse_period(period)
    index = year * 4 + quarter - 1
    return [f"{i // 4}Q{i % 4 + 1}" for i in range(index - count + 1, index + 1)]


def next_period(period: str) -> str:
    year, quarter = parse_period(period)
    return f"{year + (quarter == 4)}Q{1 if quarter == 4 else quarter + 1}"
