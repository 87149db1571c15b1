"""The worker's HTTP API behind bearer tokens (HUB_API_TOKENS, hub/web/auth.py), on the real
worker: operations see everything, a partner only the shipments it took part in (anything
else is the same 404 as a parcel that does not exist), /metrics behind its own token, /health open."""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request

import pytest

from hub.stages.identity import shipment_id_for
from hub.topics import partner_topic
from tests.support.kafka import publish

pytestmark = pytest.mark.integration

MOSCOW_PARCEL, GUANGZHOU_PARCEL, NOBODYS = "hub:WH-MOW-000201", "hub:WH-CAN-000202", "hub:WH-MOW-999999"
TOKENS = {"operations": "ops-token-0123456789abcdef", "metrics": "metrics-token-0123456789ab",
          "wh_moscow": "moscow-token-0123456789abcd", "wh_guangzhou": "guangzhou-token-0123456789a"}


def native(parcel: str, event: str, when: str) -> bytes:
    return json.dumps({"format": "hub-native/1", "parcel": parcel, "event": event, "occurred_at": when}).encode()


def ask(url: str, token: str | None) -> tuple[int, dict | str]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            body = response.read()
            status = response.status
    except urllib.error.HTTPError as err:
        body, status = err.read(), err.code
    try:
        return status, json.loads(body)
    except ValueError:
        return status, body.decode(errors="replace")


def test_tokens_scope_the_api(hub_env, hub_settings, start_worker, caught_up, tmp_path):
    secrets = tmp_path / "api-tokens.toml"
    secrets.write_text(
        f'[tokens]\noperations = "{TOKENS["operations"]}"\nmetrics = "{TOKENS["metrics"]}"\n'
        f'[partners]\nwh_moscow = "{TOKENS["wh_moscow"]}"\nwh_guangzhou = "{TOKENS["wh_guangzhou"]}"\n'
    )
    hub_env["HUB_API_TOKENS"] = str(secrets)
    worker = start_worker()
    asyncio.run(publish(hub_settings.kafka_bootstrap, partner_topic(hub_settings, "wh_moscow"),
                        [native(MOSCOW_PARCEL, "warehouse_inbound", "2026-03-02T10:00:00+03:00")]))
    asyncio.run(publish(hub_settings.kafka_bootstrap, partner_topic(hub_settings, "wh_guangzhou"),
                        [native(GUANGZHOU_PARCEL, "warehouse_inbound", "2026-03-02T11:00:00+08:00")]))
    caught_up()
    url = worker.url
    assert ask(f"{url}/health", None)[0] in (200, 503)
    assert ask(f"{url}/shipments/{MOSCOW_PARCEL}", None)[0] == 401
    assert ask(f"{url}/shipments/{MOSCOW_PARCEL}", "not-a-token-at-all-000")[0] == 401

    # Operations see both parcels, by identifier and by shipment id.
    for parcel in (MOSCOW_PARCEL, GUANGZHOU_PARCEL):
        for query in (parcel, shipment_id_for(parcel)):
            status, body = ask(f"{url}/shipments/{query}", TOKENS["operations"])
            assert status == 200 and body["timeline"]["shipment_id"] == shipment_id_for(parcel), (query, status, body)

    # A partner sees its own parcel, and the other's exactly as a parcel that does not exist.
    missing = ask(f"{url}/shipments/{NOBODYS}", TOKENS["wh_moscow"])
    assert missing == (404, {"found": False, "query": NOBODYS})
    for partner, own, other in (("wh_moscow", MOSCOW_PARCEL, GUANGZHOU_PARCEL), ("wh_guangzhou", GUANGZHOU_PARCEL, MOSCOW_PARCEL)):
        token = TOKENS[partner]
        for query in (own, shipment_id_for(own)):
            status, body = ask(f"{url}/shipments/{query}", token)
            assert status == 200 and body["timeline"]["shipment_id"] == shipment_id_for(own), (query, body)
        for query in (other, shipment_id_for(other)):
            assert ask(f"{url}/shipments/{query}", token) == (404, {"found": False, "query": query})
        # The internal routes and the operations views are not a partner's either.
        assert ask(f"{url}/_timeline/{shipment_id_for(other)}", token)[0] == 404
        assert ask(f"{url}/ops.json", token)[0] == 404
        assert ask(f"{url}/metrics", token)[0] == 404
        status, body = ask(f"{url}/settlements", token)
        assert status == 200 and all(partner in (e["payer"], e["payee"]) for e in body["entries"]), body

    # /metrics behind its own token; faust's own views closed to all but operations.
    assert ask(f"{url}/metrics", None)[0] == 401
    status, text = ask(f"{url}/metrics", TOKENS["metrics"])
    assert status == 200 and "hub_" in str(text)
    assert ask(f"{url}/ops.json", TOKENS["metrics"])[0] == 404
    assert ask(f"{url}/router/", None)[0] == 401
    assert ask(f"{url}/router/", TOKENS["wh_moscow"])[0] == 404
    assert ask(f"{url}/ops.json", TOKENS["operations"])[0] == 200
    # Tokens never reach the worker's log.
    log = worker.log_path.read_text(errors="replace")
    assert not any(token in log for token in TOKENS.values())
