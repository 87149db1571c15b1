"""A settlement whose FX rate is missing is withheld, never settled at zero (issue 8): its
trigger goes to the dead letters with reason `fx_missing`, operations count it, and nothing
is booked for it."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import datetime
from pathlib import Path

import pytest

from hub import topics
from hub.cli.contracts import publish_contract_file
from hub.kafka.topic_reader import read_all, read_records
from schemas import DeadLetterHeader
from simulator.faults import FaultRates
from simulator.generate import simulate
from tests.support.simulation import publish_simulation

pytestmark = pytest.mark.integration

EXAMPLE = Path(__file__).resolve().parents[2] / "deploy" / "contracts.example.toml"


def test_a_missing_fx_rate_withholds_and_is_counted(tmp_path, hub_settings, start_worker, caught_up):
    # The example contracts without their CNY→RUB table: AliExpress order values cannot convert.
    without_fx = tmp_path / "contracts.toml"
    without_fx.write_text(re.sub(r"\[\[fx\]\][^\[]*", "", EXAMPLE.read_text()))
    publish_contract_file(hub_settings, without_fx)
    worker = start_worker()
    simulation = simulate(20, seed=4, rates=FaultRates.none())
    publish_simulation(hub_settings, simulation, sorted({m.partner for m in simulation.messages}))
    caught_up()

    # Expected from the ground truth, not from the code that sends the letters: every delivered
    # AliExpress shipment whose order value is in CNY owes the Russian Post fee its part of
    # turnover in RUB (the SPSR share needs SPSR, which the simulation does not carry), so its
    # delivery is withheld: a letter keyed by its shipment id whose trigger is the delivery the
    # ground truth records. Values already in RUB need no rate.
    owing = {
        s["shipment_id"]: s for s in simulation.shipments()
        if s["marketplace"] == "aliexpress" and s["delivered_at"] and s["value"] and s["value"]["currency"] == "CNY"
    }
    assert len(owing) >= 2, "the seed must deliver AliExpress parcels paid in CNY"
    letters = asyncio.run(read_records(hub_settings.kafka_bootstrap, topics.DEADLETTER.name(hub_settings)))
    withheld = [(r, json.loads(r.value)) for r in letters if r.header(DeadLetterHeader.REASON.value) == "fx_missing"]
    final = {
        r.key.decode() for r, event in withheld
        if r.key.decode() in owing and event["status"] == "delivered"
        and datetime.fromisoformat(event["occurred_at"]) == datetime.fromisoformat(owing[r.key.decode()]["delivered_at"])
    }
    assert final == set(owing)
    # Earlier letters name a trigger the timeline had before it was complete (a marketplace
    # snapshot dated when received, a parcel not yet linked): still only parcels that owe.
    parcels_owing = {i for s in owing.values() for i in s["identifiers"]}
    assert all(set(event["subject"]) <= parcels_owing and event["status"] == "delivered" for _, event in withheld)
    for letter, event in withheld:
        assert (letter.header(DeadLetterHeader.STAGE.value), letter.header(DeadLetterHeader.PARTNER.value),
                letter.header(DeadLetterHeader.ERROR_TYPE.value)) == ("settle", event["partner"], "no CNY/RUB rate")
        assert letter.header(DeadLetterHeader.SOURCE_TOPIC.value) == topics.SHIPMENT_EVENTS.name(hub_settings)
    counted = {
        (contract, reason): float(value)
        for contract, reason, value in re.findall(r'^hub_settlements_withheld_total\{contract="([^"]+)",reason="([^"]+)"\} (\S+)$',
                                                  worker.get_text("/metrics"), re.M)
    }
    # Counted once per letter, and only for the one contract that needs the missing rate.
    assert counted == {("post-infrastructure-fee", "fx_missing"): float(len(withheld))}
    # Nothing was booked in CNY at a made-up rate, nor at zero, for AliExpress.
    entries = [json.loads(v) for _, v in asyncio.run(read_all(hub_settings.kafka_bootstrap, topics.SETTLEMENTS.name(hub_settings)))]
    assert not [e for e in entries if e["payer"] == "aliexpress"]
