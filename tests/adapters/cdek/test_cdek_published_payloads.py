"""CDEK payloads others published (docs/partners/cdek.md#published-payloads), with golden
expectations written by hand from docs/partners/cdek.md."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.base import AdapterError, AdapterOptions
from adapters.registry import run_adapter
from schemas import DeadLetterReason, Outcome, PartnerKind
from tests.adapters.event_expectations import RECEIVED_AT, assert_event, run_case

pytestmark = pytest.mark.unit

CASES = Path(__file__).parent / "cases"
OPTIONS = AdapterOptions(partner="cdek", partner_kind=PartnerKind.COURIER, country="RU")


def run(name: str):
    return run_case("cdek", CASES, name, OPTIONS)


def test_order_status_with_city_name() -> None:
    (event,) = run("cdek_docs_webhook_order_status_city_name.json").events
    assert_event(event, {
        "subject": ["cdek:1100285492", "cdek_uuid:72753031-1820-4f99-9240-aab139f05ca5"],
        "references": ["shop:cdek/17011574744791"], "status": "in_transit", "milestone": "accepted",
        "raw_code": "RECEIVED_AT_SHIPMENT_WAREHOUSE", "occurred_at": "2023-11-28T07:44:45+00:00", "local_offset_minutes": 0,
    })
    assert event.location is not None and event.location.city == "Новосибирск"


def test_a_new_planned_delivery_date_is_a_promise() -> None:
    # No cdek_number in ORDER_MODIFIED: the order is its uuid. The date alone is the end of
    # that day in the assumed zone (Moscow, UTC+3).
    (event,) = run("cdek_docs_webhook_order_modified_planned_date.json").events
    assert_event(event, {
        "subject": ["cdek_uuid:72753034-23a3-46a5-974d-8b1239d515e1"], "status": "in_transit",
        "milestone": "informational", "raw_code": "PLANED_DELIVERY_DATE_CHANGED",
        "occurred_at": "2024-08-19T10:02:15+00:00", "local_offset_minutes": 0,
        "promised_delivery": "2024-08-21T20:59:59+00:00",
    })


def test_an_agreed_delivery_window_is_a_promise() -> None:
    (event,) = run("cdek_docs_webhook_deliv_agreement.json").events
    assert_event(event, {
        "subject": ["cdek:10000063729", "cdek_uuid:72753031-680b-47dd-83e7-027e35e831b3"], "status": "in_transit",
        "milestone": "informational", "raw_code": "DELIV_AGREEMENT",
        "occurred_at": "2024-12-06T11:32:31.608716+00:00", "local_offset_minutes": 0,
        "promised_delivery": "2024-12-13T15:00:00+00:00",  # 18:00 Moscow, the window's end
    })
    assert event.raw_description == "2024-12-13 11:00:00-18:00:00; Доставка до двери"


def test_a_delivery_problem_keeps_its_reason_and_party() -> None:
    result = run("cdek_docs_webhook_deliv_problem_45.json")
    (event,) = result.events
    assert_event(event, {
        "subject": ["cdek:10000077777", "cdek_uuid:72753031-a5c5-4e30-8234-bd9daf53ad59"],
        "references": ["shop:cdek/IM-123456789"], "status": "exception", "milestone": "informational",
        "reason": "documents_missing", "reason_party": "consignee", "raw_code": "DELIV_PROBLEM:45",
        "occurred_at": "2024-12-18T11:35:57+00:00", "local_offset_minutes": 0,
    })
    assert event.raw_description == "Нет документа удостоверяющего личность"


def test_an_unknown_problem_code_is_still_a_problem_and_counted() -> None:
    raw = (b'{"type": "DELIV_PROBLEM", "date_time": "2024-12-18T07:49:33+0000", "uuid": "72753031-a5c5-4e30-8234-bd9daf53ad59",'
           b' "attributes": {"cdek_number": "10000077777", "code": "99", "create_date": "2024-12-18T11:35:57Z"}}')
    result = run_adapter("cdek", raw, received_at=RECEIVED_AT, options=OPTIONS)
    assert result.unknown_codes == ("deliv_problem:99",)
    assert (result.events[0].status.value, result.events[0].reason.value) == ("exception", "other")


@pytest.mark.parametrize(("name", "detail"), [
    ("cdek_docs_webhook_courier_info.json", "webhook type COURIER_INFO"),
])
def test_non_tracking_webhooks_are_ignored_with_their_reason(name: str, detail: str) -> None:
    result = run(name)
    assert result.outcome is Outcome.IGNORED and result.problems[0].detail == detail


def test_other_order_modifications_are_ignored() -> None:
    raw = (b'{"type": "ORDER_MODIFIED", "date_time": "2024-08-19T10:02:15+0000", "uuid": "72753034-23a3-46a5-974d-8b1239d515e1",'
           b' "attributes": {"modification_type": "DELIVERY_SUM_CHANGED", "new_value": {"type": "MONEY", "value": "100"}}}')
    assert run_adapter("cdek", raw, received_at=RECEIVED_AT, options=OPTIONS).outcome is Outcome.IGNORED


def test_the_placeholder_office_is_no_city() -> None:
    # docs/partners/cdek.md#placeholder-office: "Офис СДЭК" on ACCEPTED; the next status has a real city.
    accepted, created = run("cdek_real_read_model_1105661402_placeholder_office.json").events
    assert accepted.location is None
    assert created.location is not None and created.location.city == "Москва"
    for event, code, at in ((accepted, "ACCEPTED", "2020-01-28T09:19:26+00:00"), (created, "CREATED", "2020-01-28T09:19:28+00:00")):
        assert_event(event, {
            "subject": ["cdek:1105661402", "cdek_uuid:72753031-ebf7-4f15-8d23-dc6951808d69"],
            "references": ["shop:cdek/1580203165"], "status": "info_received", "milestone": "order_placed",
            "raw_code": code, "occurred_at": at, "local_offset_minutes": 420,
            "amounts": [("order_value", 60000, "RUB")],  # 300.0 × 2 items
        })


def test_a_test_api_answer_without_cdek_number_rides_on_the_uuid() -> None:
    (event,) = run("cdek_real_read_model_test_api_no_cdek_number.json").events
    assert_event(event, {
        "subject": ["cdek_uuid:9aedf214-562a-45a2-982c-897b753a0ebd"], "references": ["shop:cdek/ddOererre7450813980068"],
        "status": "info_received", "milestone": "order_placed", "raw_code": "ACCEPTED",
        "occurred_at": "2024-10-12T16:31:14+00:00", "local_offset_minutes": 180, "amounts": [("order_value", 60000, "RUB")],
    })
    assert event.location is None


def test_an_odd_cdek_number_is_flagged_while_the_uuid_carries_the_event() -> None:
    raw = (b'{"type": "ORDER_STATUS", "uuid": "72753031-8347-40c0-ab0f-1a49c7a262c1", "attributes": {"cdek_number": "ABC-17",'
           b' "code": "DELIVERED", "status_date_time": "2019-07-11T12:41:43+0700"}}')
    result = run_adapter("cdek", raw, received_at=RECEIVED_AT, options=OPTIONS)
    (event,) = result.events
    assert event.subject == ("cdek_uuid:72753031-8347-40c0-ab0f-1a49c7a262c1",)
    assert event.flags == ("odd_identifier:cdek_number:ABC-17",)
    assert result.outcome is Outcome.NORMALISED


def test_no_usable_number_is_a_dead_letter() -> None:
    raw = (b'{"type": "ORDER_STATUS", "uuid": "not-a-uuid", "attributes": {"cdek_number": "ABC-17",'
           b' "code": "DELIVERED", "status_date_time": "2019-07-11T12:41:43+0700"}}')
    with pytest.raises(AdapterError) as caught:
        run_adapter("cdek", raw, received_at=RECEIVED_AT, options=OPTIONS)
    assert caught.value.reason is DeadLetterReason.BAD_VALUE
