"""Golden tests for the SPSR adapter: synthetic cases from docs/partners/spsr.md, expected values written by hand."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from adapters.base import AdapterError, AdapterOptions, AdapterResult
from adapters.registry import run_adapter
from schemas import Amount, AmountKind, DeadLetterReason, Milestone, Outcome, PartnerKind, Status, TimeSource

pytestmark = pytest.mark.unit

CASES = Path(__file__).parent / "cases"
RECEIVED = datetime(2024, 6, 1, 12, 0, tzinfo=timezone.utc)


def run(name: str, subject: str | None = None) -> AdapterResult:
    options = AdapterOptions(partner="spsr", partner_kind=PartnerKind.COURIER, subject=subject, country="RU")
    return run_adapter("spsr", (CASES / name).read_bytes(), received_at=RECEIVED, options=options)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def test_delivered() -> None:
    # docs/partners/spsr.md#timestamps: CurState "Доставлено", DeliveryDT local without zone → Moscow, assumed.
    result = run("synthetic_delivered.xml")
    assert result.outcome is Outcome.NORMALISED and result.problems == ()
    (event,) = result.events
    assert event.subject == ("spsr:41320612",)
    assert event.references == ("shop:spsr/SHOP-77-001",)
    assert (event.status, event.milestone) == (Status.DELIVERED, Milestone.DELIVERED)
    assert event.occurred_at == utc(2019, 3, 14, 12, 32)
    assert (event.local_offset_minutes, event.offset_assumed, event.time_source) == (180, True, TimeSource.PARTNER)
    assert event.raw_code == "Доставлено"
    # order_value = DeclaredSum 1500.00; cod = CODGoodsSum 1500.00 + CODDeliverySum 250.00.
    assert event.amounts == (
        Amount(kind=AmountKind.ORDER_VALUE, minor=150000, currency="RUB"),
        Amount(kind=AmountKind.COD, minor=175000, currency="RUB"),
    )


def test_not_delivered_windows_1251() -> None:
    (event,) = run("synthetic_not_delivered_cp1251.xml").events
    assert (event.status, event.milestone) == (Status.ATTEMPT_FAILED, Milestone.DELIVERY_ATTEMPT_FAILED)
    assert event.raw_code == "Не доставлено"
    assert event.occurred_at == utc(2019, 3, 15, 15, 5)
    assert event.offset_assumed is True
    assert event.amounts == (
        Amount(kind=AmountKind.ORDER_VALUE, minor=320000, currency="RUB"),
        Amount(kind=AmountKind.COD, minor=0, currency="RUB"),
    )


def test_processing_has_observed_time() -> None:
    # docs/partners/spsr.md#timestamps, docs/architecture.md#times: "Обработка" has no time →
    # received_at, time_source observed.
    (event,) = run("synthetic_processing.xml").events
    assert (event.status, event.milestone) == (Status.IN_TRANSIT, Milestone.INFORMATIONAL)
    assert event.occurred_at == RECEIVED
    assert event.time_source is TimeSource.OBSERVED
    assert (event.local_offset_minutes, event.offset_assumed) == (None, False)
    assert event.amounts == (Amount(kind=AmountKind.ORDER_VALUE, minor=99050, currency="RUB"),)


def test_processing_polled_again_is_the_same_event() -> None:
    first = run("synthetic_processing.xml").events[0]
    options = AdapterOptions(partner="spsr", partner_kind=PartnerKind.COURIER)
    raw = (CASES / "synthetic_processing.xml").read_bytes()
    later = run_adapter("spsr", raw, received_at=utc(2024, 6, 2), options=options).events[0]
    assert first.event_id == later.event_id


def test_three_invoices_one_bad() -> None:
    result = run("synthetic_three_invoices_partial.xml")
    assert result.outcome is Outcome.PARTIAL and result.bad_items == 1
    processing, unknown = result.events
    assert processing.subject == ("spsr:41320615",) and processing.time_source is TimeSource.OBSERVED
    assert unknown.subject == ("spsr:41320616",)
    assert (unknown.status, unknown.milestone) == (Status.UNKNOWN, Milestone.UNKNOWN)
    assert unknown.occurred_at == utc(2019, 3, 21, 7, 0)
    assert result.unknown_codes == ("Возвращено отправителю",)


def test_fields_as_child_elements() -> None:
    (event,) = run("synthetic_child_elements.xml").events
    assert (event.status, event.raw_code) == (Status.DELIVERED, "доставлено")
    assert event.occurred_at == utc(2019, 4, 1, 6, 10)
    assert event.amounts == (Amount(kind=AmountKind.COD, minor=10010, currency="RUB"),)


def test_error_answer_is_ignored() -> None:
    assert run("synthetic_error_answer.xml").outcome is Outcome.IGNORED


def test_no_personal_data_reaches_events() -> None:
    text = run("synthetic_delivered.xml").events[0].model_dump_json()
    for secret in ("Синтетический", "Вымышленная", "Придуманный", "+7495", "Синтетика"):
        assert secret not in text


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("<root/>", DeadLetterReason.UNKNOWN_FORMAT),
        ("not xml", DeadLetterReason.NOT_XML),
        ('<!DOCTYPE r [<!ENTITY a "x">]><r>&a;</r>', DeadLetterReason.UNSAFE_XML),
        ('<Invoice CurState="Доставлено"/>', DeadLetterReason.MISSING_SUBJECT),
        ('<Invoice ShipmentNumber="12" CurState="Доставлено"/>', DeadLetterReason.BAD_VALUE),
        ('<Invoice ShipmentNumber="41320612"/>', DeadLetterReason.SCHEMA_MISMATCH),
        ('<Invoice ShipmentNumber="41320612" CurState="Доставлено" DeliveryDT="soon"/>', DeadLetterReason.BAD_VALUE),
    ],
)
def test_unreadable_single_invoices_are_dead_lettered(raw: str, reason: DeadLetterReason) -> None:
    with pytest.raises(AdapterError) as caught:
        run_adapter("spsr", raw.encode(), received_at=RECEIVED, options=AdapterOptions("spsr", PartnerKind.COURIER))
    assert caught.value.reason is reason


def test_subject_header_names_an_invoice_without_shipment_number() -> None:
    options = AdapterOptions("spsr", PartnerKind.COURIER, subject="spsr:41320612")
    result = run_adapter("spsr", '<Invoice CurState="Обработка"/>'.encode(), received_at=RECEIVED, options=options)
    assert result.events[0].subject == ("spsr:41320612",)


def test_an_odd_shipment_number_is_flagged_and_the_header_carries_the_event() -> None:
    # issue 17: identifier rules flag, and dead-letter only when no usable identifier is left.
    raw = ('<root><Invoice ShipmentNumber="№ 12/34" CurState="Доставлено" DeliveryDT="2019-05-04 06:47:48"/></root>').encode()
    options = AdapterOptions(partner="spsr", partner_kind=PartnerKind.COURIER, subject="spsr:ABC123456", country="RU")
    (event,) = run_adapter("spsr", raw, received_at=RECEIVED, options=options).events
    assert event.subject == ("spsr:ABC123456",)
    assert event.flags == ("odd_identifier:ShipmentNumber:№ 12/34",)
