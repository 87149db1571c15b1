"""One simulation for the whole module set: big enough that every scenario and every fault
kind occurs, with fault rates raised so that each is seen many times."""

from __future__ import annotations

import pytest

from simulator import FaultRates, Simulation, simulate

SEED = 20260105
RATES = FaultRates(duplicates=0.05, out_of_order=0.08, late_links=0.3, malformed=0.05, unknown_codes=0.05)


@pytest.fixture(scope="session")
def simulation() -> Simulation:
    return simulate(300, SEED, RATES)
