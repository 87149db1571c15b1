"""Timeline: a shipment's events, deduplicated, folded into its current status, legs and milestones.

The state kept per shipment is its events by `event_id` (or, once merged into another
shipment, a redirect), plus what splits need to route late arrivals (see TimelineState);
everything shown is derived by `build_timeline`, so applying the same event twice, or in
another order, gives the same timeline.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hub.partners import PARTNERS
from hub.stages.identity import SHIPMENT_EVENTS, Send
from hub.stages.legs import leg_for
from hub.stages.normalise import routing_identifier
from hub.stages.settle import merge_emitted, split_emitted
from schemas import CanonicalEvent, Leg, Milestone, PartnerKind, Status
from schemas.timeline import Corridor, LegSpan, Timeline, TimelineRedirect

EventsById = dict[str, CanonicalEvent]

# The one transition table: which statuses may follow the current one. A late
# `in_transit` never undoes `delivered`; delivered → returning → returned is allowed.
_ANY = frozenset(Status) - {Status.UNKNOWN}
_MOVING = _ANY - {Status.INFO_RECEIVED}
TRANSITIONS: dict[Status | None, frozenset[Status]] = {
    None: _ANY,
    Status.INFO_RECEIVED: _ANY,
    Status.IN_TRANSIT: _MOVING,
    Status.OUT_FOR_DELIVERY: _MOVING,
    Status.AVAILABLE_FOR_PICKUP: _MOVING,
    Status.ATTEMPT_FAILED: _MOVING,
    Status.EXCEPTION: _MOVING,
    Status.DELIVERED: frozenset({Status.RETURNING, Status.RETURNED}),
    Status.RETURNING: frozenset({Status.RETURNING, Status.RETURNED, Status.EXCEPTION}),
    Status.RETURNED: frozenset(),
    Status.CANCELLED: frozenset({Status.RETURNING, Status.RETURNED}),
}


def _preference(event: CanonicalEvent) -> tuple:
    # A newer adapter version wins (reprocessing after a mapping fix); between two views of
    # one status (a CDEK webhook and the order read model) the one carrying amounts wins;
    # then the earliest sighting: a snapshot without a time is dated by the earliest
    # received_at seen, and a repeat must not move an event (or what it settles) in time;
    # the serialised form breaks any tie, so the choice never depends on arrival order.
    return (
        event.adapter_version, len(event.amounts),
        -event.occurred_at.timestamp(), -event.received_at.timestamp(), event.model_dump_json(),
    )


def add_event(events: EventsById, event: CanonicalEvent) -> tuple[EventsById, bool]:
    """Keep one record per event_id, the preferred one of any repeats."""
    current = events.get(event.event_id)
    if current is not None and _preference(current) >= _preference(event):
        return events, False
    return {**events, event.event_id: event}, True


def sort_key(event: CanonicalEvent) -> tuple:
    return (event.occurred_at, event.event_id)


# The partner-authority table: on delivery facts, the party that holds the parcel outranks
# one that only hears about it. A marketplace saying "delivered" does not override what a
# carrier on the same shipment reports; a marketplace still decides order facts (cancelled).
AUTHORITY: dict[PartnerKind, int] = {
    PartnerKind.POST: 3,
    PartnerKind.COURIER: 3,
    PartnerKind.PICKUP_POINT: 3,
    PartnerKind.WAREHOUSE: 3,
    PartnerKind.LOGISTICS_PLATFORM: 2,
    PartnerKind.MARKETPLACE: 1,
}
DELIVERY_FACTS = frozenset({
    Status.IN_TRANSIT, Status.OUT_FOR_DELIVERY, Status.AVAILABLE_FOR_PICKUP, Status.ATTEMPT_FAILED,
    Status.DELIVERED, Status.RETURNING, Status.RETURNED, Status.EXCEPTION,
})


def fold_status(ordered: Iterable[CanonicalEvent]) -> tuple[Status, Milestone]:
    ordered = list(ordered)
    top_authority = max((AUTHORITY[e.partner_kind] for e in ordered if e.status is not Status.UNKNOWN), default=0)
    status: Status | None = None
    milestone = Milestone.UNKNOWN
    for event in ordered:
        if event.status is Status.UNKNOWN or event.milestone in (Milestone.INFORMATIONAL, Milestone.UNKNOWN):
            continue
        if event.status in DELIVERY_FACTS and AUTHORITY[event.partner_kind] < top_authority:
            continue
        if event.status in TRANSITIONS[status]:
            status, milestone = event.status, event.milestone
    return status or Status.UNKNOWN, milestone


def build_timeline(shipment_id: str, events: EventsById) -> Timeline:
    ordered = sorted(events.values(), key=sort_key)
    status, milestone = fold_status(ordered)
    identifiers = sorted({i for e in ordered for i in e.subject})
    orders = sorted({str(r) for e in ordered for r in e.order_references()})
    milestones: dict[Milestone, datetime] = {}
    for event in ordered:
        milestones.setdefault(event.milestone, event.occurred_at)
    milestones.pop(Milestone.UNKNOWN, None)
    milestones.pop(Milestone.INFORMATIONAL, None)
    promised = [e.promised_delivery for e in ordered if e.promised_delivery is not None]
    return Timeline(
        shipment_id=shipment_id,
        identifiers=tuple(identifiers),
        orders=tuple(orders),
        status=status,
        milestone=milestone,
        events=tuple(ordered),
        legs=tuple(_legs(ordered)),
        milestones=milestones,
        corridor=_corridor(ordered),
        # The latest promise made, by the time it was made.
        promised_delivery=promised[-1] if promised else None,
        last_event_at=ordered[-1].occurred_at if ordered else None,
    )


# Forward legs in journey order: a late or generic event never sends a parcel back to an
# earlier leg (a Cainiao "arrived at sorting centre" after export customs is still line haul).
FORWARD_ORDER = [Leg.FIRST_MILE, Leg.ORIGIN_WAREHOUSE, Leg.EXPORT_CUSTOMS, Leg.LINE_HAUL, Leg.IMPORT_CUSTOMS,
                 Leg.DESTINATION_WAREHOUSE, Leg.LAST_MILE, Leg.PICKUP_POINT]


def _legs(ordered: list[CanonicalEvent]) -> list[LegSpan]:
    """Who held the parcel on which stretch: carriers' events only, legs only moving forward.

    A marketplace relays what carriers report, so its events open no leg when a carrier
    reports on the parcel (Wildberries delivering to its own pickup points is its own
    carrier); once the parcel is on its way back (`return`), it stays there.
    """
    spans: list[LegSpan] = []
    carried = any(e.partner_kind is not PartnerKind.MARKETPLACE for e in ordered)
    for event in ordered:
        if (carried and event.partner_kind is PartnerKind.MARKETPLACE) or event.status is Status.UNKNOWN:
            continue
        partner = PARTNERS.get(event.partner)
        country = (event.location.country if event.location else None) or (partner.country if partner else None)
        leg = leg_for(event.milestone, event.partner_kind, country)
        if leg is None:
            continue
        if spans:
            current = spans[-1].leg
            if current is Leg.RETURN:
                leg = Leg.RETURN
            elif leg is not Leg.RETURN and FORWARD_ORDER.index(leg) < FORWARD_ORDER.index(current):
                leg = current
        if spans and spans[-1].leg is leg and spans[-1].partner == event.partner:
            continue
        if spans:
            spans[-1] = spans[-1].model_copy(update={"exited_at": event.occurred_at})
        spans.append(LegSpan(leg=leg, partner=event.partner, entered_at=event.occurred_at))
    return spans


def _corridor(ordered: list[CanonicalEvent]) -> Corridor | None:
    # Where the parcel went is what its carriers say: a marketplace's country is where the
    # order was taken (an AliExpress snapshot would make every parcel end in China).
    carried = any(e.partner_kind is not PartnerKind.MARKETPLACE for e in ordered)
    countries = []
    for event in ordered:
        if carried and event.partner_kind is PartnerKind.MARKETPLACE:
            continue
        partner = PARTNERS.get(event.partner)
        country = (event.location.country if event.location else None) or (partner.country if partner else None)
        if country:
            countries.append((country, event.location.city if event.location else None))
    if not countries:
        return None
    destination_country, destination_city = countries[-1]
    return Corridor(origin_country=countries[0][0], destination_country=destination_country, destination_city=destination_city or "*")


TimelineState = dict[str, Any]
# A live shipment: {"events": {event_id: event JSON}, "routed": {event_id: generation},
# "generation": n, "released": {carrier: release}, "merged_into": [shipment ids], "settled": ...};
# once merged into another shipment: the same with "redirect": shipment id.
#
# Generations come from identity (hub/stages/identity.py): a split starts a new one. `routed`
# is the generation under which each event was sent here (0 if absent); `generation` the
# newest one in which this shipment's label was in use; a release records that a carrier
# (the identifier that routes an event: the smallest on it) left for shipment `to` in
# generation n: {"generation": n, "to": ..., "events": [what was moved, kept to resend]}.
# `merged_into` lists where earlier merges sent this shipment's events before it lived again
# in a newer generation: a release follows them, since the carrier's events may be there.


@dataclass(frozen=True)
class Publish:
    """A record for `hub.timelines`: the shipment's latest timeline, or its redirect."""

    key: str
    record: Timeline | TimelineRedirect
    # True when the record was published before (a repeated input): nothing changed.
    repeat: bool = False


