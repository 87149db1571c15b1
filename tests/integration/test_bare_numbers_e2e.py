"""`hub timeline NUMBER` for a number that fits several schemes, against a real worker
(issue 18): the one parcel the hub has seen, then the list once it has seen two."""

from __future__ import annotations

import asyncio
import json

import pytest

from hub.topics import partner_topic
from tests.support.cdek_sequence import JOURNEY, webhook
from tests.support.hub_command import hub_here
from tests.support.kafka import publish

pytestmark = pytest.mark.integration

NUMBER = "1487220500"  # a CDEK number, a Wildberries task id and an AliExpress order id by shape


def wildberries_task(task: int) -> bytes:
    return json.dumps({"orders": [{"id": task, "rid": "rid-18", "createdAt": "2026-03-01T07:56:29Z", "price": 150000,
                                   "finalPrice": 129999, "currencyCode": 643, "deliveryType": "fbs", "skus": ["1"]}]}).encode()


def test_a_bare_number_answers_with_what_the_hub_has_seen(hub_env, hub_settings, start_worker, caught_up) -> None:
    worker = start_worker()
    env = {**hub_env, "HUB_WEB_URL": worker.url}
    never_seen = hub_here(env, "timeline", NUMBER)
    assert never_seen.returncode == 2 and "has seen none of them" in never_seen.stderr

    code, when, _, _ = JOURNEY[1]
    asyncio.run(publish(hub_settings.kafka_bootstrap, partner_topic(hub_settings, "cdek"), [webhook(code, when, cdek_number=NUMBER)]))
    caught_up()
    one = hub_here(env, "timeline", NUMBER)
    assert one.returncode == 0, one.stderr
    assert f"as cdek:{NUMBER}" in one.stdout and f"identifiers: cdek:{NUMBER}" in one.stdout

    asyncio.run(publish(hub_settings.kafka_bootstrap, partner_topic(hub_settings, "wildberries"), [wildberries_task(int(NUMBER))]))
    caught_up()
    several = hub_here(env, "timeline", NUMBER, "--json")
    assert several.returncode == 0, several.stderr
    body = json.loads(several.stdout)
    assert body["seen"] is True and body["candidates"] == [f"cdek:{NUMBER}", f"wb_task:{NUMBER}"]
    assert len(set(body["shipments"].values())) == 2
