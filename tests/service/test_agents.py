"""The faust agents in faust's own test context (no broker): thin code wired to the handlers."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest
from faust.topics import Topic

from adapters.base import AdapterOptions
from adapters.registry import run_adapter
from hub.app import create_app
from hub.config import Settings
from hub.stages.identity import shipment_id_for
from schemas import PartnerKind
from tests.support.cdek_sequence import JOURNEY, webhook

pytestmark = pytest.mark.service


def canonical(code: str, when: str) -> bytes:
    options = AdapterOptions("cdek", PartnerKind.COURIER, country="RU")
    (event,) = run_adapter("cdek", webhook(code, when), received_at=datetime(2026, 4, 1, tzinfo=timezone.utc), options=options).events
    return json.dumps({"kind": "event", "event": json.loads(event.model_dump_json())}).encode()


@pytest.fixture
def sent(monkeypatch):
    """What agents send to topics (and tables to changelogs), captured instead of produced."""
    captured: list[tuple[str, bytes | None, bytes | None, dict | None]] = []

    async def send(self, *, key=None, value=None, headers=None, **kwargs):
        captured.append((self.get_topic_name(), key, value, headers))

    def send_soon(self, *, key=None, value=None, partition=None, headers=None, **kwargs):
        captured.append((self.get_topic_name(), key, value, headers))
        # Tables read the partition their changelog record went to from the future.
        return SimpleNamespace(message=SimpleNamespace(partition=partition or 0))

    monkeypatch.setattr(Topic, "send", send)
    monkeypatch.setattr(Topic, "send_soon", send_soon)
    return captured


async def test_timeline_agent_dedupes_and_orders_in_the_test_context(sent):
    # No lingering for a batch: each record put is its own batch, so each publishes (what the
    # count below reads), and the context ends with the last one handled.
    app = create_app(Settings(app_id="svc-test", kafka_bootstrap="127.0.0.1:1", store="memory://", batch_linger=0))
    app.finalize()
    app.hub_contracts.ready.set()  # no contracts published: settle nothing, but do not wait
    agent = app.agents["timeline"]
    key = shipment_id_for("cdek:1234567891").encode()
    payloads = [canonical(code, when) for code, when, _, _ in JOURNEY]
    async with agent.test_context() as context:
        for payload in [payloads[1], payloads[0], payloads[1], *payloads[2:]]:
            await context.put(payload, key=key)
    stored = app.tables["timelines"][key]
    assert len(stored["events"]) == len(JOURNEY)
    published = [json.loads(value) for topic, k, value, _ in sent if topic == "hub.timelines" and k == key]
    # Each event published the whole timeline again; the duplicate published it unchanged
    # (a repeat re-emits what it emitted before, in case a crash lost it).
    assert len(published) == len(JOURNEY) + 1
    assert published[2] == published[1]
    assert [e["raw_code"] for e in published[-1]["events"]] == [code for code, _, _, _ in JOURNEY]
    assert published[-1]["status"] == "delivered"


async def test_a_delivery_no_contract_version_covers_is_dead_lettered_by_the_settle_stage(sent):
    from hub.settlement.contracts import load_contracts
    from tests.support.spsr_journey import journey

    app = create_app(Settings(app_id="svc-test", kafka_bootstrap="127.0.0.1:1", store="memory://", batch_linger=0))
    app.finalize()
    app.hub_contracts.current = load_contracts(Path(__file__).resolve().parents[2] / "deploy" / "contracts.example.toml")
    app.hub_contracts.ready.set()
    key = b"shp_spsr_before_the_contract"
    # AliExpress order, hand-over to SPSR, SPSR delivered on 2024-12-31: before the SPSR share's first version.
    events = journey("2024-12-31T23:59:00")
    async with app.agents["timeline"].test_context() as context:
        for event in events:
            await context.put(json.dumps({"kind": "event", "event": json.loads(event.model_dump_json())}).encode(), key=key)
        await context.put(json.dumps({"kind": "event", "event": json.loads(events[-1].model_dump_json())}).encode(), key=key)
    letters = [(k, value, headers) for topic, k, value, headers in sent if topic == "hub.deadletter"]
    (letter,) = letters  # the repeated delivery is not dead-lettered twice
    k, value, headers = letter
    assert k == key and json.loads(value)["event_id"] == events[-1].event_id
    assert headers == {
        "hub-dlq-reason": b"no_contract",
        "hub-dlq-error-type": b"no version in effect on 2024-12-31",
        "hub-dlq-stage": b"settle",
        "hub-dlq-source-topic": b"hub.shipment-events",
        "hub-dlq-partner": b"spsr",
    }
    assert not [v for topic, _, v, _ in sent if topic == "hub.turnover" and b"spsr-moscow-share" in v]


def test_the_producer_batches_up_to_a_megabyte_and_compresses_as_told() -> None:
    from aiokafka import codec

    plain = create_app(Settings(app_id="svc-producer", kafka_bootstrap="127.0.0.1:1", store="memory://"))
    assert plain.conf.producer_compression_type is None
    assert plain.conf.producer_max_batch_size == 1_000_000, "a timeline of more than 16 KB shares its batch"
    lz4 = create_app(Settings(app_id="svc-producer-lz4", kafka_bootstrap="127.0.0.1:1", store="memory://", compression="lz4"))
    assert lz4.conf.producer_compression_type == "lz4"
    assert codec.has_lz4() and codec.has_zstd() and codec.has_snappy(), "aiokafka's codecs are installed"
