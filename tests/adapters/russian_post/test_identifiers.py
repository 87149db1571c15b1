"""S10 and Russian Post 14-digit check digits on the documented examples.

docs/partners/README.md#soft-check-digits, docs/partners/russian-post.md#barcode-check-digit,
docs/partners/README.md#s10-examples.
"""

from __future__ import annotations

import pytest

from schemas import Identifier, Scheme
from schemas.identifiers import rp_check_digit, s10_check_digit

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "barcode",
    [
        "14102192069353",  # the spec's COD example, valid
        "45008378901236", "10725878901231",  # the corrected forms of the spec examples
        "11100100000019", "63000000000009", "10270020000015", "80085562345673",  # synthetic
    ],
)
def test_valid_rp(barcode: str) -> None:
    assert Identifier.of(Scheme.RP, barcode).check_digit_valid is True


@pytest.mark.parametrize("barcode", ["45008378901234", "10725878901235"])  # the spec's own examples
def test_invalid_rp(barcode: str) -> None:
    assert Identifier.of(Scheme.RP, barcode).check_digit_valid is False


@pytest.mark.parametrize(
    "number",
    [
        "RR123456785CN", "EE123456785RU", "CP123456785RU", "LZ987654326CN", "RA473124829CN",
        "UA000000014CN", "RB000000005CN", "RA644000005RU", "EA123456785RU",  # valid examples
    ],
)
def test_valid_s10(number: str) -> None:
    assert Identifier.of(Scheme.S10, number).check_digit_valid is True


# Printed in official docs.
@pytest.mark.parametrize("number", ["RA644000001RU", "EA123456789RU", "RA123456789RU", "RR123456789CN"])
def test_invalid_s10(number: str) -> None:
    assert Identifier.of(Scheme.S10, number).check_digit_valid is False


def test_worked_examples() -> None:
    # docs/partners/README.md#s10-check-digit: serial 47312482 → S = 200 → C = 11 − 2 = 9; S = 0 → C = 11 → 5.
    assert s10_check_digit("47312482") == 9
    assert s10_check_digit("00000000") == 5
    # docs/partners/russian-post.md#barcode-check-digit: the correct check digits of the spec examples are 6 and 1.
    assert rp_check_digit("4500837890123") == 6
    assert rp_check_digit("1072587890123") == 1
