"""A timeline as `hub.timelines` carries it: the bytes of `Timeline.model_dump_json()`, made cheaply.

The timeline agent publishes a shipment's whole timeline, every event in it, each time the
shipment changes; pydantic serialised every event again for each publication, so a shipment's
cost grew with the square of its events (issue 15). An event model never changes (models are
frozen), and the models of a shipment's events are kept from one message to the next
(hub/stages/stored_events.py), so each event's JSON is made once, kept beside its model, and the
timeline's JSON is put together around those bytes with orjson. The result is byte for byte
what pydantic writes (tests/unit/test_timeline_json.py checks it on every timeline of a
simulated run with faults), so consumers see the same schema and a repeat the same record.

A shipment whose models are no longer kept (its next message hours later, as real tracking
goes) would have every event serialised again: about 10 µs an event, most of what such a
message costs the timeline stage beyond one that finds its shipment kept. But a shipment's
state stores each event as JSON already, and that JSON is normally the model's own (normalise
publishes `model_dump_json()`): where the state says it was checked to be (`DUMPED_BY`, set
by hub/stages/timeline.py when the events enter), the stored JSON, written again with orjson
(half a microsecond), is the event's JSON, and its model is never serialised.

The check is made with the code that serialises: `DUMPED_BY` is a digest of the canonical
event's schema code and the serialisers' versions, so a state checked by other code (an
upgrade) is checked again rather than trusted.
"""

from __future__ import annotations

import hashlib
import inspect
from collections import OrderedDict
from typing import Any

import orjson
import pydantic_core

from schemas import CanonicalEvent
from schemas.timeline import Timeline, TimelineRedirect

# As many as the model cache keeps (hub/stages/stored_events.py:CAPACITY): about 600 bytes of
# JSON each, and the model it holds on to.
CAPACITY = 20_000

# By the model object (checked by identity, and held, so an id is never reused while cached):
# the model, its JSON and that JSON as an orjson Fragment.
_json: OrderedDict[int, tuple[CanonicalEvent, bytes, orjson.Fragment]] = OrderedDict()

_FIELDS = tuple(Timeline.model_fields)


def _code_digest() -> str:
    """What an event's JSON depends on: the schema's code (its model, enums and identifiers)
    and the versions of pydantic's serialiser and orjson."""
    import schemas.enums
    import schemas.event
    import schemas.identifiers

    digest = hashlib.sha256(f"{pydantic_core.__version__} {orjson.__version__}".encode())
    digest.update(orjson.dumps(CanonicalEvent.model_json_schema(), option=orjson.OPT_SORT_KEYS))
    for module in (schemas.event, schemas.identifiers, schemas.enums):
        try:
            digest.update(inspect.getsource(module).encode())
        except OSError:  # installed without its sources: the schema and versions above still count
            digest.update(module.__name__.encode())
    return digest.hexdigest()[:16]


# What a state records of events whose stored JSON was checked to be their models' own.
DUMPED_BY = _code_digest()


def event_json(event: CanonicalEvent) -> orjson.Fragment:
    """`event.model_dump_json()` as an orjson Fragment, made once per model object."""
    return _entry(event)[2]


def _entry(event: CanonicalEvent) -> tuple[CanonicalEvent, bytes, orjson.Fragment]:
    hit = _json.get(id(event))
    if hit is not None and hit[0] is event:
        _json.move_to_end(id(event))
        return hit
    # model_dump_json's own bytes, before it decodes them to a str.
    return _remember(event, event.__pydantic_serializer__.to_json(event))


def _remember(event: CanonicalEvent, data: bytes) -> tuple[CanonicalEvent, bytes, orjson.Fragment]:
    entry = (event, data, orjson.Fragment(data))
    if CAPACITY > 0:
        _json[id(event)] = entry
        while len(_json) > CAPACITY:
            _json.popitem(last=False)
    return entry


def is_dumped(event: CanonicalEvent, raw: dict[str, Any]) -> bool:
    """Is `raw`, an event's stored JSON, written again by orjson the very bytes pydantic writes
    for `event`, its model? (Its JSON is made here, and kept, as `event_json` would.)"""
    return orjson.dumps(raw) == _entry(event)[1]


def remember_dumped(event: CanonicalEvent, raw: dict[str, Any]) -> None:
    """Keep `raw` written by orjson as `event`'s JSON, unless kept already: only for a `raw`
    checked by `is_dumped` (a state marked `DUMPED_BY`)."""
    if CAPACITY <= 0:
        return
    hit = _json.get(id(event))
    if hit is None or hit[0] is not event:
        _remember(event, orjson.dumps(raw))


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
