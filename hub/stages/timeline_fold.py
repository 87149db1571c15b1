"""A shipment's timeline carried on from its last one, when its new events all come after it.

`build_timeline` folds every event of a shipment after each message: the status through the
transition table, the legs, the corridor, the milestones. Most messages only add events later
than any the shipment holds (71% of the folds on simulated traffic; a tracking history grows at
its end), and then the pass that built the last timeline can go on from where it ended over the
new events alone: its state is kept beside the timeline (`Fold`, hub/stages/timeline_build.py).

Whatever could change what the earlier events gave is not carried on but folded again from
every event, exactly as before:
- an event earlier than the last one, or one that replaces a stored record;
- a status of higher authority than any before (it overrules earlier delivery facts);
- the first carrier after only marketplace events (marketplace events stop counting);
- a timed event telling a fact an untimed snapshot told (the snapshot stops setting a leg);
- a second untimed snapshot (snapshots are put in journey order among themselves).

So the timeline is the same as `build_timeline` gives, byte for byte
(tests/unit/test_timeline_fold.py checks it on every fold of simulated runs, with faults).
The last folds are kept by the events they folded (`CAPACITY`), as stored_events keeps a
state's models: a shipment's next message brings back the very dict its last one stored.
"""

from __future__ import annotations

from collections import OrderedDict

from hub.stages.legs import LegReader
from hub.stages.timeline_build import (
    EventsById,
    Fold,
    add_milestones,
    add_places,
    add_spans,
    carry_status,
    fold,
    latest_promise,
    make_timeline,
    readable_events,
    sort_key,
    top_authority,
)
from schemas import CanonicalEvent, PartnerKind, TimeSource
from schemas.timeline import Timeline

# Folds of the shipments moving at once: as many as stored_events keeps whole states.
CAPACITY = 256

# By the events dict folded (checked by identity, and held, so an id is never reused while kept).
_folds: OrderedDict[int, tuple[EventsById, Fold]] = OrderedDict()


def timeline_after(shipment_id: str, before: EventsById, events: EventsById) -> Timeline:
    """`build_timeline(shipment_id, events)`, where `events` holds `before` (the shipment's
    events at its last fold) and what its new message added."""
    hit = _folds.get(id(before))
    carried = None
    if hit is not None and hit[0] is before and hit[1].timeline.shipment_id == shipment_id:
        added = _added(before, events)
        carried = _carry_on(hit[1], added) if added else None
    result = carried or fold(shipment_id, events)
    if hit is not None and hit[0] is before:
        del _folds[id(before)]  # the shipment's fold is now this one: the last would only hold room
    if CAPACITY > 0:
        _folds[id(events)] = (events, result)
        _folds.move_to_end(id(events))
        while len(_folds) > CAPACITY:
            _folds.popitem(last=False)
    return result.timeline


def _added(before: EventsById, events: EventsById) -> list[CanonicalEvent] | None:
    """The events of `events` that `before` lacks; None if it replaced or lost one of `before`'s."""
    if any(events.get(i) is not e for i, e in before.items()):
        return None
    return [event for event_id, event in events.items() if event_id not in before]


def _carry_on(last: Fold, added: list[CanonicalEvent]) -> Fold | None:
    """`last` carried on over `added`; None where a fold from every event is needed (module doc)."""
    held = last.timeline.events
    new = sorted(added, key=sort_key)
    if not held or sort_key(new[0]) <= sort_key(held[-1]):
        return None
    authority = max(last.authority, top_authority(new))
    carried = last.carried or any(e.partner_kind is not PartnerKind.MARKETPLACE for e in new)
    if authority != last.authority or carried != last.carried:
        return None
    readable = readable_events(new, carried)
    timed_facts = last.timed_facts | {e.milestone for e, _, _ in readable if e.time_source is TimeSource.PARTNER}
    if timed_facts.intersection(last.untimed):
        return None
    readable = [item for item in readable
                if item[0].time_source is TimeSource.PARTNER or item[0].milestone not in timed_facts]
    untimed = tuple(e.milestone for e, _, _ in readable if e.time_source is TimeSource.OBSERVED)
    if untimed and len(last.untimed) + len(untimed) >= 2:
        return None
    status, milestone = carry_status(new, authority, last.status, last.timeline.milestone)
    reader = LegReader(last.reader.current, last.reader.origin_place)  # the last fold's stays as it ended
    # Every span but the last is complete: its LegSpan is the last timeline's. The last one may
    # end now, so it is carried on (a list: `add_spans` sets its end).
    spans = [*last.spans[:-1], list(last.spans[-1])] if last.spans else []
    spans = add_spans(spans, reader, readable)
    identifiers = last.identifiers | {i for e in new for i in e.subject}
    orders = last.orders | {str(r) for e in new for r in e.order_references()}
    milestones = add_milestones(last.milestones, new)
    promised = latest_promise(last.promised, new)
    origin, destination = add_places(last.origin, last.destination, new, carried)
    timeline = make_timeline(last.timeline.shipment_id, identifiers, orders, status, milestone, (*held, *new), spans,
                             milestones, origin, destination, promised, legs=last.timeline.legs[:-1])
    return Fold(timeline=timeline, status=status, authority=authority, carried=carried, identifiers=identifiers,
                orders=orders, milestones=milestones, promised=promised, origin=origin, destination=destination,
                timed_facts=timed_facts, untimed=last.untimed + untimed, reader=reader, spans=spans)


def keep(folds: int) -> None:
    """Keep the last `folds` folds (hub/stages/shipment_step.py:keep_shipments)."""
    global CAPACITY  # noqa: PLW0603 - the size of this module's cache, set once per process
    CAPACITY = folds
    while len(_folds) > CAPACITY:
        _folds.popitem(last=False)


def forget_all() -> None:
    """Empty the cache (tests comparing a cold start with a warm one)."""
    _folds.clear()
