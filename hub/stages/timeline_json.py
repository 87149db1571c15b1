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
goes) would have every event serialised again: about 10 µs an event on this machine. But a
shipment's state stores each event as JSON already, and that JSON is normally the model's own
(normalise publishes `model_dump_json()`): where the state is marked so (`own_json_mark`, set
by hub/stages/timeline.py as the events enter, each checked with `is_own_json`), the stored
JSON, written again by orjson (half a microsecond), is taken as the event's JSON, and no model
is serialised.

The mark names the code that checked (`JSON_CODE`: a digest of the canonical event's schema
code and the serialisers' versions) and how many events it vouches for: a state checked by
other code (an upgrade), or whose events other code changed in number, is checked again
rather than trusted. Without the schema's source files to digest, nothing is marked.
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


def _code_digest() -> str | None:
    """What an event's JSON depends on: the schema's code (its model, enums and identifiers)
    and the versions of pydantic's serialiser and orjson; None without the sources."""
    import schemas.enums
    import schemas.event
    import schemas.identifiers

    digest = hashlib.sha256(f"{pydantic_core.__version__} {orjson.__version__}".encode())
    digest.update(orjson.dumps(CanonicalEvent.model_json_schema(), option=orjson.OPT_SORT_KEYS))
    for module in (schemas.event, schemas.identifiers, schemas.enums):
        try:
            digest.update(inspect.getsource(module).encode())
        except OSError:  # installed without its sources: a validator's change would go unseen
            return None
    return digest.hexdigest()[:16]


JSON_CODE = _code_digest()


def own_json_mark(stored: dict[str, Any]) -> str | None:
    """What a state whose `stored` events are each their model's own JSON, checked by this code,
    records so (None: this code marks nothing)."""
    return f"{JSON_CODE}:{len(stored)}" if JSON_CODE is not None else None


def event_json(event: CanonicalEvent) -> orjson.Fragment:
    """`event.model_dump_json()` as an orjson Fragment, made once per model object."""
    return _entry(event)[2]


def _entry(event: CanonicalEvent, stored: dict[str, Any] | None = None) -> tuple[CanonicalEvent, bytes, orjson.Fragment]:
    """The kept JSON of `event`; else made from `stored`, its own JSON as a state stores it,
    or by pydantic, and kept."""
    hit = _json.get(id(event))
    if hit is not None and hit[0] is event:
        _json.move_to_end(id(event))
        return hit
    data = orjson.dumps(stored) if stored is not None else serialised(event)
    entry = (event, data, orjson.Fragment(data))
    if CAPACITY > 0:
        _json[id(event)] = entry
        while len(_json) > CAPACITY:
            _json.popitem(last=False)
    return entry


def serialised(event: CanonicalEvent) -> bytes:
    """`event.model_dump_json()`'s own bytes, before it decodes them to a str."""
    return event.__pydantic_serializer__.to_json(event)


def is_own_json(event: CanonicalEvent, stored: dict[str, Any]) -> bool:
    """Is `stored`, an event's JSON as a state stores it, written again by orjson the very
    bytes pydantic writes for `event`, its model? (Its JSON is made here, and kept, as
    `event_json` would.)"""
    return orjson.dumps(stored) == _entry(event)[1]


def remember_own_json(event: CanonicalEvent, stored: dict[str, Any]) -> None:
    """Take `stored` written by orjson for `event`'s JSON, unless kept already: only for the
    events of a state marked `own_json_mark`."""
    if CAPACITY > 0:
        _entry(event, stored)


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
