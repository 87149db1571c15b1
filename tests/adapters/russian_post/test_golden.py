"""Golden tests: every case file under cases/ with its expected events written by hand.

Times are converted by hand: single access writes the offset (docs/partners/russian-post.md#timestamps);
batch times are local wall time of the office, whose zone comes from the postcode prefix
(2024 offsets: Moscow +03, Kaliningrad +02, Novosibirsk +07, Vladivostok +10; Ufa +05).
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from adapters.base import AdapterError, AdapterOptions, AdapterResult
from adapters.registry import run_adapter
from schemas import AmountKind, DeadLetterReason, Outcome, PartnerKind

pytestmark = pytest.mark.unit

CASES = Path(__file__).parent / "cases"
RECEIVED = datetime(2025, 1, 1, 12, 0, tzinfo=timezone.utc)


def parse_case(name: str, subject: str | None = None) -> AdapterResult:
    options = AdapterOptions("russian_post", PartnerKind.POST, subject=subject)
    return run_adapter("russian_post", (CASES / name).read_bytes(), received_at=RECEIVED, options=options)


def rows(result: AdapterResult) -> list[tuple]:
    """(subject, raw_code, status, milestone, reason, occurred_at UTC, offset minutes, offset assumed)."""
    return [
        (
            e.subject, e.raw_code, e.status.value, e.milestone.value, e.reason.value if e.reason else None,
            e.occurred_at.strftime("%Y-%m-%dT%H:%M:%SZ"), e.local_offset_minutes, e.offset_assumed,
        )
        for e in result.events
    ]


def amounts(result: AdapterResult) -> list[list[tuple[str, int, str]]]:
    return [[(a.kind.value, a.minor, a.currency) for a in e.amounts] for e in result.events]


def test_get_operation_history_fixture() -> None:
    # docs/partners/russian-post.md#single-access-example: acceptance (OperType 1 attr 1) at 111555 "Москва 555",
    # 2015-07-09T18:08:00.000+03:00; EA123456789RU has a wrong check digit (docs/partners/README.md#s10-examples).
    result = parse_case("russianpost_getOperationHistory_response.xml")
    assert result.outcome is Outcome.NORMALISED
    assert rows(result) == [
        (("s10:EA123456789RU",), "1.1", "in_transit", "accepted", None, "2015-07-09T15:08:00Z", 180, False),
    ]
    event = result.events[0]
    # docs/partners/russian-post.md#single-access-example, money: Payment=2500000 → 25,000.00 RUB COD,
    # MassRate=152000 → 1,520.00 RUB postage; Value is the declared value; zero AirRate/Rate are
    # no amounts.
    assert amounts(result) == [[("cod", 2500000, "RUB"), ("declared", 2500000, "RUB"), ("delivery_fee", 152000, "RUB")]]
    assert event.flags == ("bad_check_digit:s10:EA123456789RU",)
    assert ("bad_check_digit", "s10:EA123456789RU") in [(p.kind, p.detail) for p in result.problems]
    assert event.location is not None
    assert (event.location.postcode, event.location.facility, event.location.country) == ("111555", "Москва 555", "RU")
    assert event.raw_description == "Прием: Единичный"
    assert not any(a.kind is AmountKind.ORDER_VALUE for a in event.amounts)


def test_answer_by_ticket_fixture() -> None:
    # docs/partners/russian-post.md#batch-example: times are local without offset
    # (docs/partners/russian-post.md#timestamps). 450083/450962 are Ufa (Bashkortostan, +05
    # since 2014); 140983/140980 Moscow region; 111949, 125362, 125364, 107258, 111974, 130203
    # Moscow (+03). The third item is error 12 "Сообщение не найдено".
    result = parse_case("russianpost_answerByTicket_response.xml")
    assert result.outcome is Outcome.PARTIAL
    assert result.bad_items == 1
    first, second = ("rp:45008378901234",), ("rp:10725878901235",)
    assert rows(result) == [
        (first, "1.1", "in_transit", "accepted", None, "2015-09-08T12:07:00Z", 300, False),
        (first, "8.4", "in_transit", "departed_facility", None, "2015-09-09T23:42:00Z", 300, False),
        (first, "8.0", "in_transit", "arrived_at_facility", None, "2015-09-12T15:07:00Z", 180, False),
        (first, "8.4", "in_transit", "departed_facility", None, "2015-09-13T01:14:00Z", 180, False),
        (first, "8.4", "in_transit", "departed_facility", None, "2015-09-13T20:11:00Z", 180, False),
        # 8.2: arrived at the place of delivery (docs/partners/russian-post.md#reading-the-codes: the "arrived" pair).
        (first, "8.2", "available_for_pickup", "arrived_at_pickup_point", None, "2015-09-14T00:25:00Z", 180, False),
        # 4.3 Досылка почты / Засылка: missorted, forwarded on.
        (first, "4.3", "in_transit", "departed_facility", "misrouted", "2015-09-15T06:20:00Z", 180, False),
        (first, "8.2", "available_for_pickup", "arrived_at_pickup_point", None, "2015-09-16T00:43:00Z", 180, False),
        (second, "1.1", "in_transit", "accepted", None, "2015-09-12T06:26:00Z", 180, False),
        (second, "8.1", "in_transit", "departed_facility", None, "2015-09-12T06:26:00Z", 180, False),
        (second, "8.4", "in_transit", "departed_facility", None, "2015-09-12T20:14:00Z", 180, False),
        (second, "8.15", "out_for_delivery", "out_for_delivery", None, "2015-09-16T06:09:00Z", 180, False),
        # 2.8 "Адресату курьером": handed to the addressee (docs/partners/russian-post.md#reading-the-codes).
        (second, "2.8", "delivered", "delivered", None, "2015-09-16T10:45:00Z", 180, False),
    ]
    # Both spec barcodes carry wrong check digits (docs/partners/russian-post.md#barcode-check-digit): flagged,
    # never dropped.
    assert {e.flags for e in result.events} == {
        ("bad_check_digit:rp:45008378901234",), ("bad_check_digit:rp:10725878901235",),
    }
    bad_items = [p.detail for p in result.problems if p.kind == "bad_item"]
    assert bad_items == ["RA123456789RU: error 12 Сообщение не найдено"]
    assert result.events[0].location is not None and result.events[0].location.postcode == "450083"
    # The same operation twice at one office and time is one event; distinct ones differ.
    assert len({e.event_id for e in result.events}) == len(result.events)


def test_postal_order_events_fixture() -> None:
    # docs/partners/russian-post.md#cod-example: the parcel comes from the hub-subject header; SumPaymentForward
    # 234000 kopecks = 2,340.00 RUB. EventType 1 (payment received, at 298300) and 3
    # (money issued, at 141021); both imply the parcel was delivered.
    result = parse_case("russianpost_PostalOrderEventsForMail_response.xml", subject="rp:14102192069353")
    assert result.outcome is Outcome.NORMALISED
    subject = ("rp:14102192069353",)
    assert rows(result) == [
        (subject, "cod.1", "delivered", "cod_collected", None, "2015-12-11T12:04:37Z", 180, False),
        (subject, "cod.3", "delivered", "informational", None, "2015-12-12T13:49:13Z", 180, False),
    ]
    assert amounts(result) == [[("cod", 234000, "RUB")], [("cod", 234000, "RUB")]]
    places = [(e.location.postcode, e.location.country) for e in result.events if e.location]
    assert places == [("298300", "RU"), ("141021", "RU")]
    # 14102192069353 is valid (docs/partners/russian-post.md#barcode-check-digit).
    assert all(e.flags == () for e in result.events)


def test_postal_order_events_without_subject_is_dead_lettered() -> None:
    # docs/architecture.md#the-hub-subject-header: a format that does not name its parcel needs it.
    with pytest.raises(AdapterError) as caught:
        parse_case("russianpost_PostalOrderEventsForMail_response.xml")
    assert caught.value.reason is DeadLetterReason.MISSING_SUBJECT


@pytest.mark.parametrize("subject", ["rp:123", "nonsense", "ozon_order:12345678-0001"])
def test_postal_order_events_with_unusable_subject(subject: str) -> None:
    with pytest.raises(AdapterError) as caught:
        parse_case("russianpost_PostalOrderEventsForMail_response.xml", subject=subject)
    assert caught.value.reason is DeadLetterReason.BAD_VALUE


def test_renumbered_return_journey() -> None:
    # docs/partners/russian-post.md#operation-codes: 28 identifier assigned; 1.1 accepted; 8.26 registered with
    # a new number (the later records carry CP123456785RU;
    # docs/partners/russian-post.md#historyrecord-single-access: `ItemParameters.Barcode` can change);
    # 8.2 arrived; 12.1 failed attempt, addressee temporarily absent; 3.1 return, storage
    # expired (→ returning); 2.2 handed to the sender (→ returned, docs/partners/russian-post.md#reading-the-codes).
    result = parse_case("synthetic_single_renumbered_return.xml")
    assert result.outcome is Outcome.NORMALISED
    old_first = ("rp:63000000000009", "s10:CP123456785RU")
    new_first = ("s10:CP123456785RU", "rp:63000000000009")
    assert rows(result) == [
        (old_first, "28.0", "info_received", "order_placed", None, "2024-03-01T02:00:00Z", 420, False),
        (old_first, "1.1", "in_transit", "accepted", None, "2024-03-01T03:15:00Z", 420, False),
        (old_first, "8.26", "in_transit", "informational", None, "2024-03-01T11:40:00Z", 420, False),
        (new_first, "8.2", "available_for_pickup", "arrived_at_pickup_point", None, "2024-03-05T01:20:00Z", 600, False),
        (new_first, "12.1", "attempt_failed", "delivery_attempt_failed", "addressee_absent",
         "2024-03-06T04:05:00Z", 600, False),
        (new_first, "3.1", "returning", "return_started", "storage_expired", "2024-04-04T23:00:00Z", 600, False),
        (old_first, "2.2", "returned", "returned_to_sender", None, "2024-04-20T09:30:00Z", 420, False),
    ]
    # 1500.00 RUB COD and declared value, 350.00 RUB postage; InsrRate is not an amount kind.
    assert amounts(result)[1] == [("cod", 150000, "RUB"), ("declared", 150000, "RUB"), ("delivery_fee", 35000, "RUB")]
    assert [e.reason_party.value if e.reason_party else None for e in result.events][4:6] == ["consignee", "consignee"]
    assert all(e.flags == () for e in result.events)


def test_customs_import_in_windows_1251() -> None:
    # docs/partners/russian-post.md#operation-codes: 9 import of international mail; 14.7 inspection required
    # (customs hold); 14.1 released; 8.15 handed to the courier; 2.1 handed to the addressee.
    # CustomDuty 50000 kopecks = 500.00 RUB (docs/partners/russian-post.md#money). The file is windows-1251 on disk.
    assert b"encoding=\"windows-1251\"" in (CASES / "synthetic_single_customs_cp1251.xml").read_bytes()[:60]
    result = parse_case("synthetic_single_customs_cp1251.xml")
    s10 = ("s10:RB000000005CN",)
    assert rows(result) == [
        (s10, "9.0", "in_transit", "arrived_destination_country", None, "2024-05-10T05:00:00Z", 180, False),
        (s10, "14.7", "in_transit", "customs_held", "customs_hold", "2024-05-10T09:00:00Z", 180, False),
        (s10, "14.1", "in_transit", "import_customs_cleared", None, "2024-05-11T07:00:00Z", 180, False),
        (s10, "8.15", "out_for_delivery", "out_for_delivery", None, "2024-05-13T06:00:00Z", 180, False),
        (s10, "2.1", "delivered", "delivered", None, "2024-05-13T12:30:00Z", 180, False),
    ]
    assert amounts(result)[2] == [("duty", 50000, "RUB")]
    assert result.events[1].raw_description == "Таможенное оформление: Требуется досмотр"
    assert result.events[1].reason_party is not None and result.events[1].reason_party.value == "customs"


def test_batch_offices_zones_and_bad_items() -> None:
    # Batch times (docs/partners/russian-post.md#timestamps) in the office's zone from its postcode prefix;
    # 800855 has no known region: Moscow assumed and flagged. 5.1 Невручение/Утрачено → exception, lost;
    # 26.1 Отмена/Требование отправителя → cancelled; 8.99 is not in the code table → unknown, kept.
    result = parse_case("synthetic_batch_offices.xml")
    assert result.outcome is Outcome.PARTIAL
    assert rows(result) == [
        (("rp:80085562345673",), "1.1", "in_transit", "accepted", None, "2024-02-01T07:00:00Z", 180, True),
        (("rp:11100100000019",), "1.1", "in_transit", "accepted", None, "2024-02-02T06:30:00Z", 180, False),
        (("rp:11100100000019",), "5.1", "exception", "lost", "lost", "2024-02-05T09:00:00Z", 180, False),
        (("rp:10270020000015",), "26.1", "cancelled", "cancelled", "sender_request",
         "2024-02-03T05:00:00Z", 180, False),
        (("s10:RA644000005RU",), "8.2", "available_for_pickup", "arrived_at_pickup_point", None,
         "2024-02-10T13:30:00Z", 120, False),
        (("s10:RA644000005RU",), "8.99", "unknown", "unknown", None, "2024-02-11T06:00:00Z", 180, False),
        (("rp:63000000000009",), "8.3", "in_transit", "arrived_at_facility", None, "2024-02-11T23:00:00Z", 420, False),
        (("s10:EE123456785RU",), "8.13", "in_transit", "arrived_destination_country", None,
         "2024-02-13T21:45:00Z", 600, False),
    ]
    assert result.unknown_codes == ("8.99",)
    assert result.events[5].raw_description == "Обработка"  # the partner's name, kept
    # Three bad items: the impossible date 31.02, the "not found" item, the bad barcode.
    assert result.bad_items == 3
    details = [p.detail for p in result.problems if p.kind == "bad_item"]
    assert "RA123456789RU: error 12 Сообщение не найдено" in details
    assert any(d.startswith("NOT-A-BARCODE:") for d in details)
    assert any("31.02.2024" in d for d in details)


def test_batch_answer_not_ready_is_ignored() -> None:
    # docs/partners/russian-post.md#batch-error-codes: error 6 "Response not ready" for the whole ticket: no
    # tracking data.
    result = parse_case("synthetic_batch_not_ready.xml")
    assert result.outcome is Outcome.IGNORED
    assert result.events == ()


def test_soap_fault_is_ignored() -> None:
    result = parse_case("synthetic_soap_fault.xml")
    assert result.outcome is Outcome.IGNORED
    assert "Сообщение не найдено" in result.problems[0].detail


@pytest.mark.parametrize("name", sorted(p.name for p in CASES.glob("*.xml")))
def test_no_personal_data_reaches_events(name: str) -> None:
    # docs/architecture.md#personal-data: names of sender and recipient (Sndr, Rcpn in
    # docs/partners/russian-post.md#historyrecord-single-access) never travel.
    result = parse_case(name, subject="rp:14102192069353")
    dumped = " ".join(e.model_dump_json() for e in result.events)
    for name_part in ("ИВАНОВ", "ПЕТРОВ", "СИДОРОВА", "КУЗНЕЦОВ"):
        assert name_part not in dumped


def test_every_status_of_the_vocabulary_is_covered_by_a_case() -> None:
    seen = set()
    for path in CASES.glob("*.xml"):
        seen |= {e.status.value for e in parse_case(path.name, subject="rp:14102192069353").events}
    assert seen >= {
        "info_received", "in_transit", "out_for_delivery", "available_for_pickup", "attempt_failed",
        "delivered", "exception", "returning", "returned", "cancelled",
    }
