"""Calendar quarters `YYYYQn` in a contract's time zone."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
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


def period_due_for_close(now: datetime, zone: ZoneInfo, grace: timedelta, closed: Iterable[str]) -> str | None:
    """The quarter an automatic close should close now, if any (`HUB_AUTO_CLOSE=on`).

    Only the quarter just ended, once `grace` has passed since its end in `zone` (late webhooks
    and polled histories arrive in that time); an older quarter left open is a person's decision
    (`hub close-period`), never the timer's.
    """
    previous = previous_periods(period_of(now, zone), 2)[0]
    _, end = period_bounds(previous, zone)
    if now < end + grace or previous in set(closed):
        return None
    return previous


def close_command(period: str, cutoff: datetime) -> dict[str, str]:
    """The `hub.control` message that closes `period` (`hub close-period`, or the automatic close)."""
    return {"kind": "close_period", "period": period, "cutoff": cutoff.astimezone(timezone.utc).isoformat()}
