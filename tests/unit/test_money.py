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


def largest_remainder(total: int, weights: list[int]) -> list[int]:
    """The split worked out again in integers, apart from schemas.money: each part the floor of
    |total| * w / W, the units left over one each to the largest remainders, ties to the earlier
    part; all-zero weights split evenly; a negative total is the positive split negated."""
    if not any(weights):
        weights = [1] * len(weights)
    whole = sum(weights)
    shares = [divmod(abs(total) * w, whole) for w in weights]  # (floor, remainder over `whole`)
    parts = [floor for floor, _ in shares]
    order = sorted(range(len(weights)), key=lambda i: (-shares[i][1], i))
    for i in order[: abs(total) - sum(parts)]:
        parts[i] += 1
    return [-p if total < 0 else p for p in parts]


@given(st.integers(-10**12, 10**12), st.lists(st.integers(0, 10**6), min_size=1, max_size=12))
def test_split_is_the_largest_remainder_split(total, weights):
    parts = split_largest_remainder(total, weights)
    assert parts == largest_remainder(total, weights)
    assert sum(parts) == total


@given(st.integers(-10**6, 10**6), st.lists(st.integers(0, 7), min_size=2, max_size=6))
def test_split_with_many_ties_is_the_largest_remainder_split(total, weights):
    # Small weights make equal remainders common, so the tie rule is exercised often.
    assert split_largest_remainder(total, weights) == largest_remainder(total, weights)


def test_the_independent_split_agrees_with_worked_examples():
    # 100 over 1:2:3 is 16.67, 33.33, 50: floors 16, 33, 50 leave 1, to the largest remainder (2/3).
    assert largest_remainder(100, [1, 2, 3]) == [17, 33, 50]
    assert largest_remainder(100, [1, 1, 1]) == [34, 33, 33]
    assert largest_remainder(-7, [0, 0, 0]) == [-3, -2, -2]
