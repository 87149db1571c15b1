"""Golden tests for the CDEK adapter: every case file, expected values written by hand from docs/partners/cdek.md."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from adapters.base import AdapterError, AdapterOptions, AdapterResult
from adapters.registry import run_adapter
from schemas import Amount, AmountKind, DeadLetterReason, Milestone, Outcome, PartnerKind, Party, Reason, Status

pytestmark = pytest.mark.unit

CASES = Path(__file__).parent / "cases"
RECEIVED = datetime(2024, 6, 1, 12, 0, tzinfo=timezone.utc)
OPTIONS = AdapterOptions(partner="cdek", partner_kind=PartnerKind.COURIER, country="RU")

FORWARD = ("cdek:1106153417", "cdek_uuid:72753031-8347-40c0-ab0f-1a49c7a262c1")
RETURN = ("cdek:1234567891", "cdek_uuid:0b5c8d0e-1111-4a6b-9c3d-2e4f5a6b7c8d")


def run(name: str) -> AdapterResult:
    return run_adapter("cdek", (CASES / name).read_bytes(), received_at=RECEIVED, options=OPTIONS)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


# --- webhooks (docs/partners/cdek.md#webhooks) -----------------------------------------------------


def test_real_webhook_delivered() -> None:
    # docs/partners/cdek.md#order_status-webhook, the SDK's example: DELIVERED at 12:41:43+0700 in Novosibirsk.
    result = run("cdek_webhook_0.json")
    assert result.outcome is Outcome.NORMALISED
    (event,) = result.events
    assert event.subject == FORWARD
    assert event.references == ("shop:cdek/1106152821",)
    assert (event.status, event.milestone) == (Status.DELIVERED, Milestone.DELIVERED)
    assert event.occurred_at == utc(2019, 7, 11, 5, 41, 43)
    assert event.local_offset_minutes == 420
    assert event.offset_assumed is False
    assert event.raw_code == "DELIVERED"
    assert event.raw_description == "Вручен"
    assert event.location is not None and event.location.city == "Новосибирск" and event.location.country == "RU"
    assert event.reason is None and event.amounts == ()
    assert event.event_id == "evt_5493e0d6783618a991b63de3eff96d79"  # the lead's v1 id: unchanged


def test_real_print_form_webhook_is_ignored() -> None:
    # docs/partners/cdek.md#other-webhook-types: PRINT_FORM is not a tracking message.
    result = run("cdek_webhook_1.json")
    assert result.outcome is Outcome.IGNORED and result.events == ()


def test_other_webhook_types_are_ignored() -> None:
    assert run("synthetic_webhook_download_photo.json").outcome is Outcome.IGNORED


def test_return_order_delivered_is_returned_and_linked_to_its_forward_order() -> None:
    # is_return; related_entities (docs/partners/cdek.md#order-read-model): the forward order's uuid and number
    # join the subject.
    (event,) = run("synthetic_webhook_return_delivered.json").events
    assert event.subject == RETURN + FORWARD[1:] + FORWARD[:1]
    assert (event.status, event.milestone) == (Status.RETURNED, Milestone.RETURNED_TO_SENDER)
    assert event.occurred_at == utc(2024, 3, 12, 14, 59, 10)
    assert event.local_offset_minutes == 180
    assert event.references == ("shop:cdek/R-1106152821",)
    assert event.location is not None and event.location.city == "Москва"  # from city_name


def test_not_delivered_with_additional_status_storage_expired() -> None:
    # NOT_DELIVERED (docs/partners/cdek.md#main-status-table) + code 23 "Возврат, истек срок хранения"
    # (docs/partners/cdek.md#additional-status-codes).
    result = run("synthetic_webhook_not_delivered_reason23.json")
    (event,) = result.events
    assert (event.status, event.milestone) == (Status.RETURNING, Milestone.RETURN_STARTED)
    assert (event.reason, event.reason_party) == (Reason.STORAGE_EXPIRED, Party.CONSIGNEE)
    assert event.occurred_at == utc(2024, 3, 5, 3, 55)
    assert event.local_offset_minutes == 300
    assert event.raw_code == "NOT_DELIVERED"
    assert event.raw_description == "Не вручен; Возврат, истек срок хранения"
    assert result.problems == ()


def test_additional_status_lost_overrides_the_return() -> None:
    # docs/partners/cdek.md#additional-status-codes: code 26 "Утерян", sent as a JSON number.
    (event,) = run("synthetic_webhook_lost_reason26.json").events
    assert (event.status, event.milestone) == (Status.EXCEPTION, Milestone.LOST)
    assert (event.reason, event.reason_party) == (Reason.LOST, Party.CARRIER)
    assert event.occurred_at == utc(2024, 4, 1, 8, 30)


def test_legacy_numeric_status_code_alone() -> None:
    # docs/partners/cdek.md#main-status-table, legacy number 12 = ACCEPTED_AT_PICK_UP_POINT; numbers as JSON numbers
    # (SDK DTO types).
    (event,) = run("synthetic_webhook_legacy_numeric_only.json").events
    assert (event.status, event.milestone) == (Status.AVAILABLE_FOR_PICKUP, Milestone.ARRIVED_AT_PICKUP_POINT)
    assert event.raw_code == "12"
    assert event.subject == FORWARD
    assert event.occurred_at == utc(2024, 3, 4, 2, 45)


def test_sdk_spelling_of_received_at_warehouse() -> None:
    # docs/partners/cdek.md#two-spellings: the SDK writes RECEIVED_AT_SENDER_WAREHOUSE; accept both spellings.
    (event,) = run("synthetic_webhook_sdk_spelling.json").events
    assert (event.status, event.milestone) == (Status.IN_TRANSIT, Milestone.ACCEPTED)
    assert event.raw_code == "RECEIVED_AT_SENDER_WAREHOUSE"
    assert event.occurred_at == utc(2024, 3, 1, 4, 58)


def test_unknown_code_and_reason_are_kept_as_unknown() -> None:
    # docs/partners/README.md#status-vocabularies-grow: an unknown code is kept raw, never guessed.
    result = run("synthetic_webhook_unknown_code.json")
    assert result.outcome is Outcome.NORMALISED
    (event,) = result.events
    assert (event.status, event.milestone) == (Status.UNKNOWN, Milestone.UNKNOWN)
    assert event.raw_code == "READY_FOR_SOMETHING_NEW"
    assert set(result.unknown_codes) == {"READY_FOR_SOMETHING_NEW", "reason_code:99"}


# --- order read model (docs/partners/cdek.md#order-read-model, GET /v2/orders/{uuid}) ---------------------

# Hand-written from docs/partners/cdek.md#order-status-codes (with the newer docs' warehouse, international
# and postamat codes).
EVERY_STATUS: list[tuple[str, Status, Milestone]] = [
    ("ACCEPTED", Status.INFO_RECEIVED, Milestone.ORDER_PLACED),
    ("CREATED", Status.INFO_RECEIVED, Milestone.ORDER_PLACED),
    ("REMOVED", Status.CANCELLED, Milestone.CANCELLED),
    ("RECEIVED_AT_SHIPMENT_WAREHOUSE", Status.IN_TRANSIT, Milestone.ACCEPTED),
    ("READY_FOR_SHIPMENT_IN_SENDER_CITY", Status.IN_TRANSIT, Milestone.INFORMATIONAL),
    ("RETURNED_TO_SENDER_CITY_WAREHOUSE", Status.IN_TRANSIT, Milestone.ARRIVED_AT_FACILITY),
    ("TAKEN_BY_TRANSPORTER_FROM_SENDER_CITY", Status.IN_TRANSIT, Milestone.DEPARTED_FACILITY),
    ("SENT_TO_TRANSIT_CITY", Status.IN_TRANSIT, Milestone.DEPARTED_FACILITY),
    ("ACCEPTED_IN_TRANSIT_CITY", Status.IN_TRANSIT, Milestone.ARRIVED_AT_FACILITY),
    ("ACCEPTED_AT_TRANSIT_WAREHOUSE", Status.IN_TRANSIT, Milestone.ARRIVED_AT_FACILITY),
    ("RETURNED_TO_TRANSIT_WAREHOUSE", Status.IN_TRANSIT, Milestone.ARRIVED_AT_FACILITY),
    ("READY_FOR_SHIPMENT_IN_TRANSIT_CITY", Status.IN_TRANSIT, Milestone.INFORMATIONAL),
    ("TAKEN_BY_TRANSPORTER_FROM_TRANSIT_CITY", Status.IN_TRANSIT, Milestone.DEPARTED_FACILITY),
    ("SENT_TO_SENDER_CITY", Status.RETURNING, Milestone.RETURN_STARTED),
    ("SENT_TO_RECIPIENT_CITY", Status.IN_TRANSIT, Milestone.DEPARTED_FACILITY),
    ("ACCEPTED_IN_SENDER_CITY", Status.RETURNING, Milestone.ARRIVED_AT_FACILITY),
    ("ACCEPTED_IN_RECIPIENT_CITY", Status.IN_TRANSIT, Milestone.ARRIVED_AT_FACILITY),
    ("ACCEPTED_AT_RECIPIENT_CITY_WAREHOUSE", Status.IN_TRANSIT, Milestone.ARRIVED_AT_FACILITY),
    ("ACCEPTED_AT_PICK_UP_POINT", Status.AVAILABLE_FOR_PICKUP, Milestone.ARRIVED_AT_PICKUP_POINT),
    ("TAKEN_BY_COURIER", Status.OUT_FOR_DELIVERY, Milestone.OUT_FOR_DELIVERY),
    ("RETURNED_TO_RECIPIENT_CITY_WAREHOUSE", Status.ATTEMPT_FAILED, Milestone.DELIVERY_ATTEMPT_FAILED),
    ("DELIVERED", Status.DELIVERED, Milestone.DELIVERED),
    ("NOT_DELIVERED", Status.RETURNING, Milestone.RETURN_STARTED),
    ("INVALID", Status.EXCEPTION, Milestone.INFORMATIONAL),
    ("ENTERED_TO_TRANSIT_WAREHOUSE", Status.IN_TRANSIT, Milestone.ARRIVED_AT_FACILITY),
    ("ENTERED_TO_RECIPIENT_CITY_WAREHOUSE", Status.IN_TRANSIT, Milestone.ARRIVED_AT_FACILITY),
    ("ENTERED_TO_PICK_UP_POINT", Status.AVAILABLE_FOR_PICKUP, Milestone.ARRIVED_AT_PICKUP_POINT),
    ("IN_CUSTOMS_INTERNATIONAL", Status.IN_TRANSIT, Milestone.EXPORT_CUSTOMS_STARTED),
    ("SHIPPED_TO_DESTINATION", Status.IN_TRANSIT, Milestone.DEPARTED_ORIGIN),
    ("PASSED_TO_TRANSIT_CARRIER", Status.IN_TRANSIT, Milestone.HANDED_OVER),
    ("IN_CUSTOMS_LOCAL", Status.IN_TRANSIT, Milestone.IMPORT_CUSTOMS_STARTED),
    ("CUSTOMS_COMPLETE", Status.IN_TRANSIT, Milestone.IMPORT_CUSTOMS_CLEARED),
    ("POSTOMAT_POSTED", Status.AVAILABLE_FOR_PICKUP, Milestone.ARRIVED_AT_PICKUP_POINT),
    ("POSTOMAT_SEIZED", Status.RETURNING, Milestone.RETURN_STARTED),
    ("POSTOMAT_RECEIVED", Status.DELIVERED, Milestone.DELIVERED),
    ("ARRIVED_AT_RECIPIENT_CITY", Status.IN_TRANSIT, Milestone.ARRIVED_AT_FACILITY),
    ("ISSUED_FOR_DELIVERY", Status.OUT_FOR_DELIVERY, Milestone.OUT_FOR_DELIVERY),
    ("ENTERED_TO_WAREHOUSE_ON_DEMAND", Status.AVAILABLE_FOR_PICKUP, Milestone.ARRIVED_AT_PICKUP_POINT),
]


def test_read_model_one_event_per_status() -> None:
    result = run("synthetic_read_model_every_status.json")
    assert result.outcome is Outcome.NORMALISED and result.problems == ()
    got = [(e.raw_code, e.status, e.milestone) for e in result.events]
    assert got == EVERY_STATUS


def test_read_model_identity_references_and_times() -> None:
    events = run("synthetic_read_model_every_status.json").events
    for event in events:
        # The forward order's related return_order joins the subject; the barcode relation does not.
        assert event.subject == FORWARD + RETURN[1:] + RETURN[:1]
        assert event.references == ("shop:cdek/1106152821",)
        assert event.location is not None and event.location.city == "Новосибирск"
    by_code = {e.raw_code: e for e in events}
    assert by_code["ACCEPTED"].occurred_at == utc(2024, 3, 1, 3, 0)
    assert by_code["DELIVERED"].occurred_at == utc(2024, 3, 1, 3, 21)
    assert by_code["ENTERED_TO_WAREHOUSE_ON_DEMAND"].occurred_at == utc(2024, 3, 1, 3, 37)
    assert by_code["NOT_DELIVERED"].reason is Reason.ADDRESSEE_REFUSED
    assert by_code["INVALID"].reason_party is Party.SENDER
    assert by_code["CREATED"].raw_description == "Создан"


def test_read_model_amounts() -> None:
    # order_value = Σ cost × amount = 1000.5×2 + 99.99 = 2100.99 RUB on every event;
    # payment_sum 2100.99 (cod) and delivery_sum 350.0 (delivery_fee) on the delivered events;
    # total_sum 412.3 is CDEK's charge, not emitted.
    events = run("synthetic_read_model_every_status.json").events
    order_value = Amount(kind=AmountKind.ORDER_VALUE, minor=210099, currency="RUB")
    cod = Amount(kind=AmountKind.COD, minor=210099, currency="RUB")
    fee = Amount(kind=AmountKind.DELIVERY_FEE, minor=35000, currency="RUB")
    for event in events:
        if event.raw_code in ("DELIVERED", "POSTOMAT_RECEIVED"):
            assert event.amounts == (order_value, cod, fee)
        else:
            assert event.amounts == (order_value,)


def test_read_model_return_order() -> None:
    # docs/partners/cdek.md#order-read-model: related_entities direct_order; is_return turns the journey into
    # the way back.
    result = run("synthetic_read_model_return_order.json")
    assert result.outcome is Outcome.NORMALISED
    expected = [
        ("CREATED", Status.RETURNING, Milestone.RETURN_STARTED, utc(2024, 3, 6, 5, 0)),
        ("RECEIVED_AT_SHIPMENT_WAREHOUSE", Status.RETURNING, Milestone.ACCEPTED, utc(2024, 3, 6, 7, 0)),
        ("SENT_TO_RECIPIENT_CITY", Status.RETURNING, Milestone.DEPARTED_FACILITY, utc(2024, 3, 7, 3, 0)),
        ("ACCEPTED_AT_PICK_UP_POINT", Status.RETURNING, Milestone.ARRIVED_AT_PICKUP_POINT, utc(2024, 3, 11, 6, 30)),
        ("DELIVERED", Status.RETURNED, Milestone.RETURNED_TO_SENDER, utc(2024, 3, 12, 14, 59, 10)),
    ]
    assert [(e.raw_code, e.status, e.milestone, e.occurred_at) for e in result.events] == expected
    for event in result.events:
        assert event.subject == RETURN + FORWARD[1:]
        assert event.references == ("shop:cdek/R-1106152821",)
    assert result.events[-1].amounts == (Amount(kind=AmountKind.DELIVERY_FEE, minor=29050, currency="RUB"),)
    assert result.events[0].amounts == ()


def test_same_status_in_webhook_and_read_model_has_one_event_id() -> None:
    # docs/architecture.md#event-id: the same operation seen through two formats yields one id.
    webhook = run("synthetic_webhook_return_delivered.json").events[0]
    read_model = run("synthetic_read_model_return_order.json").events[-1]
    assert webhook.event_id == read_model.event_id


# Hand-written from docs/partners/cdek.md#additional-status-codes: additional status → reason and the party the
# text names.
REASONS: list[tuple[str, Reason | None, Party | None]] = [
    ("1", Reason.ADDRESS_PROBLEM, Party.SENDER),
    ("2", Reason.ADDRESSEE_ABSENT, Party.CONSIGNEE),
    ("3", Reason.ADDRESS_PROBLEM, Party.SENDER),
    ("4", Reason.OTHER, Party.SENDER),
    ("5", Reason.OTHER, Party.SENDER),
    ("6", Reason.OTHER, Party.SENDER),
    ("7", Reason.ADDRESS_PROBLEM, Party.SENDER),
    ("8", Reason.DAMAGED, Party.SENDER),
    ("9", Reason.DAMAGED, Party.CARRIER),
    ("10", Reason.DAMAGED, Party.CARRIER),
    ("11", Reason.ADDRESSEE_REFUSED, Party.CONSIGNEE),
    ("12", Reason.ADDRESSEE_REFUSED, Party.SENDER),
    ("13", Reason.ADDRESSEE_REFUSED, Party.SENDER),
    ("14", Reason.ADDRESSEE_REFUSED, Party.SENDER),
    ("15", Reason.ADDRESSEE_REFUSED, Party.CONSIGNEE),
    ("16", Reason.ADDRESSEE_REFUSED, Party.CONSIGNEE),
    ("17", Reason.ADDRESSEE_REFUSED, Party.CONSIGNEE),
    ("18", Reason.ADDRESSEE_REFUSED, Party.SENDER),
    ("19", Reason.DAMAGED, Party.CARRIER),
    ("20", None, None),
    ("21", Reason.ADDRESSEE_REFUSED, Party.CONSIGNEE),
    ("22", Reason.ADDRESSEE_REFUSED, Party.CONSIGNEE),
    ("23", Reason.STORAGE_EXPIRED, Party.CONSIGNEE),
    ("24", Reason.CUSTOMS_REFUSED, Party.CUSTOMS),
    ("25", Reason.CUSTOMS_REFUSED, Party.SENDER),
    ("26", Reason.LOST, Party.CARRIER),
    ("27", Reason.STORAGE_EXPIRED, Party.CONSIGNEE),
    ("31", Reason.SENDER_REQUEST, Party.SENDER),
    ("32", Reason.SENDER_REQUEST, Party.SENDER),
    ("33", Reason.DOCUMENTS_MISSING, Party.SENDER),
]


def test_read_model_reason_codes() -> None:
    result = run("synthetic_read_model_reason_codes.json")
    assert result.problems == ()
    assert [(e.reason, e.reason_party) for e in result.events] == [(r, p) for _, r, p in REASONS]
    statuses = {e.occurred_at.day: (e.status, e.milestone) for e in result.events}
    assert statuses[26] == (Status.EXCEPTION, Milestone.LOST)  # the 26th entry is code 26
    assert statuses[1] == (Status.RETURNING, Milestone.RETURN_STARTED)


def test_read_model_bad_items_are_skipped() -> None:
    result = run("synthetic_read_model_bad_items.json")
    assert result.outcome is Outcome.PARTIAL
    assert result.bad_items == 2  # the bad time, the status without code
    (event,) = result.events  # the repeated CREATED is one event
    assert event.raw_code == "CREATED"
    # No delivered status survived: delivery_detail's good amount rides on the latest event.
    assert event.amounts == (Amount(kind=AmountKind.DELIVERY_FEE, minor=10000, currency="RUB"),)
    assert any(p.kind == "bad_amount" for p in result.problems)


def test_sdk_print_form_read_model_is_ignored() -> None:
    # docs/partners/cdek.md#a-print-form-is-not-an-order: the statuses the SDK test shows are a receipt's
    # (print form), not an order's.
    assert run("cdek_sdk_print_form_read_model.json").outcome is Outcome.IGNORED


def test_no_personal_data_reaches_events() -> None:
    for name in ("synthetic_read_model_every_status.json",):
        for event in run(name).events:
            text = event.model_dump_json()
            for secret in ("Синтетический", "+79990000000", "Синтетическая", "recipient"):
                assert secret not in text


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"[]", DeadLetterReason.SCHEMA_MISMATCH),
        (b'{"hello": 1}', DeadLetterReason.UNKNOWN_FORMAT),
        (b'{"type": "ORDER_STATUS", "attributes": {"code": "DELIVERED"}}', DeadLetterReason.SCHEMA_MISMATCH),
        (b'{"type": "ORDER_STATUS", "attributes": {"code": "DELIVERED", "status_date_time": "2024-01-01T00:00:00+0300"}}',
         DeadLetterReason.SCHEMA_MISMATCH),
        (b'{"type": "ORDER_STATUS", "uuid": "x", "attributes": {"code": "DELIVERED", "status_date_time": "2024"}}',
         DeadLetterReason.BAD_VALUE),
        (b'{"type": "ORDER_STATUS", "attributes": {"cdek_number": "1106153417", "code": "DELIVERED",'
         b' "status_date_time": "2024-01-01T00:00:00"}}', DeadLetterReason.BAD_VALUE),
        (b'{"entity": {"cdek_number": "1", "statuses": [{"code": "CREATED", "date_time": "2024-01-01T00:00:00Z"}]}}',
         DeadLetterReason.BAD_VALUE),
    ],
)
def test_unreadable_messages_are_dead_lettered(raw: bytes, reason: DeadLetterReason) -> None:
    with pytest.raises(AdapterError) as caught:
        run_adapter("cdek", raw, received_at=RECEIVED, options=OPTIONS)
    assert caught.value.reason is reason