def handle_shipment_message(
    state: TimelineState | None, shipment_id: str, message: dict[str, Any]
) -> tuple[TimelineState, list[Send | Publish]]:
    """One `hub.shipment-events` message: events to add, a merge into another shipment, or
    the release of one identifier's events after a split."""
    state = state or {}
    kind = message["kind"]
    generation = message.get("generation", 0)
    if kind in ("event", "events"):
        return _on_events(state, shipment_id, message, generation)
    if kind == "merge":
        return _on_merge(state, shipment_id, message["to"], generation)
    if kind == "release":
        return _on_release(state, shipment_id, message, generation)
    raise ValueError(f"unknown shipment message kind {kind!r}")


def carrier_of_event(raw: dict[str, Any]) -> str:
    """The identifier that routed a stored event here (the smallest parcel identifier on it)."""
    return routing_identifier(CanonicalEvent.model_validate(raw))


def _on_events(state: TimelineState, shipment_id: str, message: dict[str, Any], generation: int) -> tuple[TimelineState, list[Send | Publish]]:
    raw_events = [message["event"]] if message["kind"] == "event" else message.get("events", [])
    if not raw_events and not state.get("redirect"):
        # A claim (hub/stages/identity.py) where nothing needs reviving, or the same claim
        # again after a crash, which may have lost the publication of the revival. Either
        # way the label is in use in this generation: older merges of it no longer apply.
        current = timeline_from_state(shipment_id, state)
        if current is None:
            return state, []
        claimed = {**state, "generation": max(state.get("generation", 0), generation)} if generation else state
        return claimed, [Publish(shipment_id, current, repeat=True)]
    revived = False
    if state.get("redirect"):
        if generation <= state.get("generation", 0):
            # Sent here before the merge was known: follow the redirect.
            return state, [Send(SHIPMENT_EVENTS, state["redirect"], message)] if raw_events else []
        # A newer generation labels identifiers into this shipment again (after a split):
        # it lives again, with none of what its merge moved away.
        state = _lives_again(state)
        revived = True
    released = _merge_released(state.get("released"), message.get("released"))
    routed_in = message.get("routed") or {}
    events = {eid: CanonicalEvent.model_validate(e) for eid, e in state.get("events", {}).items()}
    routed = dict(state.get("routed") or {})
    forwards: dict[tuple[str, int], list[dict[str, Any]]] = {}
    changed = kept = False
    for raw in raw_events:
        event = CanonicalEvent.model_validate(raw)
        event_generation = routed_in.get(raw["event_id"], generation)
        # Only a shipment that saw a split has released identifiers to look up.
        moved = released.get(routing_identifier(event)) if released else None
        if moved and moved["generation"] > event_generation:
            # Its identifier left this shipment in a newer generation: so does the event.
            forwards.setdefault((moved["to"], moved["generation"]), []).append(raw)
            continue
        kept = True
        events, added = add_event(events, event)
        changed = changed or added
        if event_generation > routed.get(raw["event_id"], 0):
            routed[raw["event_id"]] = event_generation
    outputs: list[Send | Publish] = [
        Send(SHIPMENT_EVENTS, target, {"kind": "events", "events": moved_events, "generation": moved_generation})
        for (target, moved_generation), moved_events in sorted(forwards.items())
    ]
    new_state = _without_empty({**state, "generation": max(state.get("generation", 0), generation),
                                "released": released, "routed": routed})
    if message.get("settled"):
        new_state["settled"] = merge_emitted(state.get("settled"), message["settled"])
    if revived and not changed:
        # No longer a redirect, on hub.timelines too (a timeline without events, for now).
        return new_state, [*outputs, Publish(shipment_id, build_timeline(shipment_id, events))]
    if not kept:
        return new_state, outputs
    if not changed:
        # A repeat: publish the timeline again, in case a crash lost the first publication.
        return new_state, [*outputs, Publish(shipment_id, build_timeline(shipment_id, events), repeat=True)]
    new_state["events"] = {eid: e.model_dump(mode="json") for eid, e in sorted(events.items())}
    return new_state, [*outputs, Publish(shipment_id, build_timeline(shipment_id, events))]


