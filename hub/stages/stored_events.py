"""Stored events, validated once: a bounded cache from a timeline state's event JSON to its model.

A shipment's state keeps its events as JSON (hub/stages/timeline.py), and every message for the
shipment needs them as `CanonicalEvent`s again to fold the timeline. Validating them anew each
time made a shipment's cost grow with the square of its events (issue 15: a quarter of the
worker's time). The events of a shipment that is still moving are read again and again, so
the models are kept, keyed by event id, for the most recently used `CAPACITY` events.

A hit must be the same JSON, not merely the same id: a stored event can be replaced by a
preferred record with that id (hub/stages/timeline_build.py:add_event), and a state read back
from a changelog or another store is equal JSON in new objects. So the JSON is compared (the
same object, in the usual case, costs nothing to compare). Models are frozen, so sharing one
between states is safe. The cache only saves work: with any capacity, even zero, every
result is the same.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from schemas import CanonicalEvent

# A model takes about 3.6 KB (measured with tracemalloc on simulated traffic), so at most about
# 70 MB, flat however many shipments pass; enough for the events of some 600 shipments moving
# at once. A miss only costs a validation.
CAPACITY = 20_000

_models: OrderedDict[str, tuple[dict[str, Any], CanonicalEvent]] = OrderedDict()


def stored_event(raw: dict[str, Any]) -> CanonicalEvent:
    """The model of one stored event's JSON, validated only when not already known."""
    event_id = raw.get("event_id")
    if isinstance(event_id, str):
        hit = _models.get(event_id)
        if hit is not None and (hit[0] is raw or hit[0] == raw):
            _models.move_to_end(event_id)
            return hit[1]
    event = CanonicalEvent.model_validate(raw)
    remember(raw, event)
    return event


def stored_json(event: CanonicalEvent) -> dict[str, Any]:
    """The JSON a state stores for `event`, remembered with its model."""
    raw = event.model_dump(mode="json")
    remember(raw, event)
    return raw


def remember(raw: dict[str, Any], event: CanonicalEvent) -> None:
    if CAPACITY <= 0:
        return
    _models[event.event_id] = (raw, event)
    _models.move_to_end(event.event_id)
    while len(_models) > CAPACITY:
        _models.popitem(last=False)


def forget_all() -> None:
    """Empty the cache (tests that compare a cold start with a warm one)."""
    _models.clear()
