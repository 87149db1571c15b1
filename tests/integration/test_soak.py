"""A small fault soak inside `make test` (issue 13): every fault on, two workers, a worker
SIGKILLed and restarted three times, the broker stopped and restarted once; every check of
`make soak` must pass. It starts a broker of its own: the shared one must not be restarted."""

from __future__ import annotations

import pytest

from tests.soak.soak import SoakOptions, run_soak

pytestmark = pytest.mark.integration


def test_a_small_soak_passes_every_check(tmp_path):
    report = run_soak(SoakOptions(messages=1500, kills=3, seed=13, partitions=3, rate=30.0, keep=tmp_path / "soak",
                                  catch_up_timeout=120.0))
    assert report.passed, report.render()
    assert report.kills >= 3
    assert report.broker_restarts == 1
    assert report.published >= 1500
    assert sum(report.outcomes.values()) == report.published
    assert report.outcomes["normalised"] and report.outcomes["dead_lettered"]
