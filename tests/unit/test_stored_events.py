"""hub/stages/stored_events.py: a stored event is validated once, and the cache never changes a result."""

from __future__ import annotations

import json
import random
from datetime import datetime, timezone

import orjson
import pytest

from hub.stages import stored_events
from hub.stages.stored_events import stored_event
from schemas import CanonicalEvent
from tests.support.partitioned_log import PartitionedRun
from tests.support.simulated_states import simulated_messages

pytestmark = pytest.mark.unit


@pytest.fixture
def events() -> list[CanonicalEvent]:
    found = [event for message in simulated_messages(25, seed=5) for event in message]
    assert len(found) > 200
    return found


def test_the_same_json_gives_the_same_model_once_validated(events):
    stored_events.forget_all()
    raw = events[0].model_dump(mode="json")
    assert stored_event(raw) is stored_event(json.loads(json.dumps(raw)))  # equal JSON read back: a hit


def test_another_record_with_the_same_id_is_validated_anew(events):
    stored_events.forget_all()
    first = events[0].model_dump(mode="json")
    preferred = {**first, "received_at": datetime(2030, 1, 1, tzinfo=timezone.utc).isoformat()}
    model = stored_event(preferred)
    assert model.event_id == events[0].event_id
    assert model.received_at.year == 2030
    assert stored_event(first).received_at == events[0].received_at


def _run(events: list[CanonicalEvent]) -> tuple[dict, dict]:
    run = PartitionedRun(3, random.Random(3), redeliver_rate=0.1, crash_rate=0.05)
    for event in events:
        run.publish_event(event)
    run.run()
    published = {key: record.model_dump_json() for key, record in run.published.items()}
    return published, json.loads(json.dumps(run.timelines, sort_keys=True))


def test_timelines_and_states_are_the_same_with_a_cache_of_any_size(events, monkeypatch):
    """Cold (no cache), tiny (constant eviction) and default: byte-identical publications and states."""
    results = []
    for capacity, states in ((0, 0), (7, 2), (stored_events.CAPACITY, stored_events.STATES)):
        monkeypatch.setattr(stored_events, "CAPACITY", capacity)
        monkeypatch.setattr(stored_events, "STATES", states)
        stored_events.forget_all()
        results.append(_run(events))
    assert results[0] == results[1] == results[2]


def test_a_states_events_are_looked_up_once_for_the_very_same_dict(events):
    stored_events.forget_all()
    stored = {e.event_id: e.model_dump(mode="json") for e in events[:5]}
    models = stored_events.stored_events(stored)
    assert stored_events.stored_events(stored) is models  # the same dict: no lookup per event
    copy = json.loads(json.dumps(stored))
    again = stored_events.stored_events(copy)  # equal JSON in new objects: looked up, the same models
    assert again is not models and again == models
    assert stored_events.stored_events({}) == {}


def test_two_records_of_one_event_are_both_kept(events):
    """A re-polled history brings an event again, received later: the shipment's record and the
    new one are compared at every message, and neither evicts the other."""
    stored_events.forget_all()
    first = events[0].model_dump(mode="json")
    again = {**first, "received_at": datetime(2030, 1, 1, tzinfo=timezone.utc).isoformat()}
    first_model, again_model = stored_event(first), stored_event(again)
    assert stored_event(dict(first)) is first_model and stored_event(dict(again)) is again_model


def test_an_events_json_read_back_is_what_the_model_dumps(events):
    """The timeline stage stores a new event's JSON as it came (hub/stages/timeline.py), not dumped
    again: the same as the model dumps, for every event the adapters make."""
    for event in events:
        assert orjson.loads(event.model_dump_json()) == event.model_dump(mode="json")
