"""What a timeline shows, derived from a shipment's events alone: one record per event,
the status folded through the transition table, legs, corridor, and the summary kept for metrics.

Applying the same event twice, or in another order, gives the same timeline.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hub.partners import PARTNERS
from hub.stages.legs import LegReader, snapshots_in_journey_order
from schemas import CanonicalEvent, Leg, Milestone, PartnerKind, Status, TimeSource
from schemas.timeline import Corridor, LegSpan, Timeline

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
    # (`seen_again_later` below knows the result for a record only received later: change both.)
    # A newer adapter version wins (reprocessing after a mapping fix); between two views of
    # one status (a CDEK webhook and the order read model) the one carrying amounts wins;
    # then the earliest sighting: a snapshot without a time is dated by the earliest
    # received_at seen, and a repeat must not move an event (or what it settles) in time;
    # the serialised form breaks any tie (see `preferred`), so the choice never depends on
    # arrival order.
    return (event.adapter_version, len(event.amounts), -event.occurred_at.timestamp(), -event.received_at.timestamp())


def preferred(event: CanonicalEvent, current: CanonicalEvent) -> bool:
    """Does `event` replace `current`, a record with its event_id? Only if strictly preferred."""
    if event == current:
        return False  # a repeat: the serialised tie-break below would say so, at a cost
    mine, theirs = _preference(event), _preference(current)
    if mine != theirs:
        return mine > theirs
    # Serialised only on a tie (rare: most repeats differ in when they were received).
    return event.model_dump_json() > current.model_dump_json()


def seen_again_later(raw: dict[str, Any], stored: dict[str, Any] | None) -> bool:
    """Is `raw` the JSON of `stored`, a record kept, with nothing changed but a later
    `received_at`? A partner's history polled again brings every event so (over 40% of the
    events of simulated traffic). `preferred` never takes such a record (the earliest sighting
    wins), so it is known for a repeat from its JSON alone, neither validated nor compared."""
    if stored is None or len(raw) != len(stored):  # (a quick no, before copying and comparing)
        return False
    first, later = stored.get("received_at"), raw.get("received_at")
    if not isinstance(first, str) or not isinstance(later, str) or first == later or {**raw, "received_at": first} != stored:
        return False
    # Only times as pydantic writes them in UTC (`datetime.fromisoformat` reads forms pydantic
    # refuses); anything else, or a tie, is left to the models and `preferred`.
    if not (_UTC_TIME.fullmatch(first) and _UTC_TIME.fullmatch(later)):
        return False
    try:
        first_at, later_at = datetime.fromisoformat(first), datetime.fromisoformat(later)
    except ValueError:
        return False
    return later_at.timestamp() > first_at.timestamp()  # as `_preference` compares them


_UTC_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?Z")


def add_event(events: EventsById, event: CanonicalEvent) -> tuple[EventsById, bool]:
    """Keep one record per event_id, the preferred one of any repeats."""
    current = events.get(event.event_id)
    if current is not None and not preferred(event, current):
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
    status, milestone = carry_status(ordered, top_authority(ordered), None, Milestone.UNKNOWN)
    return status or Status.UNKNOWN, milestone


def top_authority(events: Iterable[CanonicalEvent]) -> int:
    """The highest authority among the events that tell a status (0 without one)."""
    return max((AUTHORITY[e.partner_kind] for e in events if e.status is not Status.UNKNOWN), default=0)


def carry_status(ordered: Iterable[CanonicalEvent], top: int, status: Status | None,
                 milestone: Milestone) -> tuple[Status | None, Milestone]:
    """The status fold carried on over `ordered` from `status` (None: none yet), given the
    highest authority among all the shipment's events."""
    for event in ordered:
        if event.status is Status.UNKNOWN or event.milestone in (Milestone.INFORMATIONAL, Milestone.UNKNOWN):
            continue
        if event.status in DELIVERY_FACTS and AUTHORITY[event.partner_kind] < top:
            continue
        if event.status in TRANSITIONS[status]:
            status, milestone = event.status, event.milestone
    return status, milestone


