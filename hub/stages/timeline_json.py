"""A timeline as `hub.timelines` carries it: the bytes of `Timeline.model_dump_json()`, made cheaply.

The timeline agent publishes a shipment's whole timeline, every event in it, each time the
shipment changes; pydantic serialised every event again for each publication, so a shipment's
cost grew with the square of its events (issue 15). An event model never changes (models are
frozen), and the models of a shipment's events are kept from one message to the next
(hub/stages/stored_events.py), so each event's JSON is made once, kept beside its model, and the
timeline's JSON is put together around those bytes with orjson. The result is byte for byte
what pydantic writes (tests/unit/test_timeline_json.py checks it on every timeline of a
simulated run with faults), so consumers see the same schema and a repeat the same record.
"""

from __future__ import annotations

from collections import OrderedDict

import orjson

from schemas import CanonicalEvent
from schemas.timeline import Timeline, TimelineRedirect

# As many as the model cache keeps (hub/stages/stored_events.py:CAPACITY): about 600 bytes of
# JSON each, and the model it holds on to.
CAPACITY = 20_000

# By the model object (checked by identity, and held, so an id is never reused while cached).
_json: OrderedDict[int, tuple[CanonicalEvent, orjson.Fragment]] = OrderedDict()

_FIELDS = tuple(Timeline.model_fields)


def event_json(event: CanonicalEvent) -> orjson.Fragment:
    """`event.model_dump_json()` as an orjson Fragment, made once per model object."""
    hit = _json.get(id(event))
    if hit is not None and hit[0] is event:
        _json.move_to_end(id(event))
        return hit[1]
    fragment = orjson.Fragment(event.model_dump_json())
    if CAPACITY > 0:
        _json[id(event)] = (event, fragment)
        while len(_json) > CAPACITY:
            _json.popitem(last=False)
    return fragment


def timeline_json(timeline: Timeline) -> bytes:
    """The same bytes as `timeline.model_dump_json().encode()`."""
    rest = timeline.model_dump(mode="json", exclude={"events"})
    # Keys in the model's field order, as pydantic writes them.
    return orjson.dumps({
        name: [event_json(e) for e in timeline.events] if name == "events" else rest[name] for name in _FIELDS
    })


def record_json(record: Timeline | TimelineRedirect) -> bytes:
    """What `hub.timelines` carries for a record: a timeline as above, a redirect as pydantic writes it."""
    return timeline_json(record) if isinstance(record, Timeline) else record.model_dump_json().encode()


def keep(events: int) -> None:
    """Keep the JSON of the last `events` models (hub/stages/shipment_step.py:keep_shipments)."""
    global CAPACITY  # noqa: PLW0603 - the size of this module's cache, set once per process
    CAPACITY = events
    while len(_json) > CAPACITY:
        _json.popitem(last=False)


def forget_all() -> None:
    """Empty the cache (tests comparing a cold start with a warm one)."""
    _json.clear()
