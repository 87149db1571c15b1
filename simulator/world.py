"""The simulated world: shipments and orders as they really are (the ground truth), and the
partner tracks that report on them."""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from schemas import Leg, Status
from schemas.identifiers import Identifier
from simulator.clock import iso, quarter
from simulator.model import Step, Track
from simulator.numbers import Numbers

# A journey's outcome → the canonical status the shipment ends in.
FINAL_STATUS: dict[str, Status] = {
    "delivered": Status.DELIVERED,
    "returned": Status.RETURNED,
    "returning": Status.RETURNING,
    "cancelled": Status.CANCELLED,
    "lost": Status.EXCEPTION,
}


@dataclass
class Shipment:
    id: str
    scenario: str
    identifiers: list[str] = field(default_factory=list)
    order: str | None = None
    marketplace: str | None = None
    value: tuple[int, str] | None = None  # this parcel's share of the order value
    outcome: str = "delivered"
    finished_at: datetime | None = None
    tracks: list[Track] = field(default_factory=list)
    # Steps of other partners that also tell of this shipment's order value, delivery or
    # return (a marketplace's own "delivered", the order naming the parcel); the step that
    # finishes the journey tells of its outcome without being listed here.
    tells: dict[str, list[Step]] = field(default_factory=dict)

    def identify(self, scheme: str, value: str) -> str:
        text = str(Identifier.of(scheme, value))
        if text not in self.identifiers:
            self.identifiers.append(text)
        return text

    def finish(self, outcome: str, at: datetime) -> None:
        self.outcome, self.finished_at = outcome, at

    def told(self, what: str, step: Step) -> None:
        """`step` tells of this shipment's `what`: "value", "delivered" or "returned"."""
        self.tells.setdefault(what, []).append(step)

    def telling_steps(self, what: str) -> list[Step]:
        """Every step that tells of `what`: the marked ones, and for the journey's outcome the
        steps at its end (the carrier's, and a mirror's copy of it)."""
        steps = list(self.tells.get(what, []))
        if what == self.outcome and self.finished_at is not None:
            steps += [s for t in self.tracks for s in t.steps if s.at == self.finished_at and not s.undocumented]
        return steps

    def truth(self, told: set[int] | None = None) -> dict[str, Any]:
        """`told`: ids of the steps some message carried. A polled partner shows only its
        current state, so a step between two polls is never heard of: the legs are the story
        as the partners told it, the rest of the truth the story itself."""
        steps = sorted(
            ((s.at, t.partner, s.leg) for t in self.tracks for s in t.steps
             if s.leg is not None and not s.undocumented and (told is None or id(s) in told)),
            key=lambda item: (item[0], item[1]),
        )
        legs = journey_legs(steps)
        partners: list[str] = []
        for track in sorted((t for t in self.tracks if t.steps), key=lambda t: t.steps[0].at):
            if track.partner not in partners:
                partners.append(track.partner)
        identifiers = sorted(self.identifiers)
        when = iso(self.finished_at) if self.finished_at else None
        # The latest promise made to the buyer, by when it was made: an Ozon delivery date change
        # promises a window, whose end is the latest moment promised; Cainiao's estimated
        # delivery, which every message of its track repeats, is one too.
        promises = sorted([(s.at, s.data["end"]) for t in self.tracks for s in t.steps if "end" in s.data]
                          + [(t.steps[0].at, t.info["eta"]) for t in self.tracks if "eta" in t.info and t.steps])
        return {
            "shipment": self.id,
            "scenario": self.scenario,
            # docs/architecture.md#identity: shp_ + 16 hex of sha256 of the smallest identifier.
            "shipment_id": "shp_" + hashlib.sha256(identifiers[0].encode()).hexdigest()[:16],
            "identifiers": identifiers,
            "order": self.order,
            "marketplace": self.marketplace,
            "value": {"minor": self.value[0], "currency": self.value[1]} if self.value else None,
            "outcome": self.outcome,
            "final_status": FINAL_STATUS[self.outcome].value,
            "delivered_at": when if self.outcome == "delivered" else None,
            "returned_at": when if self.outcome == "returned" else None,
            "ended_at": when,
            "partners": partners,
            "legs": legs,
            "origin_country": "CN" if any(t.partner in ("cainiao", "wh_guangzhou") for t in self.tracks) else "RU",
            "promised_delivery": iso(promises[-1][1]) if promises else None,
            **service_clock(legs, when if self.outcome == "delivered" else None),
        }


