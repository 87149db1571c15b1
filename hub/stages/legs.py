"""Which leg of the journey each event belongs to, inferred from canonical events alone.

The model is docs/architecture.md#legs-and-service-levels. An event's milestone names its
leg where it can (customs, pickup point, return); a clearance or a warehouse outbound opens
the leg that follows it; a generic scan (arrived, departed, handed over) keeps the parcel in
its current leg unless it shows the parcel leaving its origin place or arriving at another
one. Legs only move forward: a scan naming an earlier leg stays in the current one.
"""

from __future__ import annotations

from dataclasses import dataclass

from schemas import CanonicalEvent, Leg, PartnerKind, TimeSource
from schemas import Milestone as M

# Journey order. Import customs and a destination warehouse share a rank: a bonded overseas
# warehouse takes goods in, clears them inside and stores them, so the two alternate.
RANK: dict[Leg, int] = {
    Leg.ORIGIN_WAREHOUSE: 0, Leg.FIRST_MILE: 1, Leg.EXPORT_CUSTOMS: 2, Leg.LINE_HAUL: 3,
    Leg.IMPORT_CUSTOMS: 4, Leg.DESTINATION_WAREHOUSE: 4, Leg.LAST_MILE: 5, Leg.PICKUP_POINT: 6, Leg.RETURN: 7,
}

_BY_MILESTONE: dict[M, Leg] = {
    M.ACCEPTED: Leg.FIRST_MILE,
    M.EXPORT_CUSTOMS_STARTED: Leg.EXPORT_CUSTOMS,
    # A clearance is the moment the next leg begins (the table's "from export clearance").
    M.EXPORT_CUSTOMS_CLEARED: Leg.LINE_HAUL,
    M.DEPARTED_ORIGIN: Leg.LINE_HAUL,
    M.ARRIVED_DESTINATION_COUNTRY: Leg.LINE_HAUL,
    M.IMPORT_CUSTOMS_STARTED: Leg.IMPORT_CUSTOMS,
    M.CUSTOMS_HELD: Leg.IMPORT_CUSTOMS,
    M.DUTY_PAID: Leg.IMPORT_CUSTOMS,
    M.ARRIVED_AT_PICKUP_POINT: Leg.PICKUP_POINT,
    M.STORAGE_EXPIRING: Leg.PICKUP_POINT,
    M.OUT_FOR_DELIVERY: Leg.LAST_MILE,
    M.DELIVERY_ATTEMPT_FAILED: Leg.LAST_MILE,
    M.DELIVERED: Leg.LAST_MILE,  # at a pickup point it stays there: legs never go back
    M.RETURN_STARTED: Leg.RETURN,
    M.RETURNED_TO_SENDER: Leg.RETURN,
}
# Milestones that belong to the order, not to a movement: no leg of their own.
NO_LEG = frozenset({M.ORDER_PLACED, M.CANCELLED, M.INFORMATIONAL, M.UNKNOWN, M.COD_COLLECTED, M.LOST, M.DAMAGED})
_GENERIC = frozenset({M.ARRIVED_AT_FACILITY, M.DEPARTED_FACILITY, M.HANDED_OVER})

# Partner codes whose generic milestone hides a leg boundary their wording states: the parcel
# leaving its origin city, arriving in the destination city, entering a warehouse. Kept here, not in the
# adapters' tables, because the milestone is right; only the leg needs the finer fact.
# Sources: docs/partners/cdek.md, boxberry.md, wildberries.md (the codes' own descriptions).
LEG_OPENING_CODES: dict[tuple[str, str], Leg] = {
    ("cdek", "TAKEN_BY_TRANSPORTER_FROM_SENDER_CITY"): Leg.LINE_HAUL,  # Сдан перевозчику в г. отправителе
    ("cdek", "PASSED_TO_CARRIER_AT_SENDING_OFFICE"): Leg.LINE_HAUL,
    ("cdek", "ACCEPTED_IN_RECIPIENT_CITY"): Leg.LAST_MILE,  # Встречен в г. получателе
    ("cdek", "ARRIVED_AT_RECIPIENT_CITY"): Leg.LAST_MILE,
    ("boxberry", "Отправлено в город назначения"): Leg.LINE_HAUL,
    ("boxberry", "Передан на доставку до пункта выдачи"): Leg.LAST_MILE,
    ("wildberries", "complete/sorted"): Leg.LINE_HAUL,  # sorted at the seller's warehouse, on its way
    ("wildberries", "complete/sold"): Leg.PICKUP_POINT,  # bought at a Wildberries pickup point, its only way
    # A fulfilment warehouse accepting the order starts assembling the parcel in its stock: the
    # origin warehouse leg, though the milestone (rightly) is the order's.
    ("cainiao", "GWMS_ACCEPT"): Leg.ORIGIN_WAREHOUSE,
}


