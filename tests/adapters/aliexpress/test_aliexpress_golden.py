"""Golden cases for the AliExpress adapter: expectations written by hand from docs/partners/aliexpress.md.

Every case is synthetic (no public payload exists; see cases/README.md). Order times are
read as US Pacific (the TOP SDK says so of `gmt_modified`; PDT is UTC-7 after 2024-03-10),
tracking `event_date`s as China time (UTC+8, assumed).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.base import AdapterError, AdapterOptions
from adapters.registry import run_adapter
from schemas import DeadLetterReason, Outcome, PartnerKind, make_event_id
from tests.adapters.event_expectations import RECEIVED_AT, assert_event, run_case

pytestmark = pytest.mark.unit

CASES = Path(__file__).parent / "cases"
ORDER_HEADER = "aliexpress_order:8012345678909999"
PARCEL_HEADER = "cainiao:LP00812637173551"
OBSERVED = RECEIVED_AT.isoformat()


def options(subject: str | None) -> AdapterOptions:
    return AdapterOptions(partner="aliexpress", partner_kind=PartnerKind.MARKETPLACE, subject=subject)


def run(name: str, subject: str | None = ORDER_HEADER):
    return run_case("aliexpress", CASES, name, options(subject))


def snapshot(**expected: object) -> dict[str, object]:
    return {"occurred_at": OBSERVED, "local_offset_minutes": None, "time_source": "observed", **expected}


# --- orders: one event per parcel, the order value split by largest remainder --------


def test_two_parcels_two_events_value_split() -> None:
    # The ds.order.get result carries no order id: it comes from hub-subject. 100.01 USD =
    # 10001 cents over two parcels: 5001 + 5000 (the earlier parcel takes the odd cent).
    result = run("synthetic_ds_order_get_two_parcels.json")
    assert result.outcome is Outcome.NORMALISED and result.problems == ()
    first, second = result.events
    code = "WAIT_BUYER_ACCEPT_GOODS/SELLER_SEND_GOODS"
    assert_event(first, snapshot(
        subject=["cainiao:LP00812637173551"], references=[ORDER_HEADER],
        status="in_transit", milestone="handed_over", raw_code=code, amounts=[("order_value", 5001, "USD")],
    ))
    assert_event(second, snapshot(
        subject=["s10:RR123456785CN"], references=[ORDER_HEADER],
        status="in_transit", milestone="handed_over", raw_code=code, amounts=[("order_value", 5000, "USD")],
    ))
    assert first.event_id == make_event_id("aliexpress", "LP00812637173551", code, None)


def test_fund_processing_at_gmt_modified_us_pacific() -> None:
    # findorderbyid names its own id; gmt_modified 2024-03-20 09:30 PDT = 16:30 UTC.
    (event,) = run("synthetic_findorderbyid_fund_processing.json", subject=None).events
    assert_event(event, {
        "subject": ["cainiao:AE010698498"], "references": ["aliexpress_order:8012345678901234"],
        "status": "delivered", "milestone": "delivered", "raw_code": "FUND_PROCESSING/BUYER_ACCEPT_GOODS",
        "occurred_at": "2024-03-20T16:30:00+00:00", "local_offset_minutes": -420,
        "amounts": [("order_value", 2550, "USD")],
    })


def test_placed_order_at_gmt_create_assumed_zone() -> None:
    # PLACE_ORDER_SUCCESS happens at gmt_create; its zone is assumed (US Pacific, PDT in July).
    # order_amount as a decimal string with the order's currency_code.
    (event,) = run("synthetic_order_placed_with_parcel.json").events
    assert_event(event, {
        "subject": ["cainiao:RS0814398526Y"], "references": ["aliexpress_order:8012345678900001"],
        "status": "info_received", "milestone": "order_placed", "raw_code": "PLACE_ORDER_SUCCESS/NO_LOGISTICS",
        "occurred_at": "2024-07-01T17:00:00+00:00", "local_offset_minutes": -420, "offset_assumed": True,
        "amounts": [("order_value", 1230, "EUR")],
    })


def test_order_without_parcel_is_ignored() -> None:
    assert run("synthetic_order_placed_no_parcel.json").outcome is Outcome.IGNORED


def test_dispute_is_an_exception() -> None:
    (event,) = run("synthetic_order_in_issue.json").events
    assert_event(event, snapshot(
        subject=["cainiao:UZ0556033196Y"], references=[ORDER_HEADER],
        status="exception", milestone="informational", reason="other", reason_party="marketplace",
        raw_code="IN_ISSUE/SELLER_SEND_GOODS", amounts=[("order_value", 700, "USD")],
    ))


def test_finish_defers_to_logistics_status() -> None:
    # FINISH says "completed or cancelled": the logistics status decides. The entry without
    # a logistics_no is a bad item; the named parcel keeps the whole value.
    result = run("synthetic_order_finish_shipped.json")
    assert result.outcome is Outcome.PARTIAL and result.bad_items == 1
    (event,) = result.events
    assert_event(event, snapshot(
        subject=["cainiao:UZ0556033196Y"], references=[ORDER_HEADER],
        status="in_transit", milestone="handed_over", raw_code="FINISH/SELLER_SEND_GOODS",
        amounts=[("order_value", 700, "USD")],
    ))


def test_repeated_and_unreadable_parcels() -> None:
    # Three distinct numbers (the repeated LP… is one parcel): 10 cents → 4 + 3 + 3. The UPS
    # number fits neither s10 nor cainiao: a bad item, its share not reassigned.
    # docs/partners/README.md#soft-check-digits: the docs' RA644000001RU has a wrong check digit: flagged, kept.
    result = run("synthetic_order_wait_seller_send_goods.json")
    assert result.outcome is Outcome.PARTIAL and result.bad_items == 1
    first, second = result.events
    code = "WAIT_SELLER_SEND_GOODS/WAIT_SELLER_SEND_GOODS"
    assert_event(first, snapshot(
        subject=["s10:RA644000001RU"], references=[ORDER_HEADER], status="info_received",
        milestone="order_placed", raw_code=code, amounts=[("order_value", 4, "USD")],
        flags=["bad_check_digit:s10:RA644000001RU"],
    ))
    assert_event(second, snapshot(
        subject=["cainiao:LP00812637173551"], references=[ORDER_HEADER], status="info_received",
        milestone="order_placed", raw_code=code, amounts=[("order_value", 3, "USD")],
    ))


# --- tracking-result details: the parcel comes from hub-subject -----------------------


def test_tracking_details_every_status() -> None:
    result = run("synthetic_querytrackingresult.json", subject=PARCEL_HEADER)
    assert result.outcome is Outcome.PARTIAL and result.bad_items == 1  # the detail without event_date
    assert result.unknown_codes == ("SYNTHETIC_NEW_CODE",)
    expected = [
        ("GTMS_SIGNED", "delivered", "delivered", None, "2024-03-19T10:05:00+00:00", True),
        ("GTMS_DELIVERING", "out_for_delivery", "out_for_delivery", None, "2024-03-19T01:00:00+00:00", True),
        ("GTMS_DEL_FAILURE", "attempt_failed", "delivery_attempt_failed", None, "2024-03-18T09:00:00+00:00", True),
        ("GTMS_WAIT_SELF_PICK", "available_for_pickup", "arrived_at_pickup_point", None,
         "2024-03-17T04:00:00+00:00", True),
        ("CUS_TAX", "exception", "customs_held", "duty_unpaid", "2024-03-12T00:00:00+00:00", True),
        ("SC_OUTBOUND_SUCCESS", "in_transit", "departed_facility", None, "2024-03-05T12:54:35+00:00", True),
        # Written with its offset: read as written, nothing assumed.
        ("GWMS_ACCEPT", "info_received", "order_placed", None, "2024-03-01T17:59:33+00:00", False),
        ("SYNTHETIC_NEW_CODE", "unknown", "unknown", None, "2024-03-01T17:00:00+00:00", True),
    ]
    assert len(result.events) == len(expected)
    for event, (code, status, milestone, reason, occurred_at, assumed) in zip(result.events, expected, strict=True):
        assert_event(event, {
            "subject": [PARCEL_HEADER], "status": status, "milestone": milestone, "raw_code": code,
            "reason": reason, "reason_party": "consignee" if reason else None,
            "occurred_at": occurred_at, "local_offset_minutes": 480, "offset_assumed": assumed,
        })
    # signed_name and address are personal data: nowhere on the events.
    dumped = "".join(e.model_dump_json() for e in result.events)
    assert "Synthetic Buyer" not in dumped and "Synthetic Street" not in dumped


def test_tracking_details_returns_and_cancellation() -> None:
    returned, returning, cancelled = run("synthetic_querytrackingresult_returns.json", subject=PARCEL_HEADER).events
    common = {"subject": [PARCEL_HEADER], "local_offset_minutes": 480, "offset_assumed": True}
    assert_event(returned, {**common, "status": "returned", "milestone": "returned_to_sender",
                            "raw_code": "RETURNED", "occurred_at": "2024-05-02T02:00:00+00:00"})
    assert_event(returning, {**common, "status": "returning", "milestone": "warehouse_inbound",
                             "raw_code": "RT_WH_INBOUND", "occurred_at": "2024-04-25T02:00:00+00:00"})
    assert_event(cancelled, {**common, "status": "cancelled", "milestone": "cancelled",
                             "raw_code": "GWMS_CANCEL", "occurred_at": "2024-04-01T02:00:00+00:00"})


def test_failed_tracking_query_is_ignored() -> None:
    assert run("synthetic_querytrackingresult_failed.json", subject=PARCEL_HEADER).outcome is Outcome.IGNORED


@pytest.mark.parametrize(
    ("name", "subject", "reason"),
    [
        ("synthetic_ds_order_get_two_parcels.json", "nonsense", DeadLetterReason.BAD_VALUE),
        ("synthetic_querytrackingresult.json", None, DeadLetterReason.MISSING_SUBJECT),
        ("synthetic_querytrackingresult.json", ORDER_HEADER, DeadLetterReason.MISSING_SUBJECT),
    ],
)
def test_subject_comes_from_the_header_when_the_payload_lacks_it(
    name: str, subject: str | None, reason: DeadLetterReason
) -> None:
    with pytest.raises(AdapterError) as caught:
        run(name, subject=subject)
    assert caught.value.reason is reason


@pytest.mark.parametrize("subject", [None, PARCEL_HEADER])
def test_an_order_without_its_id_stands_on_its_parcels(subject: str | None) -> None:
    # issue 17: the dropshipping answer names no order id; the parcels are usable identifiers,
    # so the events keep them, flagged, with no order reference.
    result = run("synthetic_ds_order_get_two_parcels.json", subject=subject)
    assert result.events and all(e.references == () and "order_id_unknown" in e.flags for e in result.events)


def test_an_odd_order_id_is_flagged_not_a_dead_letter() -> None:
    raw = b'{"id": "12", "order_status": "FINISH", "logistics_info_list": [{"logistics_no": "AE010698498"}]}'
    (event,) = run_adapter("aliexpress", raw, received_at=RECEIVED_AT, options=options(None)).events
    assert event.references == () and "odd_identifier:order_id:12" in event.flags


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b'"just a string"', DeadLetterReason.SCHEMA_MISMATCH),
        (b'{"foo": 1}', DeadLetterReason.UNKNOWN_FORMAT),
        (b'{"id": "8012345678901234", "order_status": "PLACE_ORDER_SUCCESS", "gmt_modified": "soon",'
         b' "logistics_info_list": [{"logistics_no": "AE010698498"}]}', DeadLetterReason.BAD_VALUE),
    ],
)
def test_whole_message_errors_have_closed_reasons(raw: bytes, reason: DeadLetterReason) -> None:
    with pytest.raises(AdapterError) as caught:
        run_adapter("aliexpress", raw, received_at=RECEIVED_AT, options=options(ORDER_HEADER))
    assert caught.value.reason is reason
