"""The service clock of a timeline (docs/architecture.md#legs-and-service-levels): from the
first carrier acceptance or warehouse outbound to the first moment the buyer can have the
parcel, and whether that was on time. Pure: the corridor's service level is passed in.

Honest times: a time the partner did not give (`time_source = observed`, a snapshot dated
when the hub first read it) never dates a delivery; a delivery known only from such
snapshots is "delivered, time unknown", kept out of percentiles and on-time rates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from schemas import Leg, Milestone, PartnerKind, TimeSource
from schemas.timeline import Timeline

# Legs on the service clock: warehouses and customs before the first of these are the
# seller's or the importer's time, not the carrier's.
_CLOCK_LEGS = frozenset({Leg.FIRST_MILE, Leg.EXPORT_CUSTOMS, Leg.LINE_HAUL, Leg.LAST_MILE, Leg.PICKUP_POINT})


@dataclass(frozen=True)
class ServiceTimes:
    started_at: datetime | None  # first carrier acceptance, or warehouse outbound
    available_at: datetime | None  # delivered, or arrived at a pickup point; None if unknown
    delivered_at: datetime | None  # the first timed delivery; None if not delivered or untimed
    delivered_time_unknown: bool = False  # delivered, but only untimed snapshots say when
    observed: bool = False  # the clock's start or end rests on an observed time


def service_times(timeline: Timeline) -> ServiceTimes:
    start = next((span for span in timeline.legs if span.leg in _CLOCK_LEGS), None)
    carried = any(e.partner_kind is not PartnerKind.MARKETPLACE for e in timeline.events)
    deliveries = [e for e in timeline.events if e.milestone is Milestone.DELIVERED
                  and not (carried and e.partner_kind is PartnerKind.MARKETPLACE)]
    timed = [e.occurred_at for e in deliveries if e.time_source is TimeSource.PARTNER]
    delivered_at = min(timed) if timed else None
    unknown = bool(deliveries) and delivered_at is None
    point = next((span for span in timeline.legs if span.leg is Leg.PICKUP_POINT), None)
    candidates = [t for t in (delivered_at, point.entered_at if point else None) if t is not None]
    available_at = min(candidates) if candidates else None
    observed = bool(start and start.time_source is TimeSource.OBSERVED) or unknown or bool(
        point and available_at == point.entered_at and point.time_source is TimeSource.OBSERVED)
    return ServiceTimes(start.entered_at if start else None, available_at, delivered_at, unknown, observed)


def on_time(times: ServiceTimes, promised: datetime | None, corridor_days: float) -> bool | None:
    """On time when available no later than the latest promise, or with none, within the
    corridor's service level; None while not available, or when an untimed snapshot would
    decide it."""
    if times.available_at is None or times.started_at is None or times.observed:
        return None
    limit = promised if promised is not None else times.started_at + timedelta(days=corridor_days)
    return times.available_at <= limit
