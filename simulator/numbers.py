"""Partners' numbers for simulated parcels and orders, in each partner's real shape.

Check digits are computed with the rules of docs/partners/russian-post.md#barcode-check-digit and
docs/partners/README.md#s10-check-digit (schemas.identifiers), so every generated S10 and
Russian Post barcode is valid. Every number is unique within a run.
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable

from schemas.identifiers import rp_check_digit, s10_check_digit


class Numbers:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._used: dict[str, None] = {}
        self._serials: dict[str, int] = {}

    def _unique(self, make: Callable[[], str]) -> str:
        while True:
            value = make()
            if value not in self._used:
                self._used[value] = None
                return value

    def _digits(self, n: int, first: str = "") -> str:
        return first + "".join(self.rng.choice(string.digits) for _ in range(n - len(first)))

    def s10(self, service: str = "R", country: str = "CN") -> str:
        """UPU S10: two service letters, 8-digit serial, check digit, country (docs/partners/README.md#s10-format)."""

        def make() -> str:
            serial = self._digits(8)
            letter = self.rng.choice("ABCDEFGHJKLMNOPQRSTUVWXZ")
            return f"{service}{letter}{serial}{s10_check_digit(serial)}{country}"

        return self._unique(make)

    def rp(self, postcode: str) -> str:
        """Russian Post 14-digit barcode: the accepting office's postcode first
        (docs/partners/russian-post.md#14-digit-barcode)."""

        def make() -> str:
            first13 = postcode + self._digits(7)
            return first13 + str(rp_check_digit(first13))

        return self._unique(make)

    def cainiao_lp(self) -> str:
        return self._unique(lambda: "LP" + self._digits(14, "00"))

    def cdek(self) -> str:
        return self._unique(lambda: self._digits(10, "1"))

    def spsr(self) -> str:
        """An SPSR ShipmentNumber: 8 digits, as in the PHP client's examples (format undocumented)."""
        return self._unique(lambda: self._digits(8, "4"))

    def uuid(self) -> str:
        """A version-4-shaped uuid from the run's generator (never uuid4: runs must repeat)."""

        def make() -> str:
            h = "".join(self.rng.choice("0123456789abcdef") for _ in range(32))
            return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{self.rng.choice('89ab')}{h[17:20]}-{h[20:]}"

        return self._unique(make)

    def boxberry(self) -> str:
        def make() -> str:
            letters = "".join(self.rng.choice(string.ascii_uppercase) for _ in range(3))
            return letters + self._digits(8)

        return self._unique(make)

    def ozon_order(self) -> str:
        return self._unique(lambda: f"{self._digits(8)}-{self._digits(4, '00')}")

    def ozon_numeric(self, digits: int) -> int:
        return int(self._unique(lambda: self._digits(digits, "1")))

    def wb_task(self) -> int:
        return int(self._unique(lambda: self._digits(10, "3")))

    def aliexpress_order(self) -> str:
        return self._unique(lambda: self._digits(16, "8"))

    def hex_id(self, length: int) -> str:
        return self._unique(lambda: "".join(self.rng.choice("0123456789abcdef") for _ in range(length)))

    def serial(self, prefix: str) -> str:
        """`WHM-000001`, ...: an operator's own running number."""
        self._serials[prefix] = self._serials.get(prefix, 0) + 1
        return f"{prefix}-{self._serials[prefix]:06d}"
