"""The gateway's promise under crashes (issue 19): a 200 means the record is durable.

A `hub gateway` process is SIGKILLed while a client sends webhooks concurrently, and started
again on the same spool; the broker under a live gateway is stopped while webhooks keep coming,
and started again. Either way every webhook answered 200 ends on its partner topic, with its
bytes unchanged and its sha256 header; a record may land twice, only with identical bytes.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from pathlib import Path

import aiohttp
import pytest

from hub.config import Settings
from hub.kafka import broker
from hub.topics import ensure_topics, partner_topic
from tests.support.environment import hub_environment
from tests.support.gateway import GatewayProcess, answered_but_missing
from tests.support.kafka import read_topic
from tests.support.worker import free_port

pytestmark = pytest.mark.integration

OZON_PATH, CDEK_PATH = "/ingest/ozon/ozon-token", "/ingest/cdek/cdek-token"
OZON_ACCEPTED = b'{"result": true}'
OZON_LIMIT = 5.0  # seconds: Ozon suspends a receiver that takes longer


def cdek_webhook(n: int) -> bytes:
    return (b'{"type":"ORDER_STATUS","date_time":"2026-03-01T10:00:00+0300","uuid":"72753031-%06d",'
            b'"attributes":{"code":"ACCEPTED","number":"N%06d","pad":"%s"}}' % (n, n, b"x" * (n % 97)))


def ozon_push(n: int) -> bytes:
    return b'{"message_type":"TYPE_STATE_CHANGED","posting_number":"0123-%06d-1","new_state":"posting_delivering"}' % n


async def gateway_counts(session: aiohttp.ClientSession, url: str) -> Counter[str]:
    """outcome → requests, summed over partners, from the gateway's /metrics."""
    text = await (await session.get(f"{url}/metrics")).text()
    counts: Counter[str] = Counter()
    for line in text.splitlines():
        if line.startswith("hub_gateway_requests_total{"):
            labels, value = line.rsplit(" ", 1)
            counts[labels.split('outcome="')[1].split('"')[0]] += int(float(value))
    return counts


async def test_a_gateway_sigkilled_mid_load_loses_nothing_it_answered_200(hub_env, hub_settings, tmp_path):
    count, in_flight, kill_at = 800, 24, 300
    # A budget so short that under this load some sends run out of it: the first process answers
    # from the broker and from its spool, and is killed with records spooled, draining or in flight.
    gateway = GatewayProcess({**hub_env, "HUB_GATEWAY_ACK_BUDGET": "0.02"}, tmp_path, free_port()).start()
    try:
        await asyncio.to_thread(gateway.wait_until, lambda h: h.get("broker_up"))
        bodies = [cdek_webhook(n) for n in range(count)]
        answered: set[bytes] = set()
        refused: list[tuple[int, bytes]] = []
        cut = 0  # requests that got no answer (the kill, or the restart not yet listening): sent again
        before_kill: Counter[str] = Counter()
        queue: asyncio.Queue[bytes] = asyncio.Queue()
        for body in bodies:
            queue.put_nowait(body)
        deadline = time.monotonic() + 45

        async def client(session: aiohttp.ClientSession) -> None:
            nonlocal cut
            while not queue.empty():
                body = queue.get_nowait()
                while time.monotonic() < deadline:
                    try:
                        async with session.post(gateway.url + CDEK_PATH, data=body, headers={"Content-Type": "application/json"}) as response:
                            if response.status == 200:
                                answered.add(body)
                            else:
                                refused.append((response.status, await response.read()))
                            break
                    except (aiohttp.ClientError, TimeoutError):
                        cut += 1  # as CDEK would not, but a test client may: the body is sent again
                        await asyncio.sleep(0.1)

        async def killer(session: aiohttp.ClientSession) -> None:
            while len(answered) < kill_at:
                await asyncio.sleep(0.005)
            before_kill.update(await gateway_counts(session, gateway.url))
            await asyncio.to_thread(gateway.kill)
            gateway.start()  # same port, same spool: the lock died with the process

        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
            await asyncio.gather(killer(session), *(client(session) for _ in range(in_flight)))
        assert not refused, refused[:5]
        assert len(answered) == count, f"{count - len(answered)} never answered 200 in time"
        assert cut > 0, "the kill cut no request: it did not happen mid-load"
        assert before_kill["delivered"] + before_kill["spooled"] >= kill_at, before_kill
        await asyncio.to_thread(gateway.wait_until, lambda h: h.get("broker_up") and h.get("spooled") == 0, 30)
    finally:
        gateway.stop()
    records = await read_topic(hub_settings.kafka_bootstrap, partner_topic(hub_settings, "cdek"), timeout=30)
    missing, wrong = answered_but_missing(answered, records)
    assert not missing, f"{len(missing)} answered 200 but not on the topic (before the kill: {dict(before_kill)})"
    assert not wrong, wrong[:5]
    assert {r.value for r in records} <= set(bodies)  # nothing torn or made up
    assert list((tmp_path / "spool").glob("segment-*.spool")) == []


