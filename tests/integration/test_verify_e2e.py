"""`hub verify` against a real run (issue 18): clean simulated journeys through a worker,
then the command reads `hub.timelines` and compares them with the ground truth."""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path

import pytest

from hub.kafka.partner_feed import replay
from simulator import FaultRates, simulate, write_simulation
from tests.support.hub_command import hub_here

pytestmark = [pytest.mark.integration]

SHIPMENTS = 120


def agreement_lines(output: str) -> dict[str, tuple[int, int]]:
    """`  legs   118 of   120 agree (...)` → {"legs": (118, 120)}."""
    found = {}
    for line in output.splitlines():
        match = re.match(r"^  (\S.*?)\s+(\d+) of\s+(\d+) agree", line)
        if match:
            found[match.group(1)] = (int(match.group(2)), int(match.group(3)))
    return found


def test_verify_reads_the_runs_timelines_and_they_agree_with_the_ground_truth(
        tmp_path: Path, hub_env, hub_settings, start_worker, caught_up) -> None:
    directory = tmp_path / "sim"
    write_simulation(simulate(SHIPMENTS, 1818, FaultRates.none()), directory)
    start_worker()
    replay(directory, hub_settings, show_progress=False)
    caught_up(timeout=240)
    result = hub_here(hub_env, "verify", str(directory))
    assert result.returncode == 0, result.stderr
    assert "read from" in result.stdout
    figures = agreement_lines(result.stdout)
    for name in ("final status", "identifiers", "carriers"):
        assert figures[name] == (SHIPMENTS, SHIPMENTS), (name, result.stdout)
    agreed, compared = figures["legs"]
    assert compared == SHIPMENTS and agreed >= 0.99 * SHIPMENTS, result.stdout
    # Snapshots are dated by the broker's clock in a live run: the hub must not date a
    # delivery by them, so every delivery time it gives is the carrier's.
    agreed, compared = figures["delivery time"]
    assert agreed == compared, result.stdout


def test_verify_refuses_a_folder_that_is_not_a_simulation(tmp_path: Path, hub_env) -> None:
    result = hub_here(hub_env, "verify", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "not a simulation folder" in result.stderr


def test_problems_lists_parcels_still_moving_with_estimates_from_the_runs_levels(
        tmp_path: Path, hub_env, hub_settings, start_worker, caught_up) -> None:
    """Half of a simulated history: enough delivered parcels for service levels, and parcels
    still moving to estimate; judged at the stream's clock."""
    from datetime import datetime, timezone

    directory = tmp_path / "sim"
    write_simulation(simulate(SHIPMENTS, 1818, FaultRates.none(), days=40), directory)
    worker = start_worker()
    env = {**hub_env, "HUB_WEB_URL": worker.url, "HUB_CLOCK": "stream"}
    replay(directory, hub_settings, until=datetime(2026, 2, 5, tzinfo=timezone.utc), show_progress=False)
    caught_up(timeout=240)
    moving = hub_here(env, "problems", "--all", "--json")
    assert moving.returncode == 0, moving.stderr
    rows = [json.loads(line) for line in moving.stdout.splitlines()]
    assert rows, "some parcels should still be moving half way through"
    assert all(r["leg"] not in ("pickup_point", "return") for r in rows)
    estimated = [r for r in rows if r["estimate"] is not None]
    assert estimated and all(r["rests_on"] > 0 for r in estimated)
    # /ops judges the same parcels from the workers' own summaries, on the same clock.
    with urllib.request.urlopen(f"{worker.url}/ops.json", timeout=30) as response:
        queue = json.loads(response.read())["problems"]
    assert queue["moving"] == len(rows)
    problems = hub_here(env, "problems")
    assert problems.returncode == 0 and problems.stdout.startswith(tuple("0123456789")), problems.stdout
    refused = hub_here(env, "problems", "--now", "yesterday")
    assert refused.returncode == 2 and refused.stderr.count("\n") == 1
