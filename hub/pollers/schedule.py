"""When to ask about a parcel next: recent movement often, silent parcels less, final never.

Pure: times are epoch seconds on the pollers' clock (`clock.py`).
"""

from __future__ import annotations

from dataclasses import dataclass

from hub.pollers.limits import HOUR

DAY = 24 * HOUR

# (moved within, ask every): the first row that fits applies; older parcels get the last interval.
INTERVALS: tuple[tuple[float, float], ...] = (
    (2 * DAY, 1 * HOUR),
    (7 * DAY, 4 * HOUR),
    (30 * DAY, 12 * HOUR),
)
SILENT_INTERVAL = 1 * DAY


@dataclass(frozen=True)
class ParcelState:
    """What the poller remembers of one parcel (kept in the poller-state topic)."""

    last_asked_at: float | None = None  # the last answer published and acknowledged
    last_request_at: float | None = None  # the last request, answered or not
    failures: int = 0  # failed answers in a row
    retry_at: float | None = None  # after a failure: not before this

    def to_json(self) -> dict:
        return {"last_asked_at": self.last_asked_at, "last_request_at": self.last_request_at,
                "failures": self.failures, "retry_at": self.retry_at}

    @classmethod
    def from_json(cls, data: dict) -> ParcelState:
        return cls(data.get("last_asked_at"), data.get("last_request_at"), int(data.get("failures") or 0), data.get("retry_at"))


def interval(last_movement_at: float | None, now: float) -> float:
    """How often to ask about a parcel that last moved at `last_movement_at` (None: unknown, ask often)."""
    if last_movement_at is None:
        return INTERVALS[0][1]
    silent_for = now - last_movement_at
    for within, every in INTERVALS:
        if silent_for < within:
            return every
    return SILENT_INTERVAL


def due_at(state: ParcelState, last_movement_at: float | None, now: float, *, min_spacing: float = 0.0) -> float:
    """When the parcel is next due; never sooner than `min_spacing` after its last request."""
    if state.retry_at is not None:
        due = state.retry_at
    elif state.last_asked_at is None:
        due = now
    else:
        due = state.last_asked_at + interval(last_movement_at, now)
    if state.last_request_at is not None:
        due = max(due, state.last_request_at + min_spacing)
    return due


def after_answer(state: ParcelState, now: float) -> ParcelState:
    return ParcelState(last_asked_at=now, last_request_at=now, failures=0, retry_at=None)


def after_failure(state: ParcelState, now: float, backoff: float, cap: float) -> ParcelState:
    """A failed answer: retry after `backoff` doubled per failure in a row, at most `cap`."""
    failures = state.failures + 1
    wait = min(cap, backoff * 2 ** (failures - 1))
    return ParcelState(state.last_asked_at, now, failures, now + wait)