def _lives_again(state: TimelineState) -> TimelineState:
    """A redirect from an older generation, live again: it remembers where that merge went."""
    merged_into = sorted(set(state.get("merged_into", [])) | {state["redirect"]})
    return _without_empty({"released": state.get("released"), "merged_into": merged_into})


def _on_merge(state: TimelineState, shipment_id: str, target: str, generation: int) -> tuple[TimelineState, list[Send | Publish]]:
    redirect = state.get("redirect")
    if target == shipment_id or generation < state.get("generation", 0):
        # A merge from before a split: the newer generation decides where these events go.
        return state, []
    if redirect and generation == state.get("generation", 0) and redirect != target:
        # Already merged elsewhere: a later, smaller label reaches the old target through its own merge.
        return state, []
    if redirect and generation > state.get("generation", 0):
        # Merged away in an older generation: nothing of this one lives here yet.
        state = _lives_again(state)
    # First merge, or the same merge again after a crash: (re)send the events, which the
    # redirect state keeps for exactly that, and (re)publish the redirect.
    moved = list(state.get("events", {}).values())
    outputs: list[Send | Publish] = [Publish(shipment_id, TimelineRedirect(shipment_id=shipment_id, to=target))]
    if moved or state.get("released"):
        # What this shipment already settled, and which identifiers left it, travel with its events.
        outputs.insert(0, Send(SHIPMENT_EVENTS, target, _without_empty({
            "kind": "events", "events": moved, "routed": state.get("routed"), "settled": state.get("settled"),
            "released": state.get("released"), "generation": generation,
        })))
    new_state = _without_empty({**state, "redirect": target, "generation": generation})
    return new_state, outputs


