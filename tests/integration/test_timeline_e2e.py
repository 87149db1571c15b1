"""One timeline per parcel, end to end (issue 7): the simulator's journeys with faults on,
6 partitions, two worker processes; then the same with one worker killed mid-stream."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import pytest

from hub.app import active_partners
from hub.kafka.caught_up import group_topics, lag_by_partition
from hub.kafka.partner_feed import replay
from tests.support.simulation import simulation_dir
from tests.support.timeline_check import check_against_ground_truth

pytestmark = [pytest.mark.integration, pytest.mark.partitions(6)]

SHIPMENTS = 120


@pytest.fixture(scope="module")
def simulation(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return simulation_dir(tmp_path_factory.mktemp("simulation"), SHIPMENTS)


def test_every_journey_ends_as_its_ground_truth_with_two_workers(simulation, hub_settings, start_worker, caught_up):
    workers = [start_worker(), start_worker()]
    sent = replay(simulation, hub_settings, show_progress=False)
    assert sent > SHIPMENTS * 5
    caught_up(timeout=240)
    check_against_ground_truth([w.url for w in workers], simulation)


def test_a_worker_killed_mid_stream_loses_and_doubles_nothing(simulation, hub_settings, start_worker, caught_up):
    workers = [start_worker(), start_worker()]
    messages = len((simulation / "manifest.jsonl").read_text().splitlines())
    rate = messages / 24  # publishing lasts about 24 s, so processing lasts at least 20
    publisher = threading.Thread(target=replay, args=(simulation, hub_settings), kwargs={"rate": rate, "show_progress": False})
    started = time.monotonic()
    publisher.start()
    names = group_topics(hub_settings, [p.id for p in active_partners()])
    killed = False
    while publisher.is_alive() and not killed:
        elapsed = time.monotonic() - started
        if 8 <= elapsed <= 16:  # between a third and two thirds of the way through
            lag = asyncio.run(lag_by_partition(hub_settings, names))
            if sum(lag.values()) > 0:
                workers[1].kill()
                killed = True
                break
        time.sleep(0.5)
    assert killed, "never saw lag above zero between a third and two thirds of the way"
    workers[1].start()  # restarted on the same port, same group
    publisher.join()
    caught_up(timeout=240)
    check_against_ground_truth([w.url for w in workers], simulation)
