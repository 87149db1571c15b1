"""`hub verify --offline` over clean simulated journeys: the hub's leg model (hub/stages/legs.py)
and the simulator's (simulator/world.py), written independently, agree; final status and
identifiers always do (issue 18). No broker: adapters, grouping and the fold run here."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.config import Settings
from hub.verify.compare import compare
from hub.verify.levels import hub_levels, truth_levels
from hub.verify.offline import offline_timelines
from simulator import FaultRates, simulate, write_simulation

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def folded(tmp_path_factory: pytest.TempPathFactory):
    directory = tmp_path_factory.mktemp("sim")
    simulation = simulate(200, 18, FaultRates.none())
    write_simulation(simulation, directory)
    return simulation.shipments(), offline_timelines(Path(directory))


@pytest.fixture(scope="module")
def agreement(folded):
    return compare(*folded, Settings().days_for_corridor)


def test_the_cross_border_service_levels_are_the_truths(folded) -> None:
    # Every CN-RU delivery has a carrier's time, so the hub's exact figures are the truth's.
    truths, timelines = folded
    truth, hub = truth_levels(truths, Settings().days_for_corridor), hub_levels(timelines, Settings().days_for_corridor)
    assert truth["CN-RU"]["delivered"] > 50
    assert hub["CN-RU"]["delivered"] == truth["CN-RU"]["delivered"]
    assert hub["CN-RU"]["p90_days"] == pytest.approx(truth["CN-RU"]["p90_days"], abs=0.01)
    assert abs(hub["CN-RU"]["on_time_rate"] - truth["CN-RU"]["on_time_rate"]) <= 0.01


def test_final_status_identifiers_and_carriers_agree_for_every_journey(agreement) -> None:
    for name in ("final status", "identifiers", "carriers"):
        assert agreement.compared[name] == 200, name
        assert agreement.disagreements[name] == [], name


def test_legs_agree_for_at_least_99_percent(agreement) -> None:
    assert agreement.compared["legs"] == 200
    assert agreement.share("legs") >= 0.99, agreement.disagreements["legs"][:5]


def test_delivery_times_agree_where_the_hub_claims_one(agreement) -> None:
    # Wildberries snapshots carry no time: those deliveries are "time unknown", never dated.
    assert agreement.unknown["delivery time"] > 0
    assert agreement.disagreements["delivery time"] == []


def test_on_time_verdicts_agree_for_at_least_99_percent(agreement) -> None:
    assert agreement.compared["on-time verdict"] > 150
    assert agreement.share("on-time verdict") >= 0.99, agreement.disagreements["on-time verdict"][:5]


def test_a_wrong_leg_is_listed_as_a_disagreement() -> None:
    truth = {"shipment": "s1", "scenario": "x", "shipment_id": "shp_1", "identifiers": ["hub:A"],
             "final_status": "delivered", "delivered_at": None, "legs": [
                 {"leg": "first_mile", "partner": "cdek", "entered_at": "2026-01-01T00:00:00+00:00"}],
             "origin_country": "RU", "promised_delivery": None, "service_started_at": None, "available_at": None}
    timeline = {"kind": "timeline", "shipment_id": "shp_1", "identifiers": ["hub:A"], "status": "delivered",
                "milestone": "delivered", "events": [], "legs": [
                    {"leg": "line_haul", "partner": "cdek", "entered_at": "2026-01-01T00:00:00Z"}]}
    found = compare([truth], {"shp_1": timeline}, lambda corridor: 8.0)
    assert found.share("legs") == 0.0
    assert "line_haul/cdek" in found.disagreements["legs"][0] and "first_mile/cdek" in found.disagreements["legs"][0]
    assert found.share("final status") == 1.0
