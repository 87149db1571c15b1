"""The gateway as partners meet it: a real aiohttp client against the real server (hub/gateway/server.py).

The broker here is a closed port, so every accepted record goes to the spool: what the spool
holds is exactly what would reach the partner topics. Answers are compared byte for byte with
the shapes in docs/gateway.md#answers.
"""

from __future__ import annotations

import asyncio
import re
import socket
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client.parser import text_string_to_metric_families

from hub.gateway.auth import aliexpress_signature, standard_webhook_signature
from hub.gateway.delivery import Delivery
from hub.gateway.ozon import VERSION
from hub.gateway.partner_access import PartnerAccess
from hub.gateway.record import SHA256_HEADER
from hub.gateway.server import MAX_BODY, Gateway, make_app
from hub.gateway.spool import Spool
from hub.gateway.spool import decode_records as decode

pytestmark = pytest.mark.unit

KEY = b"n" * 32
ACCESS = {
    "ozon": PartnerAccess("ozon", token=b"ozon-token"),
    "cdek": PartnerAccess("cdek", token=b"cdek-token", rate=1, burst=3),
    "aliexpress": PartnerAccess("aliexpress", app_key=b"12345678", app_secret=b"ali-secret"),
    "wh_moscow": PartnerAccess("wh_moscow", webhook_secrets=(KEY,)),
    "pvz_network": PartnerAccess("pvz_network", token=None, webhook_secrets=(b"p" * 32,), allow_from=()),
}
OZON_ERROR = b'{"error": {"code": "ERROR_UNKNOWN", "message": "%s", "details": null}}'
OZON_PUSH = b'{"message_type": "TYPE_STATE_CHANGED", "posting_number": "24219509-0020-2", "new_state": "posting_delivered"}'


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class FullDisk(Spool):
    def append(self, record) -> None:
        raise OSError(28, "No space left on device")


def make_gateway(spool_dir: Path, spool_type: type[Spool] = Spool, **access_changes) -> Gateway:
    spool = spool_type(spool_dir)
    delivery = Delivery(f"127.0.0.1:{closed_port()}", spool, budget=1.0, client_id="test-gateway")
    topics = {p: f"partner.{p}.events" for p in ACCESS}
    return Gateway({**ACCESS, **access_changes}, topics, delivery, instance="gw-test", body_seconds=0.5)


@pytest.fixture
async def gateway(tmp_path: Path) -> Gateway:
    return make_gateway(tmp_path / "spool")


@pytest.fixture
async def client(gateway: Gateway) -> AsyncIterator[TestClient]:
    async with TestClient(TestServer(make_app(gateway), host="127.0.0.1")) as client:
        yield client


def spooled(gateway: Gateway):
    """Every record the spool holds (what would reach the topics), without draining it."""
    return [r.record for path in sorted(gateway.delivery.spool.directory.glob("segment-*.spool")) for r in decode(path.read_bytes())]


async def counts(client: TestClient) -> dict[tuple[str, str], float]:
    text = await (await client.get("/metrics")).text()
    return {(s.labels["partner"], s.labels["outcome"]): s.value
            for family in text_string_to_metric_families(text) if family.name == "hub_gateway_requests"
            for s in family.samples if s.name == "hub_gateway_requests_total"}


def native_headers(body: bytes, *, webhook_id: str = "msg_1", timestamp: int | None = None, key: bytes = KEY) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    return {"webhook-id": webhook_id, "webhook-timestamp": ts, "webhook-signature": standard_webhook_signature(key, webhook_id, ts, body),
            "Content-Type": "application/json"}


# --- answers, byte for byte -------------------------------------------------------------------


async def test_ozon_ping_is_answered_with_name_version_and_time(client):
    response = await client.post("/ingest/ozon/ozon-token", data=b'{"message_type": "TYPE_PING", "time": "2026-01-01T00:00:00Z"}')
    body = await response.read()
    assert response.status == 200 and response.content_type == "application/json"
    match = re.fullmatch(rb'\{"version": "(.+)", "name": "logistics-hub", "time": "(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)"\}', body)
    assert match and match.group(1) == VERSION.encode()


async def test_ozon_push_and_its_duplicate_are_both_result_true(client, gateway):
    for _ in range(2):
        response = await client.post("/ingest/ozon/ozon-token", data=OZON_PUSH, headers={"Content-Type": "application/json"})
        assert (response.status, await response.read(), response.content_type) == (200, b'{"result": true}', "application/json")
    records = spooled(gateway)
    assert [r.value for r in records] == [OZON_PUSH, OZON_PUSH]


async def test_ozon_errors_have_ozons_error_shape(client):
    response = await client.post("/ingest/ozon/wrong-token", data=OZON_PUSH)
    assert (response.status, await response.read()) == (401, OZON_ERROR % b"bad_token")
    response = await client.post("/ingest/ozon", data=OZON_PUSH)
    assert (response.status, await response.read()) == (401, OZON_ERROR % b"bad_token")
    response = await client.post("/ingest/ozon/ozon-token", data=b"x" * (MAX_BODY + 1))
    assert (response.status, await response.read()) == (413, OZON_ERROR % b"too_large")


