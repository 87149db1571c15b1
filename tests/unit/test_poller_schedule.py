"""Pure rules of the pollers: schedules, tickets, the token bucket, what to ask about, reading answers, credentials."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.pollers import tickets
from hub.pollers.answers import Outcome
from hub.pollers.boxberry_client import read_status_list
from hub.pollers.clock import TestClock
from hub.pollers.credentials import CredentialsError, load_credentials
from hub.pollers.limits import HOUR, RUSSIAN_POST
from hub.pollers.pacing import TokenBucket
from hub.pollers.parcels import parcels_to_ask
from hub.pollers.russian_post_client import read_batch_answer
from hub.pollers.schedule import DAY, ParcelState, after_answer, after_failure, due_at, interval
from hub.pollers.wildberries_client import read_status_answer
from schemas.enums import Status
from schemas.identifiers import Scheme
from tests.conftest import PARTNER_FIXTURES
from tests.support.pollers import timeline

NOW = 1_767_225_600.0


def test_recent_movement_is_asked_more_often_than_silence() -> None:
    assert interval(NOW - 3600, NOW) < interval(NOW - 5 * DAY, NOW) < interval(NOW - 20 * DAY, NOW) < interval(NOW - 90 * DAY, NOW)
    assert interval(None, NOW) == interval(NOW, NOW)


def test_a_parcel_never_asked_is_due_now_then_after_its_interval() -> None:
    assert due_at(ParcelState(), NOW - 3600, NOW) == NOW
    asked = after_answer(ParcelState(), NOW)
    assert due_at(asked, NOW - 3600, NOW) == NOW + interval(NOW - 3600, NOW)


def test_failures_back_off_doubling_and_never_below_the_spacing() -> None:
    once = after_failure(ParcelState(), NOW, 60, 1800)
    twice = after_failure(once, NOW, 60, 1800)
    assert (once.retry_at, twice.retry_at) == (NOW + 60, NOW + 120)
    assert due_at(once, None, NOW, min_spacing=HOUR) == NOW + HOUR
    many = ParcelState(failures=20)
    assert after_failure(many, NOW, 60, 1800).retry_at == NOW + 1800


def test_final_shipments_are_never_asked_about() -> None:
    timelines = [
        timeline("a", ["s10:RA644000001RU", "wb_task:1"]),
        timeline("b", ["s10:RA644000015RU"], Status.DELIVERED),
        timeline("c", ["rp:45008378901234"], Status.RETURNED),
        timeline("d", ["boxberry:AAP298792807"], Status.CANCELLED),
    ]
    assert [p.identifier for p in parcels_to_ask(timelines, (Scheme.S10, Scheme.RP))] == ["s10:RA644000001RU"]
    assert [p.identifier for p in parcels_to_ask(timelines, (Scheme.WB_TASK,))] == ["wb_task:1"]
    assert parcels_to_ask(timelines, (Scheme.BOXBERRY,)) == []


def test_a_ticket_waits_15_minutes_then_15_between_asks_and_expires_after_32_hours() -> None:
    ticket = tickets.issued("T", ["s10:RA644000001RU"], NOW)
    assert ticket.next_ask_at == NOW + 15 * 60
    later = tickets.asked_again_later(ticket, NOW + 15 * 60)
    assert later.next_ask_at == NOW + 30 * 60
    assert not tickets.expired(ticket, NOW + 32 * HOUR - 1) and tickets.expired(ticket, NOW + RUSSIAN_POST.ticket_kept)


async def test_the_token_bucket_allows_a_burst_then_one_request_per_refill() -> None:
    clock = TestClock(NOW)
    bucket = TokenBucket(clock, refill_every=0.2, burst=20)
    for _ in range(20):
        await bucket.take()
    assert clock.now() == NOW
    await bucket.take()
    assert clock.now() == pytest.approx(NOW + 0.2)
    bucket.charge(9)  # a 4xx counts as ten
    await bucket.take()
    assert clock.now() == pytest.approx(NOW + 0.2 + 2.0)


@pytest.mark.parametrize(("fixture", "outcome"), [
    ("russianpost_answerByTicket_response.xml", Outcome.ANSWERED),
    ("synthetic_batch_not_ready.xml", Outcome.NOT_READY),
    ("synthetic_soap_fault.xml", Outcome.PARTNER_ERROR),
])
def test_russian_post_answers_are_told_apart(fixture: str, outcome: Outcome) -> None:
    assert read_batch_answer(PARTNER_FIXTURES[fixture].read_bytes()).outcome is outcome
    assert read_batch_answer(b"<not xml").outcome is Outcome.MALFORMED


def test_wildberries_and_boxberry_answers_are_told_apart() -> None:
    assert read_status_answer(PARTNER_FIXTURES["wb_v3_orders_status_response.json"].read_bytes()).outcome is Outcome.ANSWERED
    assert read_status_answer(b'{"orders": [').outcome is Outcome.MALFORMED
    assert read_status_list(PARTNER_FIXTURES["boxberry_docs_ListStatuses_AAP298792807.json"].read_bytes()).outcome is Outcome.ANSWERED
    assert read_status_list(PARTNER_FIXTURES["synthetic_error_answer.json"].read_bytes()).outcome is Outcome.PARTNER_ERROR
    assert read_status_list(PARTNER_FIXTURES["synthetic_error_true_answer.json"].read_bytes()).outcome is Outcome.PARTNER_ERROR
    assert read_status_list(b"42").outcome is Outcome.MALFORMED


def test_credentials_come_from_the_pollers_table_and_never_print(tmp_path: Path) -> None:
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[cdek]\ntoken = "gateway-only"\n[pollers.russian_post]\nlogin = "me"\npassword = "s3cret-pw"\n')
    credentials = load_credentials(secrets, "russian_post")
    assert (credentials.login, credentials.password, credentials.url) == ("me", "s3cret-pw", "https://tracking.russianpost.ru/fc")
    assert "s3cret" not in repr(credentials) and "s3cret" not in str(credentials)
    with pytest.raises(CredentialsError, match=r"no \[pollers.boxberry\] table"):
        load_credentials(secrets, "boxberry")
    secrets.write_text('[pollers.wildberries]\ntoken = ""\n')
    with pytest.raises(CredentialsError, match="token must be") as err:
        load_credentials(secrets, "wildberries")
    assert "s3cret" not in str(err.value)
    with pytest.raises(CredentialsError, match="HUB_GATEWAY_SECRETS"):
        load_credentials(None, "wildberries")
