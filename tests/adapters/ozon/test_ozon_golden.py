"""Golden cases for the Ozon adapter: expectations written by hand from docs/partners/ozon.md."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.base import AdapterError, AdapterOptions
from schemas import DeadLetterReason, Outcome, PartnerKind, make_event_id
from tests.adapters.event_expectations import RECEIVED_AT, assert_event, run_case

pytestmark = pytest.mark.unit

CASES = Path(__file__).parent / "cases"
OPTIONS = AdapterOptions(partner="ozon", partner_kind=PartnerKind.MARKETPLACE, country="RU")
OBSERVED = RECEIVED_AT.isoformat()


def run(name: str):
    return run_case("ozon", CASES, name, OPTIONS)


# --- real fixtures -------------------------------------------------------------------


def test_state_changed_delivered() -> None:
    # docs/partners/ozon.md#push-notifications: new_state is substatus-style; changed_state_date is UTC with Z.
    result = run("ozon_push_stateChanged.json")
    assert result.outcome is Outcome.NORMALISED and result.problems == ()
    (event,) = result.events
    assert_event(event, {
        "subject": ["ozon_posting:24219509-0020-2"],
        "status": "delivered", "milestone": "delivered",
        "occurred_at": "2021-02-02T15:07:46.765000+00:00", "local_offset_minutes": 0,
        "raw_code": "posting_delivered",
    })
    assert event.event_id == make_event_id("ozon", "24219509-0020-2", "posting_delivered", "2021-02-02T15:07:46.765Z")


def test_new_posting_is_order_placed_without_amount() -> None:
    # docs/partners/ozon.md#push-notifications: TYPE_NEW_POSTING carries sku and quantity, no price: no order_value.
    (event,) = run("ozon_push_newPosting.json").events
    assert_event(event, {
        "subject": ["ozon_posting:24219509-0020-1"],
        "status": "info_received", "milestone": "order_placed",
        "occurred_at": "2021-01-26T06:56:36.294000+00:00", "local_offset_minutes": 0,
        "raw_code": "TYPE_NEW_POSTING",
    })


def test_posting_cancelled() -> None:
    # docs/partners/ozon.md#push-notifications: old_state posting_transferred_to_courier_service → new_state
    # posting_canceled.
    (event,) = run("ozon_push_postingCancelled.json").events
    assert_event(event, {
        "subject": ["ozon_posting:24219509-0020-1"],
        "status": "cancelled", "milestone": "cancelled",
        "occurred_at": "2021-01-26T06:56:36.294000+00:00", "local_offset_minutes": 0,
        "raw_code": "posting_canceled",
    })
    assert event.raw_description == "message"  # reason.message of the push


def test_delivery_date_changed_is_a_promise() -> None:
    # docs/partners/ozon.md#push-notifications, docs/architecture.md#fields: the new delivery window is a promise
    # to the buyer; its end is the promised time. The push has no time of the change: observed.
    (event,) = run("ozon_push_deliveryDateChanged.json").events
    assert_event(event, {
        "subject": ["ozon_posting:24219509-0020-2"],
        "status": "info_received", "milestone": "informational",
        "occurred_at": OBSERVED, "local_offset_minutes": None, "time_source": "observed",
        "raw_code": "TYPE_DELIVERY_DATE_CHANGED",
        "promised_delivery": "2021-11-24T16:00:00+00:00",
    })


def test_cutoff_date_changed_is_not_a_promise() -> None:
    # docs/architecture.md#fields: the cutoff is the seller's hand-over deadline, not a promise.
    result = run("ozon_push_cutoffDateChanged.json")
    assert result.outcome is Outcome.IGNORED and result.events == ()


def test_ping_is_ignored() -> None:
    result = run("ozon_push_ping.json")
    assert result.outcome is Outcome.IGNORED and result.events == ()


def test_get_by_barcode_snapshot_with_order_value() -> None:
    # docs/partners/ozon.md#posting-read-model: status snapshot (no status time); price "279.0000" × 1, roubles
    # (no currency_code).
    result = run("ozon_v2_fbs_get_by_barcode_response.json")
    (event,) = result.events
    assert_event(event, {
        "subject": ["ozon_posting:57195475-0050-3"],
        "references": ["ozon_order:57195475-0050"],
        "status": "info_received", "milestone": "order_placed",
        "occurred_at": OBSERVED, "local_offset_minutes": None, "time_source": "observed",
        "raw_code": "awaiting_packaging",
        "amounts": [("order_value", 27900, "RUB")],
    })
    assert event.event_id == make_event_id("ozon", "57195475-0050-3", "awaiting_packaging", None)


def test_v3_get_passport_data_is_an_exception() -> None:
    # docs/partners/ozon.md#posting-substatus: posting_awaiting_passport_data (status awaiting_deliver): the buyer
    # must supply passport data; tracking_number "" (Ozon logistics) adds nothing.
    (event,) = run("ozon_v3_fbs_get_response.json").events
    assert_event(event, {
        "subject": ["ozon_posting:05708065-0029-1"],
        "references": ["ozon_order:05708065-0029"],
        "status": "exception", "milestone": "informational",
        "reason": "documents_missing", "reason_party": "consignee",
        "occurred_at": OBSERVED, "local_offset_minutes": None, "time_source": "observed",
        "raw_code": "awaiting_deliver/posting_awaiting_passport_data",
        "amounts": [("order_value", 139000, "RUB")],
    })


def test_unfulfilled_list_reads_order_number_never_derives_it() -> None:
    # docs/partners/ozon.md#identifiers: the docs' inconsistent example (posting 23713478-0018-3, order 33713378-0051).
    (event,) = run("ozon_v3_fbs_unfulfilled_list_response.json").events
    assert_event(event, {
        "subject": ["ozon_posting:23713478-0018-3"],
        "references": ["ozon_order:33713378-0051"],
        "status": "info_received", "milestone": "order_placed",
        "occurred_at": OBSERVED, "local_offset_minutes": None, "time_source": "observed",
        "raw_code": "awaiting_packaging",
        "amounts": [("order_value", 125900, "RUB")],
    })


# --- synthetic: one per remaining canonical status, and the hostile corners ------------


@pytest.mark.parametrize(
    ("name", "posting", "code", "status", "milestone", "occurred_at"),
    [
        ("synthetic_push_state_transferred.json", "0132112277-0101-1", "posting_transferred_to_courier_service",
         "in_transit", "handed_over", "2024-05-06T07:08:09+00:00"),
        ("synthetic_push_state_courier.json", "0132112277-0101-1", "posting_in_courier_service",
         "out_for_delivery", "out_for_delivery", "2024-05-08T10:00:00.500000+00:00"),
        ("synthetic_push_state_pickup_point.json", "2130415463-0013-1", "posting_in_pickup_point",
         "available_for_pickup", "arrived_at_pickup_point", "2024-05-07T12:00:00+00:00"),
        ("synthetic_push_state_returned_to_warehouse.json", "2130415463-0013-1", "posting_returned_to_warehouse",
         "returning", "return_started", "2024-05-20T12:00:00+00:00"),
    ],
)
def test_state_changed_statuses(
    name: str, posting: str, code: str, status: str, milestone: str, occurred_at: str
) -> None:
    # The docs/partners/ozon.md#posting-substatus table, read from push new_state
    # (docs/partners/ozon.md#push-notifications).
    result = run(name)
    assert result.problems == ()
    (event,) = result.events
    assert_event(event, {
        "subject": [f"ozon_posting:{posting}"], "status": status, "milestone": milestone,
        "occurred_at": occurred_at, "local_offset_minutes": 0, "raw_code": code,
    })


def test_unknown_new_state_is_kept_as_unknown() -> None:
    result = run("synthetic_push_state_unknown.json")
    (event,) = result.events
    assert_event(event, {
        "subject": ["ozon_posting:2130415463-0013-1"], "status": "unknown", "milestone": "unknown",
        "occurred_at": "2024-05-21T12:00:00+00:00", "local_offset_minutes": 0, "raw_code": "posting_teleported",
    })
    assert result.unknown_codes == ("posting_teleported",)


def test_chat_push_is_ignored() -> None:
    # docs/partners/ozon.md#push-notifications: non-logistics push types.
    assert run("synthetic_push_chat_message.json").outcome is Outcome.IGNORED


def test_posting_list_tracking_numbers_money_and_bad_items() -> None:
    result = run("synthetic_fbs_list_tracking_numbers.json")
    assert result.outcome is Outcome.PARTIAL
    assert result.bad_items == 2  # the invalid posting_number and the non-object
    assert result.unknown_codes == ("posting_vanished",)
    first, second, third, fourth = result.events
    # An S10 tracking number links the posting to Russian Post's parcel;
    # docs/partners/README.md#soft-check-digits: the docs' RA644000001RU has a wrong check digit:
    # flagged, kept. 199.99×2 + 0.015 = 399.995 → 400.00.
    assert_event(first, {
        "subject": ["ozon_posting:228245774-2229-1", "s10:RA644000001RU"],
        "references": ["ozon_order:228245774-2229"],
        "status": "in_transit", "milestone": "departed_facility",
        "occurred_at": OBSERVED, "local_offset_minutes": None, "time_source": "observed",
        "raw_code": "delivering/posting_on_way_to_city",
        "amounts": [("order_value", 40000, "RUB")],
        "flags": ["bad_check_digit:s10:RA644000001RU"],
    })
    # 10 digits fit cdek (preferred) and wb_task (not a carrier): cdek, and the provider agrees.
    assert_event(second, {
        "subject": ["ozon_posting:57195475-0050-3", "cdek:1106298345"],
        "references": ["ozon_order:57195475-0050"],
        "status": "available_for_pickup", "milestone": "arrived_at_pickup_point",
        "occurred_at": OBSERVED, "local_offset_minutes": None, "time_source": "observed",
        "raw_code": "delivering/posting_in_pickup_point",
        "amounts": [("order_value", 125900, "RUB")],
    })
    # A number no scheme fits stays a flag; two currencies give no order_value.
    assert_event(third, {
        "subject": ["ozon_posting:24219509-0020-1"],
        "status": "delivered", "milestone": "delivered",
        "occurred_at": OBSERVED, "local_offset_minutes": None, "time_source": "observed",
        "raw_code": "delivered/posting_received",
        "flags": ["tracking_number_unrecognised:SYNTH-TRACK-1", "order_value_mixed_currencies"],
    })
    # Unknown substatus: the status decides (cancelled); an S10 number under a CDEK
    # provider is not linked; an unreadable price gives no order_value.
    assert_event(fourth, {
        "subject": ["ozon_posting:24219509-0020-2"],
        "status": "cancelled", "milestone": "cancelled",
        "occurred_at": OBSERVED, "local_offset_minutes": None, "time_source": "observed",
        "raw_code": "cancelled/posting_vanished",
        "flags": ["tracking_number_mismatch:RA123456789RU", "order_value_unreadable"],
    })


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"[]", DeadLetterReason.SCHEMA_MISMATCH),
        (b'{"hello": 1}', DeadLetterReason.UNKNOWN_FORMAT),
        (b'{"message_type": "TYPE_STATE_CHANGED", "new_state": "posting_delivered"}', DeadLetterReason.SCHEMA_MISMATCH),
        (b'{"message_type": "TYPE_STATE_CHANGED", "posting_number": "x", "new_state": "a",'
         b' "changed_state_date": "2021-02-02T15:07:46Z"}', DeadLetterReason.BAD_VALUE),
        (b'{"message_type": "TYPE_STATE_CHANGED", "posting_number": "24219509-0020-2",'
         b' "new_state": "posting_delivered", "changed_state_date": "2021-02-02 15:07"}', DeadLetterReason.BAD_VALUE),
        (b'{"message_type": "TYPE_SOMETHING_NEW", "posting_number": "24219509-0020-2"}',
         DeadLetterReason.UNKNOWN_FORMAT),
        (b'{"result": {"posting_number": "24219509-0020-2"}}', DeadLetterReason.SCHEMA_MISMATCH),
        (b'{"result": "nope"}', DeadLetterReason.SCHEMA_MISMATCH),
    ],
)
def test_whole_message_errors_have_closed_reasons(raw: bytes, reason: DeadLetterReason) -> None:
    from adapters.registry import run_adapter

    with pytest.raises(AdapterError) as caught:
        run_adapter("ozon", raw, received_at=RECEIVED_AT, options=OPTIONS)
    assert caught.value.reason is reason
