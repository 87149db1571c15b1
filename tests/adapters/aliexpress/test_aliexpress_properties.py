"""Property tests: no input makes the AliExpress adapter escape with anything but a closed
reason, and an order's value always splits into parts that add up to it."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.aliexpress.codes import LOGISTICS_STATUSES, ORDER_STATUSES
from adapters.base import AdapterError, AdapterOptions, AdapterResult
from adapters.registry import run_adapter
from schemas import DeadLetterReason, Outcome, PartnerKind
from tests.adapters.event_expectations import RECEIVED_AT
from tests.adapters.json_mutations import json_shapes, mutated

pytestmark = pytest.mark.unit

CASES = Path(__file__).parent / "cases"
FIXTURES = sorted(p.read_bytes() for p in CASES.glob("*.json"))
HEADERS = [None, "aliexpress_order:8012345678909999", "cainiao:LP00812637173551", "s10:RA644000001RU", "junk"]
KEYS = [
    "result", "target", "aliexpress_trade_ds_order_get_response", "id", "order_status", "logistics_status",
    "gmt_create", "gmt_modified", "order_amount", "amount", "currency_code", "logistics_info_list",
    "logistic_info_list", "aeop_order_logistics_info", "logistics_no", "details", "status", "event_date",
    "event_desc", "result_success", "error_desc",
]
VALUES = [*ORDER_STATUSES, *LOGISTICS_STATUSES, "GTMS_SIGNED", "LP00812637173551", "RR123456785CN", "USD",
          "12.34", "2024-03-01 10:00:00", "20240301100000000-0800", True, False]


def check(raw: bytes, header: str | None) -> AdapterResult | None:
    options = AdapterOptions(partner="aliexpress", partner_kind=PartnerKind.MARKETPLACE, subject=header)
    try:
        result = run_adapter("aliexpress", raw, received_at=RECEIVED_AT, options=options)
    except AdapterError as err:
        assert err.reason is not DeadLetterReason.INTERNAL_ERROR, err.message
        return None
    assert isinstance(result, AdapterResult)
    assert (result.outcome is Outcome.PARTIAL) == (result.bad_items > 0)
    for event in result.events:
        assert event.occurred_at.utcoffset().total_seconds() == 0
        assert len(event.subject) == 1 and event.subject[0].split(":")[0] in ("s10", "cainiao", "rp", "cdek",
                                                                             "boxberry", "spsr", "hub")
    return result


@given(st.binary(max_size=300), st.sampled_from(HEADERS))
def test_arbitrary_bytes(raw: bytes, header: str | None) -> None:
    check(raw, header)


@given(json_shapes(KEYS, VALUES), st.sampled_from(HEADERS))
def test_random_json_shapes(document: object, header: str | None) -> None:
    check(json.dumps(document).encode(), header)


@given(st.sampled_from(FIXTURES).flatmap(mutated), st.sampled_from(HEADERS))
def test_mutated_fixtures(raw: bytes, header: str | None) -> None:
    check(raw, header)


@given(
    st.lists(st.integers(min_value=0, max_value=10**14 - 1), min_size=1, max_size=7, unique=True),
    st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False, allow_infinity=False),
)
def test_order_value_shares_add_up(serials: list[int], amount: Decimal) -> None:
    # docs/architecture.md#amounts: an order naming N parcels gives N events whose shares sum to the order value.
    order = {
        "id": "8012345678901234", "order_status": "WAIT_BUYER_ACCEPT_GOODS",
        "order_amount": {"amount": str(amount), "currency_code": "USD"},
        "logistics_info_list": [{"logistics_no": f"LP{serial:014d}"} for serial in serials],
    }
    result = check(json.dumps(order).encode(), None)
    assert result is not None and len(result.events) == len(serials)
    shares = [event.amounts[0].minor for event in result.events]
    assert sum(shares) == int(amount * 100)
    assert max(shares) - min(shares) <= 1
