"""Golden tests for the Boxberry adapter: every case file, expected values written by hand from
docs/partners/boxberry.md."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from adapters.base import AdapterError, AdapterOptions, AdapterResult
from adapters.registry import run_adapter
from schemas import Amount, AmountKind, DeadLetterReason, Location, Milestone, Outcome, PartnerKind, Status, TimeSource

pytestmark = pytest.mark.unit

CASES = Path(__file__).parent / "cases"
RECEIVED = datetime(2024, 6, 1, 12, 0, tzinfo=timezone.utc)


def options(subject: str | None = "boxberry:DUD15086277", **kw: object) -> AdapterOptions:
    return AdapterOptions(partner="boxberry", partner_kind=PartnerKind.COURIER, subject=subject, country="RU", **kw)


def run(name: str, subject: str | None = "boxberry:DUD15086277", **kw: object) -> AdapterResult:
    return run_adapter("boxberry", (CASES / name).read_bytes(), received_at=RECEIVED, options=options(subject, **kw))


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def test_real_sdk_list_statuses() -> None:
    # docs/partners/boxberry.md#examples, gwinn fixture; docs/partners/boxberry.md#date-formats: "yyyy-MM-dd HH:mm:ss",
    # no zone → Moscow (+03:00), assumed.
    result = run("boxberry_ListStatuses_response_sdk_fixture.json", "boxberry:AAP298792807")
    assert result.outcome is Outcome.NORMALISED
    (event,) = result.events
    assert event.subject == ("boxberry:AAP298792807",)
    assert (event.status, event.milestone) == (Status.INFO_RECEIVED, Milestone.ORDER_PLACED)
    assert event.occurred_at == utc(2020, 12, 26, 9, 23, 26)
    assert (event.local_offset_minutes, event.offset_assumed) == (180, True)
    assert event.time_source is TimeSource.PARTNER
    assert event.raw_code == "Загружен реестр ИМ"
    assert event.amounts == () and event.references == ()


def test_real_sdk_list_statuses_full() -> None:
    # docs/partners/boxberry.md#examples, gwinn fixture: "dd.MM.yyyy HH:mm"; sum 1595 is COD (amount to
    # collect), roubles.
    result = run("boxberry_ListStatusesFull_response_sdk_fixture.json", "boxberry:AAP298792807")
    (event,) = result.events
    assert (event.status, event.milestone) == (Status.INFO_RECEIVED, Milestone.ORDER_PLACED)
    assert event.occurred_at == utc(2020, 12, 26, 9, 23)
    assert event.offset_assumed is True
    assert event.amounts == (Amount(kind=AmountKind.COD, minor=159500, currency="RUB"),)


def test_sdk_fixtures_of_both_methods_give_one_event_id() -> None:
    # The same operation written at two precisions (12:23:26 and 12:23) is one event.
    short = run("boxberry_ListStatuses_response_sdk_fixture.json", "boxberry:AAP298792807").events[0]
    full = run("boxberry_ListStatusesFull_response_sdk_fixture.json", "boxberry:AAP298792807").events[0]
    assert short.event_id == full.event_id


def test_readme_dump_list_statuses() -> None:
    # docs/partners/boxberry.md#date-formats: ISO without zone; the pickup point comment gives city and postcode,
    # never the street.
    result = run("transcribed_readme_ListStatuses_DUD15086277.json")
    expected = [
        (Status.IN_TRANSIT, Milestone.ACCEPTED, utc(2019, 4, 30, 21, 56, 12)),
        (Status.IN_TRANSIT, Milestone.INFORMATIONAL, utc(2019, 4, 30, 21, 56, 13)),
        (Status.IN_TRANSIT, Milestone.DEPARTED_FACILITY, utc(2019, 5, 3, 5, 43, 56)),
        (Status.IN_TRANSIT, Milestone.DEPARTED_FACILITY, utc(2019, 5, 4, 3, 47, 48)),
        (Status.AVAILABLE_FOR_PICKUP, Milestone.ARRIVED_AT_PICKUP_POINT, utc(2019, 5, 4, 8, 48, 1)),
    ]
    assert [(e.status, e.milestone, e.occurred_at) for e in result.events] == expected
    assert result.events[-1].location == Location(country="RU", city="Москва", postcode="115478")
    assert all(e.location is None for e in result.events[:-1])
    assert "Каширское" not in "".join(e.model_dump_json() for e in result.events)


def test_readme_dump_list_statuses_full_matches_the_short_list() -> None:
    full = run("transcribed_readme_ListStatusesFull_DUD15086277.json")
    short = run("transcribed_readme_ListStatuses_DUD15086277.json")
    assert [e.occurred_at for e in full.events] == [
        utc(2019, 4, 30, 12, 35), utc(2019, 4, 30, 21, 56), utc(2019, 4, 30, 21, 56),
        utc(2019, 5, 3, 5, 43), utc(2019, 5, 4, 3, 47), utc(2019, 5, 4, 8, 48),
    ]
    assert full.events[0].milestone is Milestone.ORDER_PLACED
    # Every operation of the short list is the same event in the full list.
    assert {e.event_id for e in short.events} <= {e.event_id for e in full.events}
    # sum 5843 rides on the latest event only.
    assert full.events[-1].amounts == (Amount(kind=AmountKind.COD, minor=584300, currency="RUB"),)
    assert all(e.amounts == () for e in full.events[:-1])


def test_lifecycle_to_delivered() -> None:
    # docs/partners/boxberry.md#examples, Markdown note, AAP298792807: registry → accepted → sorting → to city →
    # pickup point → handed over.
    result = run("synthetic_ListStatuses_AAP298792807_delivered.json", "boxberry:AAP298792807")
    assert [(e.status, e.milestone) for e in result.events] == [
        (Status.INFO_RECEIVED, Milestone.ORDER_PLACED),
        (Status.IN_TRANSIT, Milestone.ACCEPTED),
        (Status.IN_TRANSIT, Milestone.INFORMATIONAL),
        (Status.IN_TRANSIT, Milestone.DEPARTED_FACILITY),
        (Status.AVAILABLE_FOR_PICKUP, Milestone.ARRIVED_AT_PICKUP_POINT),
        (Status.DELIVERED, Milestone.DELIVERED),
    ]
    assert result.events[0].occurred_at == utc(2024, 2, 7, 10, 38, 13)
    assert result.events[-1].occurred_at == utc(2024, 2, 7, 10, 54, 31)


# docs/partners/boxberry.md#status-names, by hand: every name and alternate.
EVERY_NAME: list[tuple[str, Status, Milestone]] = [
    ("Загружен реестр ИМ", Status.INFO_RECEIVED, Milestone.ORDER_PLACED),
    ("Заказ создан в личном кабинете", Status.INFO_RECEIVED, Milestone.ORDER_PLACED),
    ("Принято к доставке", Status.IN_TRANSIT, Milestone.ACCEPTED),
    ("Заказ передан на доставку", Status.IN_TRANSIT, Milestone.ACCEPTED),
    ("Передано на сортировку", Status.IN_TRANSIT, Milestone.INFORMATIONAL),
    ("Отправлен на сортировочный терминал", Status.IN_TRANSIT, Milestone.DEPARTED_FACILITY),
    ("Отправлено в город назначения", Status.IN_TRANSIT, Milestone.DEPARTED_FACILITY),
    ("В пути в город получателя", Status.IN_TRANSIT, Milestone.DEPARTED_FACILITY),
    ("Передан на доставку до пункта выдачи", Status.IN_TRANSIT, Milestone.DEPARTED_FACILITY),
    ("Передано на курьерскую доставку", Status.OUT_FOR_DELIVERY, Milestone.OUT_FOR_DELIVERY),
    ("Поступил в город для передачи курьеру", Status.IN_TRANSIT, Milestone.ARRIVED_AT_FACILITY),
    ("Поступило в пункт выдачи", Status.AVAILABLE_FOR_PICKUP, Milestone.ARRIVED_AT_PICKUP_POINT),
    ("Доступен к получению в Пункте выдачи", Status.AVAILABLE_FOR_PICKUP, Milestone.ARRIVED_AT_PICKUP_POINT),
    ("Выдано", Status.DELIVERED, Milestone.DELIVERED),
    ("Успешно Выдан", Status.DELIVERED, Milestone.DELIVERED),
    ("Возвращено с курьерской доставки", Status.ATTEMPT_FAILED, Milestone.DELIVERY_ATTEMPT_FAILED),
    ("Готовится к возврату", Status.RETURNING, Milestone.RETURN_STARTED),
    ("Заказ передан на возврат в Интернет-магазин", Status.RETURNING, Milestone.RETURN_STARTED),
    ("Отправлено в пункт приема", Status.RETURNING, Milestone.DEPARTED_FACILITY),
    ("Заказ в пути в Интернет-магазин", Status.RETURNING, Milestone.DEPARTED_FACILITY),
    ("Возвращено в пункт приема", Status.RETURNING, Milestone.ARRIVED_AT_FACILITY),
    ("Возвращено в ИМ", Status.RETURNED, Milestone.RETURNED_TO_SENDER),
    ("Заказ возвращен в Интернет-магазин", Status.RETURNED, Milestone.RETURNED_TO_SENDER),
]


def test_every_status_name() -> None:
    result = run("synthetic_ListStatuses_every_name.json")
    assert result.problems == ()
    assert [(e.raw_code, e.status, e.milestone) for e in result.events] == EVERY_NAME
    assert result.events[0].occurred_at == utc(2024, 1, 1, 7, 0)
    assert result.events[-1].occurred_at == utc(2024, 1, 23, 7, 0)


def test_courier_failure_and_return() -> None:
    result = run("synthetic_ListStatusesFull_courier_return.json", "boxberry:AAP127020243")
    assert [(e.status, e.milestone, e.occurred_at) for e in result.events] == [
        (Status.INFO_RECEIVED, Milestone.ORDER_PLACED, utc(2024, 3, 10, 6, 0)),
        (Status.IN_TRANSIT, Milestone.ACCEPTED, utc(2024, 3, 11, 7, 15)),
        (Status.IN_TRANSIT, Milestone.ARRIVED_AT_FACILITY, utc(2024, 3, 12, 5, 0)),
        (Status.OUT_FOR_DELIVERY, Milestone.OUT_FOR_DELIVERY, utc(2024, 3, 12, 6, 30)),
        (Status.ATTEMPT_FAILED, Milestone.DELIVERY_ATTEMPT_FAILED, utc(2024, 3, 12, 16, 10)),
        (Status.RETURNING, Milestone.RETURN_STARTED, utc(2024, 3, 20, 9, 0)),
        (Status.RETURNING, Milestone.DEPARTED_FACILITY, utc(2024, 3, 21, 12, 45)),
        (Status.RETURNING, Milestone.ARRIVED_AT_FACILITY, utc(2024, 3, 23, 8, 20)),
        (Status.RETURNED, Milestone.RETURNED_TO_SENDER, utc(2024, 3, 25, 13, 5)),
    ]
    # sum 0: nothing to collect (prepaid), still stated.
    assert result.events[-1].amounts == (Amount(kind=AmountKind.COD, minor=0, currency="RUB"),)


def test_other_time_formats_and_odd_names() -> None:
    result = run("synthetic_ListStatuses_odd_formats.json")
    first, second, third, fourth = result.events
    # The SDK comment's "ДД/ММ/ГГ Ч:М:C PM/AM"; the name matched ignoring case and spaces.
    assert first.occurred_at == utc(2020, 12, 26, 9, 23, 26)
    assert (first.milestone, first.raw_code) == (Milestone.ORDER_PLACED, "загружен реестр им")
    # A time with its own offset keeps it, not assumed.
    assert second.occurred_at == utc(2020, 12, 27, 6, 15)
    assert (second.local_offset_minutes, second.offset_assumed) == (180, False)
    assert third.occurred_at == utc(2020, 12, 27, 15, 40, 5)
    assert fourth.occurred_at == utc(2020, 12, 28, 4, 5)
    assert fourth.location == Location(country="RU", city="Казань", postcode="420021")


def test_assumed_zone_comes_from_options() -> None:
    (event,) = run(
        "boxberry_ListStatuses_response_sdk_fixture.json", "boxberry:AAP298792807", assumed_zone="Asia/Novosibirsk"
    ).events
    assert event.occurred_at == utc(2020, 12, 26, 5, 23, 26)
    assert (event.local_offset_minutes, event.offset_assumed) == (420, True)


def test_bad_items_are_skipped_and_unknown_names_kept() -> None:
    result = run("synthetic_ListStatuses_bad_items.json")
    assert result.outcome is Outcome.PARTIAL
    assert result.bad_items == 3  # bad date, non-object, no Name
    assert [(e.raw_code, e.status) for e in result.events] == [
        ("Загружен реестр ИМ", Status.INFO_RECEIVED),
        ("Передано в таможенный склад", Status.UNKNOWN),
    ]
    assert result.unknown_codes == ("Передано в таможенный склад",)


@pytest.mark.parametrize("name", ["synthetic_error_answer.json", "synthetic_error_true_answer.json"])
def test_error_answer_is_ignored_with_its_text(name: str) -> None:
    # docs/partners/boxberry.md#error-answers: `{"err": …}` and `{"error": true, "message": …}`.
    result = run(name)
    assert result.outcome is Outcome.IGNORED
    assert result.problems[0].detail.endswith("Посылка не найдена")


def test_an_error_flag_set_to_false_is_no_error_answer() -> None:
    with pytest.raises(AdapterError):
        run_adapter("boxberry", b'{"error": false}', received_at=RECEIVED, options=options())


def test_subject_check_digit_is_flagged_not_dropped() -> None:
    # docs/partners/README.md#soft-check-digits: validate check digits softly. RA644000001RU has a wrong one.
    (event,) = run("boxberry_ListStatuses_response_sdk_fixture.json", "s10:RA644000001RU").events
    assert event.subject == ("s10:RA644000001RU",)
    assert event.flags == ("bad_check_digit:s10:RA644000001RU",)


@pytest.mark.parametrize(
    ("subject", "reason"),
    [
        (None, DeadLetterReason.MISSING_SUBJECT),
        ("", DeadLetterReason.MISSING_SUBJECT),
        ("DUD15086277", DeadLetterReason.BAD_VALUE),
        ("shop:boxberry/123", DeadLetterReason.BAD_VALUE),
    ],
)
def test_subject_header_is_required(subject: str | None, reason: DeadLetterReason) -> None:
    with pytest.raises(AdapterError) as caught:
        run("boxberry_ListStatuses_response_sdk_fixture.json", subject)
    assert caught.value.reason is reason


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b'{"statuses": "none"}', DeadLetterReason.UNKNOWN_FORMAT),
        (b"42", DeadLetterReason.UNKNOWN_FORMAT),
        (b"[{", DeadLetterReason.NOT_JSON),
    ],
)
def test_unreadable_messages_are_dead_lettered(raw: bytes, reason: DeadLetterReason) -> None:
    with pytest.raises(AdapterError) as caught:
        run_adapter("boxberry", raw, received_at=RECEIVED, options=options())
    assert caught.value.reason is reason


def test_the_api_notes_published_lifecycle() -> None:
    # docs/partners/boxberry.md#examples: the Markdown API note's ListStatuses answer for AAP298792807,
    # verbatim; no zone in Date → Moscow (+03:00), assumed.
    result = run("boxberry_docs_ListStatuses_AAP298792807.json", "boxberry:AAP298792807")
    assert result.outcome is Outcome.NORMALISED and result.problems == ()
    expected = [
        ("Загружен реестр ИМ", Status.INFO_RECEIVED, Milestone.ORDER_PLACED, utc(2024, 2, 7, 10, 38, 13)),
        ("Принято к доставке", Status.IN_TRANSIT, Milestone.ACCEPTED, utc(2024, 2, 7, 10, 40, 54)),
        ("Передано на сортировку", Status.IN_TRANSIT, Milestone.INFORMATIONAL, utc(2024, 2, 7, 10, 42, 55)),
        ("Отправлено в город назначения", Status.IN_TRANSIT, Milestone.DEPARTED_FACILITY, utc(2024, 2, 7, 10, 44, 3)),
        ("Поступило в пункт выдачи", Status.AVAILABLE_FOR_PICKUP, Milestone.ARRIVED_AT_PICKUP_POINT,
         utc(2024, 2, 7, 10, 52, 35)),
        ("Выдано", Status.DELIVERED, Milestone.DELIVERED, utc(2024, 2, 7, 10, 54, 31)),
    ]
    assert [(e.raw_code, e.status, e.milestone, e.occurred_at) for e in result.events] == expected
    assert all(e.offset_assumed and e.local_offset_minutes == 180 and e.subject == ("boxberry:AAP298792807",)
               for e in result.events)