@dataclass(slots=True)
class Fold:
    """A timeline and where the one pass that built it ended: what hub/stages/timeline_fold.py
    needs to carry the pass on over events that all come after the last one. Never changed
    once made (not frozen only because a frozen dataclass is slower to make, once per message)."""

    timeline: Timeline
    status: Status | None  # the status fold's own (None: no status yet)
    authority: int  # top_authority of the events
    carried: bool  # a carrier (not a marketplace) reports on the parcel
    identifiers: frozenset[str]
    orders: frozenset[str]
    milestones: dict[Milestone, datetime]  # the first time of each, in the order they were reached
    promised: datetime | None
    origin: str | None  # the corridor's first country
    destination: tuple[str, str | None] | None  # its last country and city
    timed_facts: frozenset[Milestone]  # milestones a readable event tells with the partner's time
    untimed: tuple[Milestone, ...]  # the milestones of the untimed snapshots that set legs
    reader: LegReader
    # [leg, partner, entered_at, exited_at, time_source] each; the next fold copies the last
    # before carrying it on, and never touches the others.
    spans: list[list[Any]]


def build_timeline(shipment_id: str, events: EventsById) -> Timeline:
    return fold(shipment_id, events).timeline


def fold(shipment_id: str, events: EventsById) -> Fold:
    """The timeline of `events`, in one pass over them in time order."""
    ordered = sorted(events.values(), key=sort_key)
    authority = top_authority(ordered)
    status, milestone = carry_status(ordered, authority, None, Milestone.UNKNOWN)
    identifiers = frozenset(i for e in ordered for i in e.subject)
    orders = frozenset(str(r) for e in ordered for r in e.order_references())
    milestones = add_milestones({}, ordered)
    promised = latest_promise(None, ordered)
    carried = any(e.partner_kind is not PartnerKind.MARKETPLACE for e in ordered)
    origin, destination = add_places(None, None, ordered, carried)
    # Legs: who held the parcel on which stretch (hub/stages/legs.py says which leg each event
    # opens), from carriers' events only; a new span where the leg or the carrier changes.
    readable = readable_events(ordered, carried)
    # An untimed snapshot of a fact a timed event also tells never sets a boundary: the timed
    # one dates it (docs/architecture.md#service-clock-and-honest-times).
    timed_facts = frozenset(e.milestone for e, _, _ in readable if e.time_source is TimeSource.PARTNER)
    readable = [item for item in readable
                if item[0].time_source is TimeSource.PARTNER or item[0].milestone not in timed_facts]
    reader = LegReader()
    spans = add_spans([], reader, snapshots_in_journey_order(readable))
    return Fold(
        timeline=make_timeline(shipment_id, identifiers, orders, status, milestone, ordered, spans, milestones, origin,
                           destination, promised),
        status=status, authority=authority, carried=carried, identifiers=identifiers, orders=orders,
        milestones=milestones, promised=promised, origin=origin, destination=destination, timed_facts=timed_facts,
        untimed=tuple(e.milestone for e, _, _ in readable if e.time_source is TimeSource.OBSERVED),
        reader=reader, spans=spans,
    )


def make_timeline(shipment_id: str, identifiers: frozenset[str], orders: frozenset[str], status: Status | None,
              milestone: Milestone, ordered: list[CanonicalEvent] | tuple[CanonicalEvent, ...], spans: list[list[Any]],
              milestones: dict[Milestone, datetime], origin: str | None, destination: tuple[str, str | None] | None,
              promised: datetime | None, legs: tuple[LegSpan, ...] = ()) -> Timeline:
    """The Timeline of a fold's figures; `legs` are LegSpans made already for the first of `spans`."""
    return Timeline(
        shipment_id=shipment_id,
        identifiers=tuple(sorted(identifiers)),
        orders=tuple(sorted(orders)),
        status=status or Status.UNKNOWN,
        milestone=milestone,
        events=tuple(ordered),
        legs=legs + tuple(LegSpan(leg=leg, partner=partner, entered_at=entered, exited_at=exited, time_source=source)
                          for leg, partner, entered, exited, source in spans[len(legs):]),
        milestones=milestones,
        corridor=Corridor(origin_country=origin, destination_country=destination[0], destination_city=destination[1] or "*")
        if origin is not None and destination is not None else None,
        # The latest promise made, by the time it was made.
        promised_delivery=promised,
        last_event_at=ordered[-1].occurred_at if ordered else None,
    )


def add_milestones(milestones: dict[Milestone, datetime], ordered: Iterable[CanonicalEvent]) -> dict[Milestone, datetime]:
    """The first time each milestone was reached, `milestones` (earlier events') first."""
    milestones = dict(milestones)
    for event in ordered:
        if event.milestone not in (Milestone.UNKNOWN, Milestone.INFORMATIONAL):
            milestones.setdefault(event.milestone, event.occurred_at)
    return milestones


def latest_promise(promised: datetime | None, ordered: Iterable[CanonicalEvent]) -> datetime | None:
    for event in ordered:
        if event.promised_delivery is not None:
            promised = event.promised_delivery
    return promised


