"""A settlement whose FX rate is missing is withheld, never settled at zero (issue 8): its
trigger goes to the dead letters with reason `fx_missing`, operations count it, and nothing
is booked for it."""

from __future__ import annotations

import asyncio
import json
import re
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
    aliexpress_delivered = [s for s in simulation.shipments() if s["marketplace"] == "aliexpress" and s["delivered_at"]]
    assert aliexpress_delivered, "the seed must deliver an AliExpress parcel"
    publish_simulation(hub_settings, simulation, sorted({m.partner for m in simulation.messages}))
    caught_up()

    letters = asyncio.run(read_records(hub_settings.kafka_bootstrap, topics.DEADLETTER.name(hub_settings)))
    withheld = [r for r in letters if dict(r.headers).get(DeadLetterHeader.REASON.value) == b"fx_missing"]
    assert withheld and all(dict(r.headers)[DeadLetterHeader.STAGE.value] == b"settle" for r in withheld)
    metrics = worker.get_text("/metrics")
    counted = sum(float(v) for v in re.findall(r'^hub_settlements_withheld_total\{contract="[^"]+",reason="fx_missing"\} (\S+)$', metrics, re.M))
    assert counted == len(withheld)
    # Nothing was booked in CNY at a made-up rate, nor at zero, for AliExpress.
    entries = [json.loads(v) for _, v in asyncio.run(read_all(hub_settings.kafka_bootstrap, topics.SETTLEMENTS.name(hub_settings)))]
    assert not [e for e in entries if e["payer"] == "aliexpress"]
