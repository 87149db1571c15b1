"""AliExpress payloads from AliExpress's own open-platform docs (docs/partners/aliexpress.md#published-payloads),
and the wrappings issue 17 reported, with golden expectations written by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.base import AdapterOptions
from schemas import Outcome, PartnerKind
from tests.adapters.event_expectations import RECEIVED_AT, assert_event, run_case

pytestmark = pytest.mark.unit

CASES = Path(__file__).parent / "cases"
OPTIONS = AdapterOptions(partner="aliexpress", partner_kind=PartnerKind.MARKETPLACE)


def run(name: str):
    return run_case("aliexpress", CASES, name, OPTIONS)


def test_the_dropshipping_order_answer() -> None:
    # No order id anywhere and no header: the parcel carries the event, flagged; FINISH defers
    # to BUYER_ACCEPT_GOODS; the amount is user_order_amount (8.34 USD); no time of the status.
    result = run("aliexpress_docs_ds_order_get_LP00675700340000.json")
    assert result.outcome is Outcome.NORMALISED and result.problems == ()
    (event,) = result.events
    assert_event(event, {
        "subject": ["cainiao:LP00675700340000"], "status": "delivered", "milestone": "delivered",
        "raw_code": "FINISH/BUYER_ACCEPT_GOODS", "occurred_at": RECEIVED_AT.isoformat(), "local_offset_minutes": None,
        "time_source": "observed", "amounts": [("order_value", 834, "USD")], "flags": ["order_id_unknown"],
    })


def test_the_error_answer_is_ignored_with_its_code() -> None:
    result = run("aliexpress_docs_error_response_insufficient_permission.json")
    assert result.outcome is Outcome.IGNORED
    assert result.problems[0].detail == "AliExpress error_response 15 isv.insufficient-permission Remote service error"


def test_a_page_of_orders_under_target_list() -> None:
    # Written from the reported shape (result.target_list.<dto>[]), with AliExpress's 8-digit
    # example order ids: one order with a parcel, one naming none, one not an order.
    result = run("synthetic_order_page_target_list.json")
    assert result.outcome is Outcome.PARTIAL and result.bad_items == 1
    (event,) = result.events
    assert_event(event, {
        "subject": ["cainiao:LP00812637173551"], "references": ["aliexpress_order:10000001"],
        "status": "in_transit", "milestone": "handed_over", "raw_code": "WAIT_BUYER_ACCEPT_GOODS/SELLER_SEND_GOODS",
        "occurred_at": "2024-09-10T15:00:00+00:00", "local_offset_minutes": -420, "amounts": [("order_value", 1324, "USD")],
    })


def test_an_order_under_result_data() -> None:
    (event,) = run("synthetic_order_result_data.json").events
    assert_event(event, {
        "subject": ["s10:RR123456785CN"], "references": ["aliexpress_order:10000003"],
        "status": "in_transit", "milestone": "handed_over", "raw_code": "WAIT_BUYER_ACCEPT_GOODS/SELLER_SEND_GOODS",
        "occurred_at": "2024-09-12T17:00:00+00:00", "local_offset_minutes": -420,
    })
