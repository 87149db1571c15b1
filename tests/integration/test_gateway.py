"""The gateway against the real broker: every accepted webhook is on its partner topic, bytes
unchanged, with the gateway's headers; with no broker every webhook is answered 200 from the
spool and, once a broker answers, drained onto its topic with the same bytes and headers."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer

from hub.config import Settings
from hub.gateway.auth import aliexpress_signature, standard_webhook_signature
from hub.gateway.server import gateway_from_settings, make_app
from hub.topics import partner_topic
from tests.support.kafka import read_topic

KEY = b"s" * 32
SECRETS = f"""
[ozon]
token = "ozon-token"
[cdek]
token = "cdek-token"
rate = 100000
burst = 100000
[aliexpress]
app_key = "12345678"
app_secret = "ali-secret"
[wh_moscow]
secrets = ["whsec_{base64.b64encode(KEY).decode()}"]
"""


def gateway_settings(hub_env: dict[str, str], tmp_path: Path, **changes: str) -> Settings:
    secrets = tmp_path / "gateway-secrets.toml"
    secrets.write_text(SECRETS)
    return Settings.from_env({**hub_env, "HUB_GATEWAY_SECRETS": str(secrets), "HUB_GATEWAY_SPOOL": str(tmp_path / "spool"),
                              "HUB_GATEWAY_INSTANCE": "gw-it", **changes})


@asynccontextmanager
async def running_gateway(settings: Settings) -> AsyncIterator[TestClient]:
    async with TestClient(TestServer(make_app(gateway_from_settings(settings)), host="127.0.0.1")) as client:
        yield client


async def wait_for_health(client: TestClient, ready: callable, timeout: float = 60.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        health = await (await client.get("/health")).json()
        if ready(health) or time.monotonic() > deadline:
            return health
        await asyncio.sleep(0.2)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_every_accepted_webhook_is_on_its_topic_with_the_gateway_headers(hub_env, hub_settings, tmp_path):
    settings = gateway_settings(hub_env, tmp_path)
    native_body = b'{"format": "hub-native/1", "parcel": "s10:RR123456785CN", "event": "warehouse_inbound"}'
    ts = str(int(time.time()))
    ali_body = b'{"message_type": 1}'
    sent = {
        "ozon": [b'{"message_type": "TYPE_PING", "time": "2026-01-01T00:00:00Z"}', b'{"message_type": "TYPE_STATE_CHANGED"}'],
        "cdek": [b'{"type": "ORDER_STATUS"}'],
        "aliexpress": [ali_body],
        "wh_moscow": [native_body],
    }
    async with running_gateway(settings) as client:
        assert (await wait_for_health(client, lambda h: h["broker_up"]))["broker_up"]
        for body in sent["ozon"]:
            assert (await client.post("/ingest/ozon/ozon-token", data=body)).status == 200
        assert (await client.post("/ingest/cdek/cdek-token", data=sent["cdek"][0])).status == 200
        signature = aliexpress_signature(b"12345678", b"ali-secret", ali_body)
        assert (await client.post("/ingest/aliexpress", data=ali_body, headers={"Authorization": signature})).status == 200
        headers = {"webhook-id": "msg_it_1", "webhook-timestamp": ts,
                   "webhook-signature": standard_webhook_signature(KEY, "msg_it_1", ts, native_body)}
        assert (await client.post("/ingest/native/wh_moscow", data=native_body, headers=headers)).status == 200
        # refused ones never reach a topic
        assert (await client.post("/ingest/cdek/wrong", data=b'{"refused": true}')).status == 401
        assert (await client.post("/ingest/aliexpress", data=b'{"refused": true}', headers={"Authorization": "00"})).status == 401
        metrics = await (await client.get("/metrics")).text()
        assert 'hub_gateway_requests_total{outcome="delivered",partner="ozon"} 2.0' in metrics
    for partner, bodies in sent.items():
        records = await read_topic(settings.kafka_bootstrap, partner_topic(settings, partner), expect=len(bodies) + 1, timeout=5)
        assert sorted(r.value for r in records) == sorted(bodies), partner
        for record in records:
            assert record.headers["hub-partner"] == partner.encode()
            assert record.headers["hub-gateway-sha256"] == hashlib.sha256(record.value).hexdigest().encode()
            assert record.headers["hub-gateway-source"] == b"127.0.0.1" and record.headers["hub-gateway-instance"] == b"gw-it"
            assert record.headers["hub-gateway-auth"] in (b"path_token", b"hmac_sha256", b"standard_webhooks_v1")
            assert record.headers["hub-gateway-received-at"].endswith(b"+00:00")
    [native_record] = await read_topic(settings.kafka_bootstrap, partner_topic(settings, "wh_moscow"), expect=1, timeout=5)
    assert native_record.key == b"msg_it_1"


async def test_with_no_broker_every_webhook_is_answered_200_from_the_spool_then_drained(hub_env, hub_settings, tmp_path):
    bodies = [b'{"type": "ORDER_STATUS", "uuid": "%d", "pad": "%s"}' % (n, b"x" * (n % 50)) for n in range(500)]
    down = gateway_settings(hub_env, tmp_path, HUB_KAFKA_BOOTSTRAP=f"127.0.0.1:{closed_port()}")
    async with running_gateway(down) as client:

        async def post(body: bytes) -> tuple[int, bytes]:
            response = await client.post("/ingest/cdek/cdek-token", data=body)
            return response.status, await response.read()

        for at in range(0, len(bodies), 50):
            answers = await asyncio.gather(*(post(b) for b in bodies[at: at + 50]))
            assert set(answers) == {(200, b"")}
        metrics = await (await client.get("/metrics")).text()
        assert 'hub_gateway_requests_total{outcome="spooled",partner="cdek"} 500.0' in metrics
        assert "hub_gateway_spool_records 500.0" in metrics
    # The broker "returns": the same spool, a gateway that can reach it.
    up = gateway_settings(hub_env, tmp_path)
    async with running_gateway(up) as client:
        health = await wait_for_health(client, lambda h: h["spooled"] == 0 and h["broker_up"])
        assert health["spooled"] == 0 and health["broker_up"], health
    records = await read_topic(up.kafka_bootstrap, partner_topic(up, "cdek"), expect=500, timeout=30)
    assert len(records) >= 500
    by_body: dict[bytes, set[bytes]] = {}
    for record in records:
        by_body.setdefault(record.value, set()).add(record.headers["hub-gateway-sha256"])
    # none lost; a duplicate only with identical bytes and the same sha256 header
    assert set(by_body) == set(bodies)
    assert all(shas == {hashlib.sha256(body).hexdigest().encode()} for body, shas in by_body.items())
    assert list((tmp_path / "spool").glob("segment-*.spool")) == []  # drained segments are deleted
