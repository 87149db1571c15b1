"""Money arithmetic shared by adapters and settlement: minor units, one rounding function, splits.

Amounts are integer minor units plus an ISO 4217 currency; arithmetic is `Decimal`; a
partner's float is read through its decimal text (`Decimal(str(x))`), never used as a float.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from fractions import Fraction


class Rounding(StrEnum):
    HALF_UP = "half_up"
    HALF_EVEN = "half_even"


_DECIMAL_ROUNDING = {Rounding.HALF_UP: ROUND_HALF_UP, Rounding.HALF_EVEN: ROUND_HALF_EVEN}

# Digits after the decimal point per currency (ISO 4217); 2 unless listed.
MINOR_DIGITS: dict[str, int] = {"JPY": 0, "KRW": 0, "UZS": 2, "KZT": 2, "BYN": 2, "CNY": 2, "RUB": 2}

# ISO 4217 numeric → alphabetic, for partners that send numbers (Wildberries: 643, 933).
ISO_NUMERIC: dict[int, str] = {
    643: "RUB", 933: "BYN", 156: "CNY", 840: "USD", 978: "EUR", 398: "KZT",
    417: "KGS", 51: "AMD", 860: "UZS", 392: "JPY", 410: "KRW", 949: "TRY", 784: "AED",
}


class BadAmount(ValueError):
    """Text or a number that is not a finite decimal amount."""


def as_decimal(value: object) -> Decimal:
    """Read a partner's amount (string, int or float) as an exact Decimal, via its text."""
    if isinstance(value, bool) or value is None:
        raise BadAmount(f"{value!r} is not an amount")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation as err:
        raise BadAmount(f"{value!r} is not an amount") from err
    if not amount.is_finite():
        raise BadAmount(f"{value!r} is not a finite amount")
    return amount


def round_to_minor(amount: Decimal, currency: str, rounding: Rounding = Rounding.HALF_UP) -> int:
    """The one rounding function: a major-unit Decimal to integer minor units."""
    digits = MINOR_DIGITS.get(currency, 2)
    scaled = (amount * (Decimal(10) ** digits)).quantize(Decimal(1), rounding=_DECIMAL_ROUNDING[rounding])
    return int(scaled)


def major_to_minor(value: object, currency: str) -> int:
    """A partner's major-unit amount ("279.0000", 1595, 12.5) to minor units, half-up."""
    return round_to_minor(as_decimal(value), currency)


def split_largest_remainder(total: int, weights: list[int] | list[Decimal]) -> list[int]:
    """Split `total` minor units in proportion to `weights`; the parts always add up to `total`.

    Each part gets the floor of its exact share; the units left over go one each to the
    largest remainders, ties to the earlier part, so the result is deterministic.
    """
    if not weights:
        raise ValueError("cannot split over no parts")
    weights_d = [Decimal(w) for w in weights]
    weight_sum = sum(weights_d)
    if weight_sum == 0:
        weights_d = [Decimal(1)] * len(weights_d)
        weight_sum = Decimal(len(weights_d))
    sign = -1 if total < 0 else 1
    magnitude = abs(total)
    # Exact shares: a Decimal quotient is rounded to 28 digits, which can make one of two equal
    # remainders look larger (4202 over 1,1,1,1,1,7 gave the weight-7 part the tie's unit).
    exact = [Fraction(magnitude) * Fraction(w) / Fraction(weight_sum) for w in weights_d]
    parts = [int(e) for e in exact]  # floor for non-negative values
    left = magnitude - sum(parts)
    by_remainder = sorted(range(len(parts)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in by_remainder[:left]:
        parts[i] += 1
    return [sign * p for p in parts]
