"""Stored events, validated once: a bounded cache from a timeline state's event JSON to its model.

A shipment's state keeps its events as JSON (hub/stages/timeline.py), and every message for the
shipment needs them as `CanonicalEvent`s again to fold the timeline. Validating them anew each
time made a shipment's cost grow with the square of its events (issue 15: a quarter of the
worker's time). The events of a shipment that is still moving are read again and again, so
the models are kept, keyed by event id, for the most recently used `CAPACITY` events.

Whole states are kept too (`stored_events`): the events dict a shipment's last message stored
usually comes back as the very same object, and its models then need no lookup per event.

Models are kept by event id and `received_at`: a partner's re-polled history brings every
event again, received later, and keyed by id alone the two records evicted each other and were
each validated again at every message. (The timeline stage now knows most such records for
repeats from their JSON, hub/stages/timeline_build.py:seen_again_later, and validates them no
more; a record changed in more than its `received_at` is still compared with `preferred`.)

(Handing the normalise stage's models over through this cache was tried and measured worse:
under a backlog normalise runs tens of thousands of events ahead of the timeline stage, so
what it put in evicted the models of the shipments being folded before any was used.)

A hit must be the same JSON, not merely the same key: an event normalised again by a newer
adapter has the id and the `received_at` of the first, and a state read back from a changelog or
another store is equal JSON in new objects. So the JSON is compared (the same object costs
nothing to compare). Models are frozen, so sharing one between states is safe. The cache only
saves work: with any capacity, even zero, every result is the same.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from hub.stages.timeline_json import remember_own_json
from schemas import CanonicalEvent

# A model takes about 3.6 KB (measured with tracemalloc on simulated traffic), so at most about
# 70 MB, flat however many shipments pass; enough for the events of some 600 shipments moving
# at once. A miss only costs a validation.
CAPACITY = 20_000

# By (event_id, received_at): the JSON and its model.
_models: OrderedDict[tuple[Any, Any], tuple[dict[str, Any], CanonicalEvent]] = OrderedDict()


def stored_event(raw: dict[str, Any]) -> CanonicalEvent:
    """The model of one stored event's JSON, validated only when not already known."""
    key = (raw.get("event_id"), raw.get("received_at"))
    hit = _models.get(key)
    if hit is not None and (hit[0] is raw or hit[0] == raw):
        _models.move_to_end(key)
        return hit[1]
    event = CanonicalEvent.model_validate(raw)
    remember(raw, event)
    return event


# The models of whole states' `events`, by the dict object (held, so its id is not reused):
# a shipment's next message usually brings back the very dict its last one stored (the
# table codec's decode cache, hub/kafka/state_codec.py, keeps as many), and folding it then
# needs no lookup per event.
STATES = 256

_states: OrderedDict[int, tuple[dict[str, Any], dict[str, CanonicalEvent]]] = OrderedDict()


def stored_events(stored: dict[str, Any], *, own_json: bool = False) -> dict[str, CanonicalEvent]:
    """The models of a state's events ({event_id: JSON}), by event id. Read only: the dict
    returned may be the one kept here.

    `own_json`: each stored JSON was checked to be its model's own (the state is marked so,
    hub/stages/timeline.py), and is taken for the model's JSON in the timeline's
    (hub/stages/timeline_json.py), so that no model is serialised again."""
    if not stored:
        return {}
    hit = _states.get(id(stored))
    if hit is not None and hit[0] is stored:
        _states.move_to_end(id(stored))
        return hit[1]
    models = {event_id: stored_event(raw) for event_id, raw in stored.items()}
    if own_json:
        for event_id, raw in stored.items():
            remember_own_json(models[event_id], raw)
    remember_state(stored, models)
    return models


def remember_state(stored: dict[str, Any], models: dict[str, CanonicalEvent]) -> None:
    """Keep `models` as the models of `stored`, a state's events that must not change after."""
    if STATES <= 0:
        return
    _states[id(stored)] = (stored, models)
    _states.move_to_end(id(stored))
    while len(_states) > STATES:
        _states.popitem(last=False)


def forget_state(stored: dict[str, Any]) -> None:
    """Let the entry of `stored` go: a shipment's next state has taken its place, and it would
    only hold room a moving shipment could use."""
    hit = _states.get(id(stored))
    if hit is not None and hit[0] is stored:
        del _states[id(stored)]


def keep(states: int, models: int) -> None:
    """Keep the models of the last `states` whole states and of the last `models` events
    (hub/stages/shipment_step.py:keep_shipments sizes them with the other caches)."""
    global STATES, CAPACITY  # noqa: PLW0603 - the sizes of this module's caches, set once per process
    STATES, CAPACITY = states, models
    while len(_states) > STATES:
        _states.popitem(last=False)
    while len(_models) > CAPACITY:
        _models.popitem(last=False)


def remember(raw: dict[str, Any], event: CanonicalEvent) -> None:
    """Keep `event` as the model of `raw`, its JSON (`event.model_dump(mode="json")`, or that
    JSON read back)."""
    if CAPACITY <= 0:
        return
    key = (raw.get("event_id"), raw.get("received_at"))
    _models[key] = (raw, event)
    _models.move_to_end(key)
    while len(_models) > CAPACITY:
        _models.popitem(last=False)


def forget_all() -> None:
    """Empty the caches (tests that compare a cold start with a warm one)."""
    _models.clear()
    _states.clear()