# docs/architecture.md#legs-and-service-levels, in journey order. Import customs and a
# destination warehouse share a place: a bonded warehouse clears goods inside it.
LEG_ORDER: dict[Leg, int] = {
    Leg.ORIGIN_WAREHOUSE: 0, Leg.FIRST_MILE: 1, Leg.EXPORT_CUSTOMS: 2, Leg.LINE_HAUL: 3,
    Leg.IMPORT_CUSTOMS: 4, Leg.DESTINATION_WAREHOUSE: 4, Leg.LAST_MILE: 5, Leg.PICKUP_POINT: 6, Leg.RETURN: 7,
}


def journey_legs(steps: list[tuple[datetime, str, Leg]]) -> list[dict[str, str]]:
    """The story's steps, each labelled with its leg, as spans: a span starts where the leg or
    the partner holding the parcel changes. Legs move forward only: a step labelled with an
    earlier leg than the current one (a courier round from a post office where the parcel
    already waited, a hand-over point after import release) stays in the current leg."""
    legs: list[dict[str, str]] = []
    current: Leg | None = None
    for at, partner, leg in steps:
        if current is not None and (current is Leg.RETURN or LEG_ORDER[leg] < LEG_ORDER[current]):
            leg = current
        current = leg
        if not legs or (legs[-1]["leg"], legs[-1]["partner"]) != (leg.value, partner):
            legs.append({"leg": leg.value, "partner": partner, "entered_at": iso(at)})
    return legs


# The service clock runs from the first of these legs (a warehouse's or customs' time before
# it is not the carrier's) to the first moment the buyer can have the parcel.
CLOCK_LEGS = ("first_mile", "export_customs", "line_haul", "last_mile", "pickup_point")


def service_clock(legs: list[dict[str, str]], delivered_at: str | None) -> dict[str, str | None]:
    started = next((leg["entered_at"] for leg in legs if leg["leg"] in CLOCK_LEGS), None)
    at_point = next((leg["entered_at"] for leg in legs if leg["leg"] == "pickup_point"), None)
    times = [t for t in (delivered_at, at_point) if t is not None]
    return {"service_started_at": started,
            "available_at": min(times, key=datetime.fromisoformat) if times else None}


@dataclass
class Order:
    ref: str | None  # canonical order identifier, or None when the marketplace has no order scheme
    marketplace: str
    marketplace_ref: str
    value_minor: int
    currency: str
    placed_at: datetime
    shipments: list[str] = field(default_factory=list)
    cancelled: bool = False

    def truth(self) -> dict[str, Any]:
        return {
            "order": self.ref,
            "marketplace": self.marketplace,
            "marketplace_ref": self.marketplace_ref,
            "value_minor": self.value_minor,
            "currency": self.currency,
            "placed_at": iso(self.placed_at),
            "quarter": quarter(self.placed_at),
            "cancelled": self.cancelled,
            "shipments": list(self.shipments),
        }


class World:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.numbers = Numbers(rng)
        self.shipments: list[Shipment] = []
        self.orders: list[Order] = []
        self.tracks: list[Track] = []

    def shipment(self, scenario: str) -> Shipment:
        shipment = Shipment(f"sim-{len(self.shipments) + 1:06d}", scenario)
        self.shipments.append(shipment)
        return shipment

    def track(self, partner: str, kind: str, key: str, *shipments: Shipment, links: bool = False, **info: Any) -> Track:
        track = Track(partner, kind, key, info=dict(info), shipments=tuple(s.id for s in shipments), links=links)
        self.tracks.append(track)
        for shipment in shipments:
            shipment.tracks.append(track)
        return track

    def order(self, ref: str | None, marketplace: str, marketplace_ref: str, value_minor: int, currency: str,
              placed_at: datetime) -> Order:
        order = Order(ref, marketplace, marketplace_ref, value_minor, currency, placed_at)
        self.orders.append(order)
        return order

    def attach(self, order: Order, shipment: Shipment, share: int) -> None:
        order.shipments.append(shipment.id)
        shipment.order = order.ref
        shipment.marketplace = order.marketplace
        shipment.value = (share, order.currency)
