"""Paths the simulator never takes, on the real broker and a real worker: a record published
for another partner (`partner_mismatch`), the SPSR share settling with VAT included from SPSR's
own XML, and an SPSR delivery before the contract's first version (`no_contract`). Each
letter's reason and headers are asserted.

A JSON payload over the adapters' 1 MiB limit cannot reach a partner topic at the broker's
default record size (1 MiB with the batch), so `too_large` is tried without a broker
(tests/service/test_normalise_handler.py, tests/unit/test_cdek_order_status.py).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from adapters.registry import PARSERS
from hub import topics
from hub.cli.contracts import publish_contract_file
from hub.kafka.topic_reader import read_all, read_records
from hub.topics import partner_topic
from schemas import DeadLetterHeader
from tests.support.kafka import publish
from tests.support.spsr_journey import payloads

pytestmark = pytest.mark.integration

CONTRACTS = Path(__file__).resolve().parents[2] / "deploy" / "contracts.example.toml"
WEBHOOK = (Path(__file__).resolve().parents[1] / "adapters" / "cdek" / "cases" / "cdek_webhook_0.json").read_bytes()


def letters(settings) -> list:
    return asyncio.run(read_records(settings.kafka_bootstrap, topics.DEADLETTER.name(settings)))


def headers_of(letter) -> dict[str, str]:
    return {name: letter.header(name) for name, _ in letter.headers}


def test_a_record_sent_for_another_partner_is_dead_lettered_with_its_headers(hub_settings, start_worker, caught_up):
    worker = start_worker()
    cdek_topic = partner_topic(hub_settings, "cdek")
    asyncio.run(publish(hub_settings.kafka_bootstrap, cdek_topic, [WEBHOOK], partner="boxberry"))
    asyncio.run(publish(hub_settings.kafka_bootstrap, cdek_topic, [WEBHOOK], partner="cdek"))  # read as usual
    caught_up()

    (letter,) = letters(hub_settings)
    assert letter.value == WEBHOOK
    place = (letter.header(DeadLetterHeader.SOURCE_PARTITION.value), letter.header(DeadLetterHeader.SOURCE_OFFSET.value))
    assert headers_of(letter) == {
        "hub-dlq-reason": "partner_mismatch",
        "hub-dlq-error-type": "AdapterError",
        "hub-dlq-stage": "normalise",
        "hub-dlq-source-topic": cdek_topic,
        "hub-dlq-source-partition": place[0],
        "hub-dlq-source-offset": place[1],
        "hub-dlq-partner": "cdek",
        "hub-dlq-adapter-version": str(PARSERS["cdek"].version),
    }
    # The partition and offset named hold the very record, and it was sent for Boxberry.
    (source,) = [r for r in asyncio.run(read_records(hub_settings.kafka_bootstrap, cdek_topic)) if (str(r.partition), str(r.offset)) == place]
    assert source.header("hub-partner") == "boxberry" and source.value == WEBHOOK
    # One outcome per message: the copy sent for CDEK was read as usual.
    outcomes = sorted(line["outcome"] for line in worker.log_lines() if line.get("event") == "partner_message_processed")
    assert outcomes == ["dead_lettered", "normalised"]


def test_the_spsr_share_settles_with_vat_and_an_spsr_delivery_before_the_contract_is_withheld(hub_settings, start_worker, caught_up):
    publish_contract_file(hub_settings, CONTRACTS)
    worker = start_worker()
    in_force = payloads("2026-05-14T15:32:00")
    before = payloads("2024-12-31T23:59:00", order="aliexpress_order:8012345678900078", cainiao="RS0814398527Y", spsr="41320699")
    for partner_id, raw in in_force + before:
        asyncio.run(publish(hub_settings.kafka_bootstrap, partner_topic(hub_settings, partner_id), [raw], partner=partner_id))
    caught_up()

    entries = [json.loads(v) for _, v in asyncio.run(read_all(hub_settings.kafka_bootstrap, topics.SETTLEMENTS.name(hub_settings)))]
    spsr = {e["entry_id"]: e for e in entries if e["contract_id"] == "spsr-moscow-share"}
    (entry,) = spsr.values()
    # 1234.50 RUB × 3.5% = 43.2075 → 43.21; VAT included at 20%: 43.2075 × 0.20 / 1.20 = 7.20125 → 7.20.
    assert (entry["kind"], entry["payer"], entry["payee"], entry["subject"], entry["period"]) == (
        "accrual", "aliexpress", "spsr", "aliexpress_order:8012345678900077", "2026Q2")
    assert (entry["basis_minor"], entry["amount_minor"], entry["vat_minor"], entry["currency"]) == (123450, 4321, 720, "RUB")

    (withheld,) = [r for r in letters(hub_settings) if r.header(DeadLetterHeader.REASON.value) == "no_contract"]
    assert json.loads(withheld.value)["subject"] == ["spsr:41320699"]
    assert headers_of(withheld) == {
        "hub-dlq-reason": "no_contract",
        "hub-dlq-error-type": "no version in effect on 2024-12-31",
        "hub-dlq-stage": "settle",
        "hub-dlq-source-topic": topics.SHIPMENT_EVENTS.name(hub_settings),
        "hub-dlq-partner": "spsr",
    }
    metrics = worker.get_text("/metrics")
    assert 'hub_settlements_withheld_total{contract="spsr-moscow-share",reason="no_contract"} 1.0' in metrics.splitlines()
