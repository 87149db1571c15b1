"""`--rate` publishing (simulator/publish.py): records go out in ticks, never before they are due,
at most a tick late, so the rate holds."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator.publish import RATE_TICK, rate_wait

pytestmark = pytest.mark.unit


def _send_times(count: int, rate: float) -> list[float]:
    """When each record goes, on a clock that moves only by the waits (sending takes no time)."""
    now, times = 0.0, []
    for sent in range(count):
        now += rate_wait(0.0, sent, rate, now)
        times.append(now)
    return times


@given(st.integers(min_value=1, max_value=400), st.floats(min_value=1.0, max_value=50_000.0))
def test_no_record_goes_before_it_is_due_nor_more_than_a_tick_after(count: int, rate: float):
    for sent, at in enumerate(_send_times(count, rate)):
        assert sent / rate <= at + 1e-9
        assert at <= sent / rate + RATE_TICK + 1e-9


def test_a_ticks_records_go_out_together():
    # 455 records/s: about 4.5 records due per 10 ms tick, so a wait for about one in five.
    times = _send_times(4550, 455.0)
    waits = sum(1 for before, after in zip(times, times[1:], strict=False) if after > before)
    assert 4550 / 6 < waits < 4550 / 4