async def test_cdek_is_answered_200_with_an_empty_body(client, gateway):
    response = await client.post("/ingest/cdek/cdek-token", data=b'{"type": "ORDER_STATUS"}', headers={"Content-Type": "application/json"})
    assert (response.status, await response.read()) == (200, b"")
    assert [r.value for r in spooled(gateway)] == [b'{"type": "ORDER_STATUS"}']


async def test_aliexpress_hmac_and_liveness(client, gateway):
    body = b'{"message_type": 1, "data": {}}'
    good = aliexpress_signature(b"12345678", b"ali-secret", body)
    response = await client.post("/ingest/aliexpress", data=body, headers={"Authorization": good})
    assert (response.status, await response.read()) == (200, b"")
    response = await client.post("/ingest/aliexpress", data=body, headers={"Authorization": good[:-1] + "0"})
    assert (response.status, await response.read()) == (401, b"")
    response = await client.post("/ingest/aliexpress", data=body)
    assert (response.status, await response.read()) == (401, b"")
    response = await client.get("/ingest/aliexpress")
    assert (response.status, await response.read()) == (200, b"")
    assert [r.value for r in spooled(gateway)] == [body]


async def test_native_accepted_then_a_replayed_id_is_a_duplicate_not_written_again(client, gateway):
    body = b'{"format": "hub-native/1", "parcel": "s10:RR123456785CN", "event": "warehouse_inbound"}'
    headers = native_headers(body)
    response = await client.post("/ingest/native/wh_moscow", data=body, headers=headers)
    assert (response.status, await response.read()) == (200, b'{"status": "accepted"}')
    response = await client.post("/ingest/native/wh_moscow", data=body, headers=headers)
    assert (response.status, await response.read()) == (200, b'{"status": "duplicate"}')
    [record] = spooled(gateway)
    assert record.key == b"msg_1" and dict(record.headers)["hub-gateway-webhook-id"] == b"msg_1"
    assert (await counts(client))[("wh_moscow", "duplicate")] == 1


