"""Which quarter the automatic close closes, and when (hub/settlement/periods.py)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from hub.settlement.periods import period_due_for_close

MOSCOW = ZoneInfo("Europe/Moscow")
GRACE = timedelta(hours=72)


@pytest.mark.parametrize(("now", "closed", "due"), [
    # Q1 ends 2026-04-01T00:00 Moscow (2026-03-31T21:00Z); 72 h later is 2026-04-03T21:00Z.
    (datetime(2026, 4, 3, 20, 59, tzinfo=timezone.utc), [], None),
    (datetime(2026, 4, 3, 21, 0, tzinfo=timezone.utc), [], "2026Q1"),
    (datetime(2026, 5, 20, tzinfo=timezone.utc), [], "2026Q1"),
    (datetime(2026, 5, 20, tzinfo=timezone.utc), ["2026Q1"], None),
    # Across a year: Q4 2026 is due in January 2027.
    (datetime(2027, 1, 5, tzinfo=timezone.utc), ["2026Q3"], "2026Q4"),
    # An older quarter left open is never the timer's to close.
    (datetime(2026, 8, 1, tzinfo=timezone.utc), ["2026Q2"], None),
])
def test_only_the_quarter_just_ended_is_due_after_the_grace(now, closed, due):
    assert period_due_for_close(now, MOSCOW, GRACE, closed) == due
