"""Money helpers: minor units, the one rounding function, largest-remainder splits."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schemas.money import BadAmount, Rounding, major_to_minor, round_to_minor, split_largest_remainder

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("amount", "rounding", "minor"),
    [
        ("0.125", Rounding.HALF_UP, 13), ("0.125", Rounding.HALF_EVEN, 12), ("0.135", Rounding.HALF_EVEN, 14),
        ("-0.125", Rounding.HALF_UP, -13), ("-0.125", Rounding.HALF_EVEN, -12), ("279.0000", Rounding.HALF_UP, 27900),
    ],
)
def test_rounding_golden_cases(amount, rounding, minor):
    assert round_to_minor(Decimal(amount), "RUB", rounding) == minor


def test_partner_floats_go_through_their_text():
    assert major_to_minor(0.1 + 0.2, "RUB") == 30  # 0.30000000000000004 → 30 kopecks, never 30.000000000000004
    assert major_to_minor("1595", "RUB") == 159500
    with pytest.raises(BadAmount):
        major_to_minor("NaN", "RUB")


def test_split_is_deterministic_and_ties_go_to_the_earlier_part():
    assert split_largest_remainder(100, [1, 1, 1]) == [34, 33, 33]
    assert split_largest_remainder(-100, [1, 1, 1]) == [-34, -33, -33]
    assert split_largest_remainder(10, [0, 0]) == [5, 5]


@given(st.integers(-10**12, 10**12), st.lists(st.integers(0, 10**6), min_size=1, max_size=12))
def test_parts_add_up_to_the_whole(total, weights):
    parts = split_largest_remainder(total, weights)
    assert sum(parts) == total and len(parts) == len(weights)
