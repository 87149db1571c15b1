"""The retirement sweep (hub/agents/retire.py) in faust's test context: over a full pass it asks
each finished, quiet shipment of the owned partitions to retire, once, and writes nothing."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from faust.topics import Topic
from faust.types import TP

from hub import topics
from hub.agents.context import StreamClock
from hub.agents.retire import SLICES, RetireSweep, states_in_slice
from hub.app import create_app
from hub.config import Settings
from tests.support.simulated_shipments import final_status, last_event_at, simulated_shipments
from tests.support.timeline_worker import Worker

pytestmark = pytest.mark.service


@pytest.fixture
def sent(monkeypatch):
    captured: list[tuple[str, bytes, dict]] = []

    async def send(self, *, key=None, value=None, **kwargs):
        captured.append((self.get_topic_name(), key, json.loads(value)))

    monkeypatch.setattr(Topic, "send", send)
    return captured


@pytest.fixture(scope="module")
def shipments(tmp_path_factory):
    return simulated_shipments(tmp_path_factory.mktemp("simulation"))


async def test_a_full_pass_asks_each_quiet_finished_shipment_once(shipments, sent, monkeypatch):
    settings = Settings(app_id="svc-test", kafka_bootstrap="127.0.0.1:1", store="memory://", retire_after_days=90)
    app = create_app(settings)
    app.finalize()
    app.flow_control.resume()
    source = topics.SHIPMENT_EVENTS.name(settings)
    monkeypatch.setattr(app.assignor, "assigned_actives", lambda: {TP(source, p) for p in range(settings.partitions)})
    table = app.tables["timelines"]
    worker = Worker()
    quiet, busy = [], []
    for shipment_id, events in shipments.items():
        worker.feed(shipment_id, events)
        table.data.data[shipment_id.encode()] = worker.state(shipment_id)  # the store itself: no changelog here
        (quiet if final_status(events) in ("delivered", "returned", "cancelled") else busy).append(shipment_id)
    # Event time: 90 days after the latest event, and never later than the wall clock.
    clock = StreamClock()
    clock.advance(datetime.fromtimestamp(max(last_event_at(e) for e in shipments.values()), timezone.utc) + timedelta(days=90))
    as_of = min(clock.now(), datetime.now(timezone.utc)).timestamp()
    quiet = [s for s in quiet if last_event_at(shipments[s]) + 90 * 86400 <= as_of]
    hub = SimpleNamespace(app=app, settings=settings, stream_clock=clock, tables=SimpleNamespace(timelines=table),
                          topics=SimpleNamespace(shipment_events=app.topic(source)))
    sweep = RetireSweep(hub)
    counts = [await sweep.tick() for _ in range(SLICES)]
    asked = {key.decode(): message for topic, key, message in sent}
    assert sum(counts) == len(sent) == len(asked)  # each asked once in a pass
    assert {s for s in asked} == set(quiet) and quiet and busy
    assert {m["kind"] for m in asked.values()} == {"retire"}
    assert all(as_of <= m["as_of"] <= as_of + 60 for m in asked.values())  # the wall clock moves on, if it is the earlier
    assert {m["after"] for m in asked.values()} == {90 * 86400}

    # Each slice read once, every key in exactly one slice.
    keys = [key for n in range(SLICES) for key, _ in states_in_slice(table, n, SLICES)]
    assert sorted(keys) == sorted(table.data.data)