@pytest.fixture
def own_broker(tmp_path: Path):
    """A broker of this test's own: the test stops it, which the shared one must never be."""
    directory = tmp_path / "broker"
    try:
        state = broker.start(directory)
    except broker.BrokerError as err:
        broker.stop(directory)
        pytest.fail(f"cannot start a broker: {err}")
    try:
        yield directory, state.bootstrap
    finally:
        broker.stop(directory, timeout=5)  # its data is thrown away


async def test_webhooks_sent_while_the_broker_is_down_are_answered_from_the_spool_and_all_arrive(own_broker, tmp_path):
    directory, bootstrap = own_broker
    env = {**hub_environment(bootstrap, tmp_path), "HUB_GATEWAY_ACK_BUDGET": "1.0"}
    settings = Settings.from_env(env)
    await ensure_topics(settings, ["ozon", "cdek"])
    gateway = GatewayProcess(env, tmp_path / "gateway", free_port())
    gateway.directory.mkdir()
    gateway.start()
    paths = {"ozon": OZON_PATH, "cdek": CDEK_PATH}
    answers = {"ozon": OZON_ACCEPTED, "cdek": b""}
    sent: dict[str, list[bytes]] = {"ozon": [], "cdek": []}
    try:
        await asyncio.to_thread(gateway.wait_until, lambda h: h.get("broker_up"))
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:

            async def post(partner: str, body: bytes) -> tuple[int, bytes, float]:
                started = time.monotonic()
                async with session.post(gateway.url + paths[partner], data=body, headers={"Content-Type": "application/json"}) as response:
                    sent[partner].append(body)
                    return response.status, await response.read(), time.monotonic() - started

            up = [await post("ozon", ozon_push(n)) for n in range(10)] + [await post("cdek", cdek_webhook(n)) for n in range(10)]
            assert {(status, body) for status, body, _ in up} == {(200, OZON_ACCEPTED), (200, b"")}
            assert (await gateway_counts(session, gateway.url))["delivered"] == 20

            await asyncio.to_thread(broker.stop, directory)
            down: list[tuple[str, tuple[int, bytes, float]]] = []
            for at in range(10, 260, 25):  # 500 webhooks, 50 at a time, Ozon's and CDEK's mixed
                batch = [("ozon", ozon_push(n)) for n in range(at, at + 25)] + [("cdek", cdek_webhook(n)) for n in range(at, at + 25)]
                results = await asyncio.gather(*(post(partner, body) for partner, body in batch))
                down += [(partner, result) for (partner, _), result in zip(batch, results, strict=True)]
            wrong = [(p, status, body) for p, (status, body, _) in down if (status, body) != (200, answers[p])]
            assert not wrong, wrong[:5]
            slowest = max(seconds for _, (_, _, seconds) in down)
            assert slowest < OZON_LIMIT, f"the slowest answer took {slowest:.2f} s"
            counts = await gateway_counts(session, gateway.url)
            assert counts["spooled"] == 500 and counts["delivered"] == 20, counts
            health = gateway.health()
            assert health["ready"] and not health["broker_up"] and health["spooled"] == 500, health

        await asyncio.to_thread(broker.start, directory)  # its recorded port and data
        await asyncio.to_thread(gateway.wait_until, lambda h: h.get("broker_up") and h.get("spooled") == 0, 45)
    finally:
        gateway.stop()
    for partner, bodies in sent.items():
        records = await read_topic(bootstrap, partner_topic(settings, partner), timeout=30)
        missing, wrong_records = answered_but_missing(set(bodies), records)
        assert len(bodies) == 260
        assert not missing, f"{partner}: {len(missing)} answered 200 but not on the topic"
        assert not wrong_records, wrong_records[:5]