def _country(event: CanonicalEvent) -> tuple[str | None, str]:
    """Where an event happened, or its partner's country; and its partner's adapter."""
    partner = PARTNERS.get(event.partner)
    country = (event.location.country if event.location else None) or (partner.country if partner else None)
    return country, partner.adapter if partner else event.partner


def add_places(origin: str | None, destination: tuple[str, str | None] | None, ordered: Iterable[CanonicalEvent],
               carried: bool) -> tuple[str | None, tuple[str, str | None] | None]:
    """The corridor's first country and last country and city, carried on over `ordered`.

    Where the parcel went is what its carriers say: a marketplace's country is where the order
    was taken (an AliExpress snapshot would make every parcel end in China)."""
    for event in ordered:
        if carried and event.partner_kind is PartnerKind.MARKETPLACE:
            continue
        country, _ = _country(event)
        if country:
            origin = origin or country
            destination = (country, event.location.city if event.location else None)
    return origin, destination


def readable_events(ordered: Iterable[CanonicalEvent], carried: bool) -> list[tuple[CanonicalEvent, str | None, str]]:
    """The events that can set legs, with their country and adapter: a marketplace relays what
    carriers report, so its events open no leg when a carrier reports on the parcel
    (Wildberries delivering to its own pickup points is its own carrier)."""
    readable = []
    for event in ordered:
        if (carried and event.partner_kind is PartnerKind.MARKETPLACE) or event.status is Status.UNKNOWN:
            continue
        country, adapter = _country(event)
        readable.append((event, country, adapter))
    return readable


def add_spans(spans: list[list[Any]], reader: LegReader,
              readable: Iterable[tuple[CanonicalEvent, str | None, str]]) -> list[list[Any]]:
    """Leg spans carried on over `readable` in journey order, `reader` where the last left off."""
    for event, country, adapter in readable:
        leg = reader.leg_of(event, country, adapter)
        if leg is None:
            continue
        if spans and spans[-1][0] is leg and spans[-1][1] == event.partner:
            continue
        entered = event.occurred_at
        if spans and event.time_source is TimeSource.OBSERVED:
            # A snapshot put in journey order may have been read before the one it follows.
            entered = max(entered, spans[-1][2])
        if spans:
            spans[-1][3] = entered
        spans.append([leg, event.partner, entered, None, event.time_source])
    return spans


def summarise(timeline: Timeline) -> dict[str, Any]:
    """The few figures operations read from every shipment, kept beside its events.

    Times are epoch seconds; the corridor is `origin-destination-city`. The clock is the
    service clock (hub/stages/service_clock.py): `started_at` the first acceptance or
    warehouse outbound, `available_at` when the buyer could have the parcel, both None where
    only an untimed snapshot would say; such a delivery is `delivered_time_unknown`, and a leg
    with an untimed boundary has no duration here, so neither reaches a percentile.
    """
    from hub.stages.predict import moving
    from hub.stages.service_clock import service_times

    times = service_times(timeline)
    legs: dict[str, float] = {}
    spans = timeline.legs
    for span, following in zip(spans, [*spans[1:], None]):  # noqa: B905 - the last span has no follower
        untimed = span.time_source is TimeSource.OBSERVED or (following is not None and following.time_source is TimeSource.OBSERVED)
        # A delivered parcel's last leg (last mile, or the wait at a pickup point) ends at its
        # timed delivery.
        exited = span.exited_at or (times.delivered_at if following is None and span.leg is not Leg.RETURN else None)
        if exited is not None and exited >= span.entered_at and not untimed:
            legs[span.leg.value] = legs.get(span.leg.value, 0.0) + (exited - span.entered_at).total_seconds()
    corridor = timeline.corridor

    def epoch(moment: datetime | None) -> float | None:
        return moment.timestamp() if moment is not None else None

    return {
        "status": timeline.status.value,
        "started_at": None if times.observed else epoch(times.started_at),
        "last_event_at": epoch(timeline.last_event_at),
        "delivered_at": epoch(times.delivered_at),
        "available_at": None if times.observed else epoch(times.available_at),
        "delivered_time_unknown": times.delivered_time_unknown,
        "promised_delivery": epoch(timeline.promised_delivery),
        "corridor": f"{corridor.origin_country or '?'}-{corridor.destination_country or '?'}-{corridor.destination_city}" if corridor else None,
        "legs": legs,
        # A parcel still on its way to the buyer, for the problem queue (hub/stages/predict.py).
        "moving": parcel.as_json() if (parcel := moving(timeline)) is not None else None,
    }
