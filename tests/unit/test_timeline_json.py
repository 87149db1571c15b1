"""hub/stages/timeline_json.py: a timeline's JSON put together from its events' kept JSON is
byte for byte what pydantic writes, warm or cold."""

from __future__ import annotations

import random

import orjson
import pytest

from hub.stages import timeline_json
from hub.stages.timeline_json import event_json
from hub.stages.timeline_json import timeline_json as json_of
from schemas import CanonicalEvent
from schemas.timeline import Timeline
from tests.support.partitioned_log import PartitionedRun
from tests.support.simulated_states import simulated_messages

pytestmark = pytest.mark.unit


def _timelines() -> list[Timeline]:
    """Every timeline published over simulated traffic with faults (duplicates, late links,
    out-of-order and untimed events, amounts, Cyrillic places)."""
    run = PartitionedRun(3, random.Random(4))
    published: dict[int, Timeline] = {}
    for events in simulated_messages(40, seed=11):
        run.publish_message(events)
        run.run()
        published.update((id(r), r) for r in run.published.values() if isinstance(r, Timeline))
    return list(published.values())


@pytest.fixture(scope="module")
def timelines() -> list[Timeline]:
    found = _timelines()
    assert len(found) > 400 and any(len(t.events) > 20 for t in found)
    assert any(e.amounts for t in found for e in t.events) and any(t.legs for t in found)
    return found


@pytest.mark.parametrize("capacity", [0, 3, timeline_json.CAPACITY])
def test_the_json_is_pydantics_byte_for_byte(timelines, capacity, monkeypatch):
    monkeypatch.setattr(timeline_json, "CAPACITY", capacity)
    timeline_json.forget_all()
    for timeline in timelines:
        assert json_of(timeline) == timeline.model_dump_json().encode()


def test_an_events_json_is_made_once_per_model(timelines):
    timeline_json.forget_all()
    event = timelines[-1].events[0]
    assert event_json(event) is event_json(event)
    # An equal model in another object is serialised on its own: identity, never equality, is the key.
    twin = CanonicalEvent.model_validate(event.model_dump(mode="json"))
    assert event_json(twin) is not event_json(event)
    assert orjson.dumps(event_json(twin)) == orjson.dumps(event_json(event)) == event.model_dump_json().encode()


def test_a_redirect_is_published_as_pydantic_writes_it(timelines):
    from hub.stages.timeline_json import record_json
    from schemas.timeline import TimelineRedirect

    redirect = TimelineRedirect(shipment_id="shp_a", to="shp_b")
    assert record_json(redirect) == redirect.model_dump_json().encode()
    assert record_json(timelines[0]) == timelines[0].model_dump_json().encode()
