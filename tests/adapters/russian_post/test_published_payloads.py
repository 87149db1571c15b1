"""A Russian Post answer published by a client library (docs/partners/russian-post.md#published-payloads),
with its golden expectation written by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.base import AdapterOptions
from schemas import Outcome, PartnerKind
from tests.adapters.event_expectations import assert_event, run_case

pytestmark = pytest.mark.unit

CASES = Path(__file__).parent / "cases"
OPTIONS = AdapterOptions(partner="russian_post", partner_kind=PartnerKind.POST, country="RU")
BARCODE = ["rp:44334455667733"]
FLAGS = ["bad_check_digit:rp:44334455667733"]  # the publisher's barcode has a wrong check digit: flagged


# (OperType.OperAttr, status, milestone, instant UTC, offset minutes, postcode): Samara was UTC+4 in 2016.
EXPECTED = [
    ("1.1", "in_transit", "accepted", "2016-07-16T08:01:00+00:00", 240, "443063"),
    ("8.3", "in_transit", "arrived_at_facility", "2016-07-18T16:31:27.001000+00:00", 240, "443960"),
    ("8.4", "in_transit", "departed_facility", "2016-07-19T02:37:22.001000+00:00", 240, "443960"),
    ("8.0", "in_transit", "arrived_at_facility", "2016-07-20T16:33:00+00:00", 180, "140983"),
    ("8.4", "in_transit", "departed_facility", "2016-07-20T23:53:00+00:00", 180, "140980"),
    ("8.4", "in_transit", "departed_facility", "2016-07-21T09:24:00+00:00", 180, "170000"),
    ("8.2", "available_for_pickup", "arrived_at_pickup_point", "2016-07-21T09:39:00+00:00", 180, "170100"),
    ("2.1", "delivered", "delivered", "2016-07-21T09:49:00+00:00", 180, "170100"),
]


def test_the_go_russianpost_example_answer() -> None:
    result = run_case("russian_post", CASES, "russianpost_real_getOperationHistory_44334455667733.xml", OPTIONS)
    assert result.outcome is Outcome.NORMALISED
    assert len(result.events) == len(EXPECTED)
    for index, (event, (code, status, milestone, at, offset, postcode)) in enumerate(zip(result.events, EXPECTED, strict=True)):
        assert_event(event, {
            "subject": BARCODE, "status": status, "milestone": milestone, "raw_code": code, "occurred_at": at,
            "local_offset_minutes": offset, "flags": FLAGS,
            # MassRate 18500 kopecks on the acceptance: the postage.
            "amounts": [("delivery_fee", 18500, "RUB")] if index == 0 else [],
        })
        assert event.location is not None and event.location.postcode == postcode