def _on_release(state: TimelineState, shipment_id: str, message: dict[str, Any], generation: int) -> tuple[TimelineState, list[Send | Publish]]:
    """After a split, identifier `carrier` belongs to shipment `to`: its events go there.

    The release also goes on wherever merges took this shipment's events (the carrier's may
    be among them); `via` names the shipments it has passed, so it never goes round in circles.
    """
    carrier, target = message["carrier"], message["to"]
    via = [*message.get("via", []), shipment_id]
    onward = [s for s in [state.get("redirect"), *state.get("merged_into", [])] if s and s not in via]
    outputs: list[Send | Publish] = [Send(SHIPMENT_EVENTS, s, {**message, "via": via}) for s in onward]
    released = dict(state.get("released") or {})
    known = released.get(carrier)
    if known and known["generation"] >= generation:
        if known["generation"] == generation and known["events"]:
            # The same release again (a crash may have lost what it sent): send it again.
            outputs.append(Send(SHIPMENT_EVENTS, known["to"], {"kind": "events", "events": known["events"], "generation": generation}))
            current = timeline_from_state(shipment_id, state)
            if current is not None:
                outputs.append(Publish(shipment_id, current, repeat=True))
        return state, outputs
    events = state.get("events", {})
    leaving = {} if state.get("redirect") or target == shipment_id else {
        eid: e for eid, e in events.items() if carrier_of_event(e) == carrier}
    released[carrier] = {"generation": generation, "to": target, "events": list(leaving.values())}
    # The shipment's own generation stays: a release speaks of the carrier's new component,
    # not of the one this shipment's label belongs to.
    new_state = {**state, "released": released}
    if not leaving:
        return new_state, outputs
    staying = {eid: e for eid, e in events.items() if eid not in leaving}
    # What was settled for orders that now live only in the leaving events goes with them,
    # so neither side reverses what the other still owes.
    leaving_orders = _orders(leaving.values()) - _orders(staying.values())
    kept, moved = split_emitted(state.get("settled"), leaving_orders)
    routed = {eid: g for eid, g in (state.get("routed") or {}).items() if eid in staying}
    new_state = _without_empty({**new_state, "events": staying, "routed": routed, "settled": kept})
    outputs.append(Send(SHIPMENT_EVENTS, target, _without_empty(
        {"kind": "events", "events": list(leaving.values()), "settled": moved, "generation": generation})))
    # What stays (possibly nothing: a shipment that only lived between a split and the
    # relabelling after it ends empty; its identifiers resolve elsewhere).
    remaining = {eid: CanonicalEvent.model_validate(e) for eid, e in staying.items()}
    outputs.append(Publish(shipment_id, build_timeline(shipment_id, remaining)))
    return new_state, outputs