def _place(event: CanonicalEvent) -> str | None:
    """Where a scan happened, as finely as the partner says: city, else postcode."""
    if event.location is None:
        return None
    return event.location.city or event.location.postcode


@dataclass
class LegReader:
    """Reads a shipment's carrier events in time order and says which leg each belongs to."""

    current: Leg | None = None
    origin_place: str | None = None  # where first mile began

    def leg_of(self, event: CanonicalEvent, country: str | None, adapter: str) -> Leg | None:
        """The event's leg, after legs-only-move-forward; None for an event with no leg."""
        milestone = event.milestone
        coded = LEG_OPENING_CODES.get((adapter, event.raw_code))
        if coded is None and milestone in NO_LEG:
            return None
        proposed = coded or self._proposed(event, milestone, country)
        if proposed is None:
            return self.current
        if self.current is not None and (self.current is Leg.RETURN or RANK[proposed] < RANK[self.current]):
            return self.current
        if proposed is Leg.FIRST_MILE and self.current is not Leg.FIRST_MILE:
            self.origin_place = _place(event)
        self.current = proposed
        return proposed

    def _proposed(self, event: CanonicalEvent, milestone: M, country: str | None) -> Leg | None:
        origin = country == "CN"
        if milestone in (M.WAREHOUSE_INBOUND, M.WAREHOUSE_STORED, M.CERTIFIED):
            return Leg.ORIGIN_WAREHOUSE if origin else Leg.DESTINATION_WAREHOUSE
        if milestone is M.WAREHOUSE_OUTBOUND:
            # Out of an origin warehouse the first mile begins; out of a destination one, the last.
            return Leg.FIRST_MILE if origin else Leg.LAST_MILE
        if milestone is M.IMPORT_CUSTOMS_CLEARED:
            # Released into a bonded warehouse's stock, or onto the road to the buyer.
            return Leg.DESTINATION_WAREHOUSE if event.partner_kind is PartnerKind.WAREHOUSE else Leg.LAST_MILE
        if milestone in _BY_MILESTONE:
            return _BY_MILESTONE[milestone]
        if milestone in _GENERIC:
            return self._generic(event, milestone)
        return None

    def _generic(self, event: CanonicalEvent, milestone: M) -> Leg | None:
        """A scan that names no leg: the first one starts the first mile; leaving the origin
        place starts line haul; the next arrival at a known place starts the last mile. Without a place, the parcel stays where it is."""
        if self.current is None:
            return Leg.FIRST_MILE
        place = _place(event)
        if place is None:
            return None
        if self.current is Leg.FIRST_MILE and milestone is M.DEPARTED_FACILITY and place != self.origin_place:
            return Leg.LINE_HAUL
        if self.current is Leg.LINE_HAUL and milestone is M.ARRIVED_AT_FACILITY:
            # Line haul began with a departure; the next arrival is where it ends. (A carrier
            # that reports transit hubs on the way would need its hubs told apart: none does yet.)
            return Leg.LAST_MILE
        return None


def _natural_rank(event: CanonicalEvent, country: str | None, adapter: str) -> int:
    """Where in a journey an event belongs by itself, whatever came before it."""
    leg = LEG_OPENING_CODES.get((adapter, event.raw_code)) or LegReader()._proposed(event, event.milestone, country)
    return RANK[leg] if leg is not None else RANK[Leg.FIRST_MILE]


def snapshots_in_journey_order(events: list[tuple[CanonicalEvent, str | None, str]]) -> list[tuple[CanonicalEvent, str | None, str]]:
    """Untimed snapshots are dated when the hub first read them, which says little about their
    order: a replay, or a poller catching up, reads a parcel's states within a millisecond,
    in any order across partitions. So the places they hold in the time order are refilled
    with them in journey order (a snapshot series only moves forward), timed events staying
    where their times put them. A function of the set alone: any arrival order, one result."""
    observed = [item for item in events if item[0].time_source is TimeSource.OBSERVED]
    if len(observed) < 2:
        return events
    queue = iter(sorted(observed, key=lambda item: (_natural_rank(*item), item[0].occurred_at, item[0].event_id)))
    return [next(queue) if item[0].time_source is TimeSource.OBSERVED else item for item in events]
