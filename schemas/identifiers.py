"""The closed identifier registry (docs/architecture.md#identifiers).

Every identifier the hub handles is a `scheme:VALUE` string. Each scheme has a normaliser
(what the partner wrote → the canonical value), a pattern and a level. Parcel-level
identifiers on one event link into one shipment; order-level ones attach parcels to orders
and never merge them; shop references are namespaced by partner and never link.

Check digits are validated softly: `Identifier.check_digit_valid` says False for a bad one,
and adapters flag it on the event; nothing is dropped for it (docs/partners/README.md#soft-check-digits:
Russian Post's own examples carry wrong check digits).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache


class Level(StrEnum):
    PARCEL = "parcel"  # links: every parcel identifier on one event names one shipment
    ORDER = "order"  # attaches parcels to an order, never merges them
    SHOP = "shop"  # a shop's own number, namespaced by partner, never links


class Scheme(StrEnum):
    S10 = "s10"
    RP = "rp"
    CAINIAO = "cainiao"
    CDEK = "cdek"
    CDEK_UUID = "cdek_uuid"
    BOXBERRY = "boxberry"
    SPSR = "spsr"
    OZON_POSTING = "ozon_posting"
    WB_TASK = "wb_task"
    HUB = "hub"
    ALIEXPRESS_ORDER = "aliexpress_order"
    OZON_ORDER = "ozon_order"
    SHOP = "shop"


def _compact_upper(raw: str) -> str:
    return re.sub(r"[\s\-]", "", raw).upper()


def _digits(raw: str) -> str:
    return re.sub(r"\s", "", raw)


def _strip(raw: str) -> str:
    return raw.strip()


def _lower(raw: str) -> str:
    return raw.strip().lower()


S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)


def s10_check_digit(serial: str) -> int:
    """UPU S10 check digit of an 8-digit serial (docs/partners/README.md#s10-check-digit): weights 8,6,4,2,3,5,9,7."""
    total = sum(int(d) * w for d, w in zip(serial, S10_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: 0, 11: 5}.get(check, check)


def rp_check_digit(first13: str) -> int:
    """Russian Post 14-digit barcode check digit: weights 3,1,3,1,...

    docs/partners/russian-post.md#barcode-check-digit
    """
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(first13))
    return (10 - total % 10) % 10


def _s10_valid(value: str) -> bool:
    return s10_check_digit(value[2:10]) == int(value[10])


def _rp_valid(value: str) -> bool:
    return rp_check_digit(value[:13]) == int(value[13])


_SCHEME_NAMES = frozenset(scheme.value for scheme in Scheme)


@dataclass(frozen=True)
class SchemeRule:
    level: Level
    pattern: re.Pattern[str]
    normalise: Callable[[str], str]
    check_digit: Callable[[str], bool] | None = None
    # True when a bare number of this shape is plausible enough to offer as a candidate
    # in `hub identify`; free-form schemes (hub, shop) only match when prefixed.
    offered_for_bare_values: bool = True
    note: str = ""


SCHEMES: dict[Scheme, SchemeRule] = {
    Scheme.S10: SchemeRule(
        Level.PARCEL, re.compile(r"^[A-Z]{2}\d{9}[A-Z]{2}$"), _compact_upper, _s10_valid,
        note="UPU S10: service indicator, 8-digit serial, check digit, country (docs/partners/README.md#s10-format)",
    ),
    Scheme.RP: SchemeRule(
        Level.PARCEL, re.compile(r"^\d{14}$"), _digits, _rp_valid,
        note="Russian Post domestic barcode; first 6 digits are the accepting office"
             " (docs/partners/russian-post.md#14-digit-barcode)",
    ),
    Scheme.CAINIAO: SchemeRule(
        Level.PARCEL, re.compile(r"^((?:LP|AP)\d{14}|AE\d{9}|[A-Z]{2}\d{10}Y)$"), _compact_upper,
        note="Cainiao/AliExpress logistics numbers; no known checksum (docs/partners/cainiao.md#identifiers)",
    ),
    Scheme.CDEK: SchemeRule(
        Level.PARCEL, re.compile(r"^\d{9,12}$"), _digits,
        note="CDEK waybill cdek_number (docs/partners/cdek.md#identifiers)",
    ),
    Scheme.CDEK_UUID: SchemeRule(
        Level.PARCEL,
        re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"),
        _lower,
        note="CDEK order uuid; links a return order to its forward order (docs/partners/cdek.md#identifiers)",
    ),
    Scheme.BOXBERRY: SchemeRule(
        Level.PARCEL, re.compile(r"^[A-Z]{3}\d{8,9}$"), _compact_upper,
        note="Boxberry track code: 3 letters and digits (docs/partners/boxberry.md#identifiers)",
    ),
    Scheme.SPSR: SchemeRule(
        Level.PARCEL, re.compile(r"^[0-9A-Z\-]{6,20}$"), _compact_upper,
        offered_for_bare_values=False,
        note="SPSR ShipmentNumber; format undocumented (docs/partners/spsr.md#invoice-fields)",
    ),
    Scheme.OZON_POSTING: SchemeRule(
        Level.PARCEL, re.compile(r"^\d{8,10}-\d{4}-\d+$"), _strip,
        note="Ozon posting_number {order_number}-{n} (docs/partners/ozon.md#identifiers)",
    ),
    Scheme.WB_TASK: SchemeRule(
        Level.PARCEL, re.compile(r"^\d{1,12}$"), _digits,
        note="Wildberries assembly task id (docs/partners/wildberries.md#assembly-task)",
    ),
    Scheme.HUB: SchemeRule(
        Level.PARCEL, re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-/]{0,63}$"), _strip,
        offered_for_bare_values=False, note="hub-native parcel id, chosen by its operator",
    ),
    Scheme.ALIEXPRESS_ORDER: SchemeRule(
        Level.ORDER, re.compile(r"^\d{6,20}$"), _digits,
        note="AliExpress order id; AliExpress's own examples use 8 digits (docs/partners/aliexpress.md#identifiers)",
    ),
    Scheme.OZON_ORDER: SchemeRule(
        Level.ORDER, re.compile(r"^\d{8,10}-\d{4}$"), _strip,
        note="Ozon order_number (docs/partners/ozon.md#identifiers)",
    ),
    Scheme.SHOP: SchemeRule(
        Level.SHOP, re.compile(r"^[a-z0-9_\-]+/.{1,100}$"), _strip,
        offered_for_bare_values=False, note="a shop's own order number, written partner/number",
    ),
}