async def test_every_accepted_record_carries_the_gateway_headers(client, gateway):
    await client.post("/ingest/cdek/cdek-token", data=b"{}", headers={"Content-Type": "application/json"})
    [record] = spooled(gateway)
    headers = dict(record.headers)
    assert record.topic == "partner.cdek.events" and record.value == b"{}"
    assert headers["hub-partner"] == b"cdek"
    assert headers[SHA256_HEADER] == b"44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
    assert headers["hub-gateway-source"] == b"127.0.0.1" and headers["hub-gateway-instance"] == b"gw-test"
    assert headers["hub-gateway-auth"] == b"path_token" and headers["hub-gateway-content-type"] == b"application/json"
    assert re.fullmatch(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00", headers["hub-gateway-received-at"])


# --- hostile requests: never a 5xx, nothing unauthenticated written, everything counted -----------


async def test_hostile_requests_are_refused_and_counted(client, gateway):
    body = b'{"format": "hub-native/1"}'
    stale = int(time.time()) - 301
    hostile = [
        ("/ingest/native/wh_moscow", body, {}, 401, "missing_signature"),
        ("/ingest/native/wh_moscow", body, native_headers(body, key=b"x" * 32), 401, "bad_signature"),
        ("/ingest/native/wh_moscow", body + b" ", native_headers(body), 401, "bad_signature"),
        ("/ingest/native/wh_moscow", body, native_headers(body, timestamp=stale), 401, "stale_timestamp"),
        ("/ingest/native/wh_moscow", body, native_headers(body, timestamp=int(time.time()) + 600), 401, "stale_timestamp"),
        ("/ingest/native/pvz_network", body, native_headers(body), 401, "bad_signature"),  # another partner's key
        ("/ingest/native/nobody", body, native_headers(body), 404, "unknown_partner"),
        ("/ingest/native/ozon", body, native_headers(body), 404, "unknown_partner"),
        ("/ingest/native/cainiao", body, native_headers(body), 404, "unknown_partner"),
        ("/ingest/cdek/ozon-token", b"{}", {}, 401, "bad_token"),
        ("/ingest/cdek/cdek-token", b"x" * (MAX_BODY + 1), {}, 413, "too_large"),
    ]
    for path, data, headers, status, outcome in hostile:
        response = await client.post(path, data=data, headers=headers)
        assert response.status == status, (path, outcome)
        if path.startswith("/ingest/native/"):
            assert await response.read() == b'{"error": "%s"}' % outcome.encode()
    assert spooled(gateway) == []
    seen = await counts(client)
    assert seen[("wh_moscow", "missing_signature")] == 1 and seen[("wh_moscow", "bad_signature")] == 2
    assert seen[("wh_moscow", "stale_timestamp")] == 2 and seen[("unknown", "unknown_partner")] == 3
    assert seen[("cdek", "bad_token")] == 1 and seen[("cdek", "too_large")] == 1


async def test_an_oversized_chunked_body_is_413(client, gateway):
    async def chunks():
        for _ in range(5):
            yield b"y" * (64 * 1024)

    response = await client.post("/ingest/cdek/cdek-token", data=chunks())
    assert response.status == 413
    assert spooled(gateway) == []


async def test_a_wrong_content_type_still_reaches_the_topic_raw(client, gateway):
    """The gateway does not judge content: the adapter dead-letters what it cannot read."""
    response = await client.post("/ingest/cdek/cdek-token", data=b"<html>not json</html>", headers={"Content-Type": "text/html"})
    assert response.status == 200
    [record] = spooled(gateway)
    assert record.value == b"<html>not json</html>" and dict(record.headers)["hub-gateway-content-type"] == b"text/html"


async def test_a_partner_over_its_rate_is_429(client, gateway):
    statuses = [(await client.post("/ingest/cdek/cdek-token", data=b"{}")).status for _ in range(5)]
    assert statuses[:3] == [200, 200, 200] and set(statuses[3:]) == {429}
    assert len(spooled(gateway)) == 3
    assert (await counts(client))[("cdek", "rate_limited")] == 2


async def test_unauthenticated_requests_do_not_spend_the_partners_rate(client):
    for _ in range(10):
        await client.post("/ingest/cdek/not-the-token", data=b"{}")
    assert (await client.post("/ingest/cdek/cdek-token", data=b"{}")).status == 200


async def test_a_source_outside_allow_from_is_403(tmp_path):
    import ipaddress

    gateway = make_gateway(tmp_path / "spool", ozon=PartnerAccess("ozon", token=b"ozon-token", allow_from=(ipaddress.ip_network("195.34.21.0/24"),)))
    async with TestClient(TestServer(make_app(gateway), host="127.0.0.1")) as client:
        response = await client.post("/ingest/ozon/ozon-token", data=OZON_PUSH)
        assert (response.status, await response.read()) == (403, OZON_ERROR % b"source_refused")
    assert spooled(gateway) == []


async def raw_request(client: TestClient, head: bytes, body: bytes, *, pause: float = 0.0) -> bytes:
    """Send bytes on a plain socket (a client aiohttp's own would never be), half-close, read the answer."""
    reader, writer = await asyncio.open_connection(client.host, client.port)
    try:
        writer.write(head + body)
        await writer.drain()
        if pause:
            await asyncio.sleep(pause)
        if writer.can_write_eof():
            writer.write_eof()
        return await asyncio.wait_for(reader.read(), 5)
    finally:
        writer.close()
        await writer.wait_closed()


async def test_a_truncated_body_is_refused_never_written(client, gateway):
    head = b"POST /ingest/cdek/cdek-token HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n"
    answer = await raw_request(client, head, b'{"type": "ORD')
    assert not answer.startswith(b"HTTP/1.1 5")
    await asyncio.sleep(0.1)
    assert spooled(gateway) == []
    assert (await counts(client))[("cdek", "truncated")] == 1


async def test_a_slow_client_is_cut_off_with_408(client, gateway):
    head = b"POST /ingest/cdek/cdek-token HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n"
    answer = await raw_request(client, head, b'{"type"', pause=1.0)
    assert answer.startswith(b"HTTP/1.1 408")
    assert spooled(gateway) == []


async def test_when_neither_broker_nor_spool_takes_it_the_answer_is_the_partners_error(tmp_path):
    gateway = make_gateway(tmp_path / "spool", spool_type=FullDisk)
    async with TestClient(TestServer(make_app(gateway), host="127.0.0.1")) as client:
        response = await client.post("/ingest/ozon/ozon-token", data=OZON_PUSH)
        assert (response.status, await response.read()) == (503, OZON_ERROR % b"unavailable")
        response = await client.post("/ingest/cdek/cdek-token", data=b"{}")
        assert (response.status, await response.read()) == (503, b"")
        body = b"{}"
        response = await client.post("/ingest/native/wh_moscow", data=body, headers=native_headers(body, webhook_id="m9"))
        assert (response.status, await response.read()) == (503, b'{"error": "unavailable"}')
        # Not remembered as seen: the partner's retry is written when the spool works again.
        assert not gateway.seen.seen("wh_moscow", "m9")


async def test_health_is_ready_while_the_spool_takes_writes(client):
    response = await client.get("/health")
    body = await response.json()
    assert response.status == 200 and body["ready"] is True and body["broker_up"] is False


async def test_metrics_show_spool_depth_and_oldest_age(client):
    await client.post("/ingest/cdek/cdek-token", data=b"{}")
    text = await (await client.get("/metrics")).text()
    values = {s.name: s.value for f in text_string_to_metric_families(text) for s in f.samples}
    assert values["hub_gateway_spool_records"] == 1 and values["hub_gateway_spool_oldest_age_seconds"] >= 0
    assert values["hub_gateway_broker_up"] == 0
    assert 'hub_gateway_request_seconds_bucket{le="0.1",partner="cdek"}' in text

