"""Pollers against local stand-ins of the partners' APIs under a test clock: every rule kept, answers published raw."""

from __future__ import annotations

import aiohttp
import pytest

from hub.pollers.answers import TooSoon
from hub.pollers.boxberry import BoxberryAsker
from hub.pollers.boxberry_client import BoxberryClient
from hub.pollers.clock import TestClock
from hub.pollers.credentials import PartnerCredentials
from hub.pollers.limits import HOUR, MINUTE
from hub.pollers.russian_post import RussianPostAsker
from hub.pollers.russian_post_client import RussianPostClient
from hub.pollers.service import PollerService
from hub.pollers.standins.boxberry import BoxberryStandIn
from hub.pollers.standins.russian_post import RussianPostStandIn
from hub.pollers.standins.wildberries import WildberriesStandIn
from hub.pollers.wildberries import WildberriesAsker
from hub.pollers.wildberries_client import WildberriesClient
from schemas.enums import Status
from tests.support.pollers import MemorySink, MemoryStateStore, StaticSource, timeline

OPERATIONS = {"RA644000001RU": [("8", "2", "Обработка", "14.09.2025 03:25:00", "125362")]}


@pytest.fixture
def clock() -> TestClock:
    return TestClock()


@pytest.fixture
async def session():
    async with aiohttp.ClientSession() as opened:
        yield opened


def rp_service(clock, session, url, source, store=None, sink=None):
    credentials = PartnerCredentials("russian_post", url, login="login", password="password")
    asker = RussianPostAsker(RussianPostClient(session, credentials, clock))
    return PollerService(asker, source, store or MemoryStateStore(), sink or MemorySink(), clock)


async def test_russian_post_waits_for_the_ticket_and_publishes_the_answer_raw(clock, session) -> None:
    standin = RussianPostStandIn(clock, OPERATIONS, ready_after=40 * MINUTE)
    await standin.start()
    source = StaticSource([timeline("a", ["s10:RA644000001RU"]), timeline("b", ["s10:RA644000015RU"], Status.DELIVERED)])
    sink = MemorySink()
    service = rp_service(clock, session, standin.endpoint, source, sink=sink)
    try:
        for _ in range(60):  # an hour of passes a minute apart
            await service.pass_once()
            clock.advance(MINUTE)
    finally:
        await standin.stop()
    methods = [m for _, m, _ in standin.recorded.requests]
    assert methods[:1] == ["getTicket"] and "RA644000015RU" not in standin.recorded.requests[0][2]
    assert methods.count("getResponseByTicket") == 3  # at 15 and 30 minutes: error 6; at 45: the answer
    assert standin.recorded.violations == []
    assert len(sink.published) == 1
    body, headers = sink.published[0]
    assert b"RA644000001RU" in body and b"answerByTicketResponse" in body and headers == {"hub-partner": "russian_post"}
    assert service.poll.state.tickets == {} and service.poll.state.parcels["s10:RA644000001RU"].last_asked_at is not None


async def test_russian_post_takes_a_new_ticket_after_error_17_and_after_32_hours_away(clock, session) -> None:
    standin = RussianPostStandIn(clock, OPERATIONS, ready_after=10 * HOUR, kept_for=HOUR)
    await standin.start()
    store = MemoryStateStore()
    service = rp_service(clock, session, standin.endpoint, StaticSource([timeline("a", ["s10:RA644000001RU"])]), store)
    try:
        for _ in range(6):  # ticket; 6 at 15, 30, 45 min; 17 at 60; a new ticket
            await service.pass_once()
            clock.advance(15 * MINUTE)
        assert [m for _, m, _ in standin.recorded.requests].count("getTicket") == 2
        # A poller away for 33 hours drops its ticket without asking (it is gone) and takes another.
        standin.kept_for, asked = 100 * HOUR, len(standin.recorded.requests)
        clock.advance(33 * HOUR)
        restarted = rp_service(clock, session, standin.endpoint, StaticSource([timeline("a", ["s10:RA644000001RU"])]), store)
        await restarted.pass_once()  # drops the expired ticket
        clock.advance(MINUTE)
        await restarted.pass_once()  # its barcodes, due again: a new ticket
    finally:
        await standin.stop()
    assert [m for _, m, _ in standin.recorded.requests[asked:]] == ["getTicket"]
    assert standin.recorded.violations == []


async def test_russian_post_client_refuses_an_early_ask(clock, session) -> None:
    from hub.pollers import tickets

    client = RussianPostClient(session, PartnerCredentials("russian_post", "http://127.0.0.1:9/fc", login="l", password="p"), clock)
    with pytest.raises(TooSoon):
        await client.get_answer(tickets.issued("T", ["s10:RA644000001RU"], clock.now()))
    with pytest.raises(ValueError, match="1 to 3000"):
        await client.get_ticket(["RA644000001RU"] * 3001)


async def test_wildberries_never_exceeds_its_limit_and_retries_a_malformed_answer(clock, session) -> None:
    ids = list(range(1, 45_001))  # 45 requests of 1,000: more than the burst of 20
    standin = WildberriesStandIn(clock, {i: ("confirm", "waiting") for i in ids}, malformed_first=1)
    await standin.start()
    sink = MemorySink()
    source = StaticSource([timeline(f"s{i}", [f"wb_task:{i}"]) for i in ids])
    credentials = PartnerCredentials("wildberries", standin.url, token="token")
    service = PollerService(WildberriesAsker(WildberriesClient(session, credentials, clock)), source, MemoryStateStore(), sink, clock)
    try:
        started = clock.now()
        await service.pass_once()
        elapsed = clock.now() - started
        clock.advance(2 * MINUTE)
        await service.pass_once()  # the malformed answer's 1,000 parcels, retried after their back-off
    finally:
        await standin.stop()
    assert standin.recorded.violations == []
    assert len(standin.recorded.requests) == 46
    assert elapsed >= (45 - 20) * 0.2 - 1e-6
    assert len(sink.published) == 46 and sink.published[0][0] == b'{"orders": [{"id": '  # malformed, published raw
    assert all(headers == {"hub-partner": "wildberries"} for _, headers in sink.published)
    assert all(s.last_asked_at is not None for s in service.poll.state.parcels.values())


async def test_boxberry_asks_each_parcel_at_most_hourly_with_its_subject(clock, session) -> None:
    statuses = {"AAP298792807": [{"Date": "2024-02-07 13:38:13", "Name": "Загружен реестр ИМ"}]}
    standin = BoxberryStandIn(clock, statuses)
    await standin.start()
    sink = MemorySink()
    source = StaticSource([timeline("a", ["boxberry:AAP298792807"]), timeline("b", ["boxberry:DUD15086277"]),
                           timeline("c", ["boxberry:AAP127020243"], Status.DELIVERED)])
    credentials = PartnerCredentials("boxberry", standin.endpoint, token="token")
    service = PollerService(BoxberryAsker(BoxberryClient(session, credentials, clock)), source, MemoryStateStore(), sink, clock)
    try:
        for _ in range(180):  # three hours, a pass a minute
            await service.pass_once()
            clock.advance(MINUTE)
    finally:
        await standin.stop()
    asked = [track for _, _, track in standin.recorded.requests]
    assert "AAP127020243" not in asked
    assert asked.count("AAP298792807") == 3 and asked.count("DUD15086277") == 3  # hourly; the unknown one after its back-off
    assert standin.recorded.violations == []
    subjects = {headers["hub-subject"] for _, headers in sink.published}
    assert subjects == {"boxberry:AAP298792807", "boxberry:DUD15086277"}
    assert any(b"err" in body for body, _ in sink.published)  # the error answer, published for the adapter to count