class InvalidIdentifier(ValueError):
    """The text is not `scheme:VALUE` of a registered scheme, or VALUE does not fit it."""


@dataclass(frozen=True, order=True)
class Identifier:
    scheme: Scheme
    value: str

    def __str__(self) -> str:
        return f"{self.scheme.value}:{self.value}"

    @property
    def level(self) -> Level:
        return SCHEMES[self.scheme].level

    @property
    def check_digit_valid(self) -> bool | None:
        """False for a bad check digit, None where the scheme has none."""
        check = SCHEMES[self.scheme].check_digit
        return None if check is None else check(self.value)

    @classmethod
    def of(cls, scheme: Scheme | str, raw: str) -> Identifier:
        """Normalise what a partner wrote and check it fits the scheme's pattern."""
        scheme = Scheme(scheme)
        rule = SCHEMES[scheme]
        value = rule.normalise(str(raw))
        if not rule.pattern.fullmatch(value):
            raise InvalidIdentifier(f"{raw!r} is not a valid {scheme.value} identifier")
        return cls(scheme, value)

    @classmethod
    def shop(cls, partner: str, number: str) -> Identifier:
        """A shop's own order number, namespaced by the partner that carries it."""
        return cls.of(Scheme.SHOP, f"{partner}/{str(number).strip()}")

    @classmethod
    def parse(cls, text: str) -> Identifier:
        """Read a canonical `scheme:VALUE` string."""
        return _parsed(text)


# Every event names its identifiers again (a Cainiao history: thirty events of one parcel),
# and every stage that reads an event validates them again: parsing was a tenth of the pure
# stages' time (tests/perf/pure_pipeline.py). An Identifier is frozen, so one can be shared.
@lru_cache(maxsize=16_384)
def _parsed(text: str) -> Identifier:
    scheme, sep, value = text.partition(":")
    if not sep or scheme not in _SCHEME_NAMES:
        raise InvalidIdentifier(f"{text!r} is not scheme:VALUE with a known scheme")
    return Identifier.of(scheme, value)


def candidates(number: str) -> list[Identifier]:
    """Every scheme a bare number could belong to, most specific first (for `hub identify`)."""
    if ":" in number and number.partition(":")[0] in Scheme.__members__.values():
        return [Identifier.parse(number)]
    found = []
    for scheme, rule in SCHEMES.items():
        if not rule.offered_for_bare_values:
            continue
        try:
            found.append(Identifier.of(scheme, number))
        except InvalidIdentifier:
            continue
    return found


S10_SERVICE_RANGES: tuple[tuple[str, str], ...] = (
    ("A", "recorded delivery / RFID e-commerce"),
    ("C", "parcel post"),
    ("E", "EMS"),
    ("H", "e-commerce parcel"),
    ("L", "letter post, express"),
    ("R", "letter post, registered"),
    ("U", "letter post subject to customs"),
    ("V", "letter post, insured"),
)


def s10_service(value: str) -> str:
    """The service an S10 number's indicator names (docs/partners/README.md#s10-service-indicators)."""
    for first, meaning in S10_SERVICE_RANGES:
        if value.startswith(first):
            return meaning
    return "domestic, bilateral or multilateral use"
