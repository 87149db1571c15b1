"""`hub split` on the real broker with the real worker (issue 7): a wrong hand-over merges two
parcels into one shipment; the operator cuts the link; each parcel gets its own timeline
again, and the same wrong hand-over sent again does not merge them a second time."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys

import pytest

from hub.stages.identity import shipment_id_for
from hub.topics import partner_topic
from tests.support.kafka import publish

pytestmark = pytest.mark.integration

FIRST, SECOND = "hub:WH-MOW-000101", "hub:WH-MOW-000102"


def native(parcel: str, event: str, when: str, **extra) -> bytes:
    return json.dumps({"format": "hub-native/1", "parcel": parcel, "event": event, "occurred_at": when, **extra}).encode()


def timeline(worker, identifier: str) -> dict:
    return worker.get_json(f"/shipments/{identifier}")["timeline"]


def split(hub_env: dict, worker, *identifiers: str) -> subprocess.CompletedProcess:
    env = {**hub_env, "HUB_WEB_URL": worker.url}
    return subprocess.run([sys.executable, "-m", "hub.cli", "split", *identifiers], env=env, capture_output=True, text=True, timeout=60)


def test_split_undoes_a_wrong_hand_over(hub_env, hub_settings, start_worker, caught_up):
    worker = start_worker()
    topic = partner_topic(hub_settings, "wh_moscow")
    own = [
        native(FIRST, "warehouse_inbound", "2026-03-02T10:00:00+03:00"),
        native(FIRST, "warehouse_outbound", "2026-03-03T10:00:00+03:00"),
        native(SECOND, "warehouse_inbound", "2026-03-02T11:00:00+03:00"),
        native(SECOND, "delivered", "2026-03-06T11:00:00+03:00"),
    ]
    wrong = native(FIRST, "handed_over", "2026-03-04T09:00:00+03:00", handover_to=SECOND)
    asyncio.run(publish(hub_settings.kafka_bootstrap, topic, [*own, wrong]))
    caught_up()
    merged = timeline(worker, SECOND)
    assert merged["shipment_id"] == shipment_id_for(FIRST) and set(merged["identifiers"]) == {FIRST, SECOND}
    assert len(merged["events"]) == 5

    result = split(hub_env, worker, FIRST, SECOND)
    assert result.returncode == 0, result.stderr
    assert f"{SECOND} → {shipment_id_for(SECOND)}" in result.stdout, result.stdout
    caught_up()
    first, second = timeline(worker, FIRST), timeline(worker, SECOND)
    assert first["shipment_id"] == shipment_id_for(FIRST) and second["shipment_id"] == shipment_id_for(SECOND)
    # The hand-over names both, and stays with the parcel that carried it (the smaller id).
    assert [e["raw_code"] for e in first["events"]] == ["warehouse_inbound", "warehouse_outbound", "handed_over"]
    assert [e["raw_code"] for e in second["events"]] == ["warehouse_inbound", "delivered"]
    assert second["status"] == "delivered" and first["status"] == "in_transit"

    # The same wrong hand-over again (a partner resending): the cut link is never made again.
    asyncio.run(publish(hub_settings.kafka_bootstrap, topic, [wrong, native(SECOND, "delivered", "2026-03-06T11:00:00+03:00")]))
    caught_up()
    assert timeline(worker, SECOND)["shipment_id"] == shipment_id_for(SECOND)
    assert len(timeline(worker, FIRST)["events"]) == 3

    # Asked again, or for parcels that are not merged: one line, non-zero.
    again = split(hub_env, worker, FIRST, SECOND)
    assert again.returncode == 1 and "not merged" in again.stderr and len(again.stderr.strip().splitlines()) == 1
    bad = split(hub_env, worker, FIRST, "aliexpress_order:8000123456789012")
    assert bad.returncode == 2 and "parcel" in bad.stderr