def _orders(raw_events) -> set[str]:
    return {str(r) for raw in raw_events for r in CanonicalEvent.model_validate(raw).order_references()}


def _merge_released(mine: dict[str, Any] | None, theirs: dict[str, Any] | None) -> dict[str, Any]:
    """Per identifier, the release of the newest generation."""
    merged = dict(mine or {})
    for carrier, release in (theirs or {}).items():
        if carrier not in merged or merged[carrier]["generation"] < release["generation"]:
            merged[carrier] = release
    return merged


def _without_empty(state: dict[str, Any]) -> dict[str, Any]:
    """Leave out what is absent, so a shipment that never saw a split keeps its old shape."""
    return {k: v for k, v in state.items() if v is not None and v != {} and v != [] and not (k == "generation" and v == 0)}


def timeline_from_state(shipment_id: str, state: TimelineState | None) -> Timeline | TimelineRedirect | None:
    if not state:
        return None
    if state.get("redirect"):
        return TimelineRedirect(shipment_id=shipment_id, to=state["redirect"])
    events = {eid: CanonicalEvent.model_validate(e) for eid, e in state.get("events", {}).items()}
    return build_timeline(shipment_id, events)


def summarise(timeline: Timeline) -> dict[str, Any]:
    """The few figures operations read from every shipment, kept beside its events.

    Times are epoch seconds; the corridor is `origin-destination-city`.
    """
    first = timeline.events[0].occurred_at if timeline.events else None
    legs: dict[str, float] = {}
    for span in timeline.legs:
        if span.exited_at is not None:
            legs[span.leg.value] = legs.get(span.leg.value, 0.0) + (span.exited_at - span.entered_at).total_seconds()
    corridor = timeline.corridor
    delivered = timeline.milestones.get(Milestone.DELIVERED)
    return {
        "status": timeline.status.value,
        "started_at": first.timestamp() if first else None,
        "last_event_at": timeline.last_event_at.timestamp() if timeline.last_event_at else None,
        "delivered_at": delivered.timestamp() if delivered else None,
        "promised_delivery": timeline.promised_delivery.timestamp() if timeline.promised_delivery else None,
        "corridor": f"{corridor.origin_country or '?'}-{corridor.destination_country or '?'}-{corridor.destination_city}" if corridor else None,
        "legs": legs,
    }
