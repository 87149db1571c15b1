"""Which leg of the journey an event belongs to: from its milestone, the partner's kind and country."""

from __future__ import annotations

from schemas import Leg, PartnerKind
from schemas import Milestone as M

_BY_MILESTONE: dict[M, Leg] = {
    M.EXPORT_CUSTOMS_STARTED: Leg.EXPORT_CUSTOMS,
    M.EXPORT_CUSTOMS_CLEARED: Leg.EXPORT_CUSTOMS,
    M.DEPARTED_ORIGIN: Leg.LINE_HAUL,
    M.ARRIVED_DESTINATION_COUNTRY: Leg.LINE_HAUL,
    M.IMPORT_CUSTOMS_STARTED: Leg.IMPORT_CUSTOMS,
    M.IMPORT_CUSTOMS_CLEARED: Leg.IMPORT_CUSTOMS,
    M.CUSTOMS_HELD: Leg.IMPORT_CUSTOMS,
    M.DUTY_PAID: Leg.IMPORT_CUSTOMS,
    M.ARRIVED_AT_PICKUP_POINT: Leg.PICKUP_POINT,
    M.STORAGE_EXPIRING: Leg.PICKUP_POINT,
    M.OUT_FOR_DELIVERY: Leg.LAST_MILE,
    M.DELIVERY_ATTEMPT_FAILED: Leg.LAST_MILE,
    M.RETURN_STARTED: Leg.RETURN,
    M.RETURNED_TO_SENDER: Leg.RETURN,
}

_WAREHOUSE = {M.WAREHOUSE_INBOUND, M.WAREHOUSE_STORED, M.WAREHOUSE_OUTBOUND, M.CERTIFIED}
# Milestones that carry no leg of their own: they belong to the order, not to a movement.
_NO_LEG = {M.ORDER_PLACED, M.CANCELLED, M.INFORMATIONAL, M.UNKNOWN, M.COD_COLLECTED, M.LOST, M.DAMAGED}


def leg_for(milestone: M, kind: PartnerKind, country: str | None) -> Leg | None:
    if milestone in _NO_LEG:
        return None
    if milestone in _BY_MILESTONE:
        return _BY_MILESTONE[milestone]
    if milestone in _WAREHOUSE:
        # An overseas warehouse in Russia is a destination warehouse.
        return Leg.ORIGIN_WAREHOUSE if country == "CN" else Leg.DESTINATION_WAREHOUSE
    if milestone is M.DELIVERED:
        return Leg.PICKUP_POINT if kind is PartnerKind.PICKUP_POINT else Leg.LAST_MILE
    # accepted, arrived/departed facility, handed over: where the partner works decides.
    if kind is PartnerKind.LOGISTICS_PLATFORM or country == "CN":
        return Leg.FIRST_MILE
    if kind is PartnerKind.WAREHOUSE:
        return Leg.DESTINATION_WAREHOUSE
    if kind is PartnerKind.PICKUP_POINT:
        return Leg.PICKUP_POINT
    return Leg.LAST_MILE
