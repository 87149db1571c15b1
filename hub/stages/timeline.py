"""Timeline: a shipment's events, deduplicated, folded into its current status, legs and milestones.

The state kept per shipment is only its events by `event_id` (or, once merged into another
shipment, a redirect); everything else is derived by `build_timeline`, so applying the same
event twice, or in another order, gives the same timeline.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from hub.partners import PARTNERS
from hub.stages.legs import leg_for
from hub.stages.settle import merge_emitted
from hub.stages.identity import SHIPMENT_EVENTS, Send
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
    milestones = {}
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


TimelineState = dict[str, Any]  # {"events": {event_id: event JSON}} or {"redirect": shipment id}


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
    """One `hub.shipment-events` message: events to add, or a merge into another shipment."""
    state = state or {}
    redirect = state.get("redirect")
    kind = message["kind"]
    if kind in ("event", "events"):
        raw_events = [message["event"]] if kind == "event" else message["events"]
        if redirect:
            # Sent here before the merge was known: follow the redirect.
            return state, [Send(SHIPMENT_EVENTS, redirect, message)]
        events = {eid: CanonicalEvent.model_validate(e) for eid, e in state.get("events", {}).items()}
        changed = False
        for raw in raw_events:
            events, added = add_event(events, CanonicalEvent.model_validate(raw))
            changed = changed or added
        if not changed:
            # A repeat: publish the timeline again, in case a crash lost the first publication.
            if message.get("settled"):
                state = {**state, "settled": merge_emitted(state.get("settled"), message["settled"])}
            return state, [Publish(shipment_id, build_timeline(shipment_id, events), repeat=True)]
        new_state = {**state, "events": {eid: e.model_dump(mode="json") for eid, e in sorted(events.items())}}
        if message.get("settled"):
            new_state["settled"] = merge_emitted(state.get("settled"), message["settled"])
        return new_state, [Publish(shipment_id, build_timeline(shipment_id, events))]
    if kind == "merge":
        target = message["to"]
        if target == shipment_id or (redirect and redirect != target):
            # Already merged elsewhere: a later, smaller label reaches the old target through its own merge.
            return state, []
        # First merge, or the same merge again after a crash: (re)send the events, which the
        # redirect state keeps for exactly that, and (re)publish the redirect.
        moved = list(state.get("events", {}).values())
        settled = state.get("settled")
        outputs: list[Send | Publish] = [Publish(shipment_id, TimelineRedirect(shipment_id=shipment_id, to=target))]
        if moved:
            # What this shipment already settled travels with its events.
            outputs.insert(0, Send(SHIPMENT_EVENTS, target, {"kind": "events", "events": moved, "settled": settled}))
        new_state: TimelineState = {"redirect": target, "events": state.get("events", {})}
        if settled:
            new_state["settled"] = settled
        return new_state, outputs
    raise ValueError(f"unknown shipment message kind {kind!r}")


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
