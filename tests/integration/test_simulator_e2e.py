"""Simulated multi-party traffic with faults through the real worker on the real broker:
every dead letter, every message's outcome and every shipment's final timeline is what the
ground truth says (issue 6)."""

from __future__ import annotations

import asyncio

import pytest

from hub import topics
from hub.app import active_partners
from simulator import FaultRates, simulate
from tests.support.kafka import read_topic
from tests.support.simulation import (
    dead_letters,
    expected_dead_letters,
    expected_outcomes,
    final_timelines,
    logged_outcomes,
    logged_unknown_codes,
    publish_simulation,
    timeline_mismatches,
)

pytestmark = pytest.mark.integration

# Faults raised above the defaults so that a short run sees every kind several times.
RATES = FaultRates(duplicates=0.05, out_of_order=0.05, late_links=0.3, malformed=0.06, unknown_codes=0.05)


def test_dead_letters_outcomes_and_timelines_match_the_ground_truth(hub_settings, start_worker, caught_up) -> None:
    partners = [p.id for p in active_partners()]
    simulation = simulate(100, 20260105, RATES)
    worker = start_worker()
    sent = publish_simulation(hub_settings, simulation, partners)
    caught_up(150)

    letters = asyncio.run(read_topic(hub_settings.kafka_bootstrap, topics.DEADLETTER.name(hub_settings)))
    expected = expected_dead_letters(simulation, partners)
    assert sum(expected.values()) > 0
    assert dead_letters(letters) == expected

    lines = worker.log_lines()
    outcomes = logged_outcomes(lines)
    truth = expected_outcomes(simulation, partners)
    assert {p: o["ignored"] for p, o in outcomes.items()} == {p: o["ignored"] for p, o in truth.items()}
    assert outcomes == truth
    assert sum(sum(o.values()) for o in outcomes.values()) == sent

    injected = {
        t["partner"]: set(t["unknown_codes"])
        for t in simulation.partners() if t["partner"] in partners and t["unknown_codes"]
    }
    assert logged_unknown_codes(lines) == injected

    # Through duplicates, reordering and late links, each shipment ends as one timeline with
    # all its partners' numbers and the final status of its journey.
    timelines = asyncio.run(read_topic(hub_settings.kafka_bootstrap, topics.TIMELINES.name(hub_settings)))
    assert timeline_mismatches(simulation, final_timelines(timelines), partners) == []
