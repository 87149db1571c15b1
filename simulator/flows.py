"""How each carrier moves a parcel: the steps a journey adds to one partner track, in that
partner's own codes, with the leg each belongs to. Outcomes are chosen by the scenario."""

from __future__ import annotations

from datetime import datetime, timedelta

from schemas import Leg
from simulator.clock import Clock, hours
from simulator.model import Track
from simulator.places import CN_SORTING_CENTRES, EXCHANGE_OFFICE, City

L = Leg


def cainiao(track: Track, clock: Clock, *, warehouse: bool, import_customs: bool) -> None:
    """First mile in China, export customs and the flight; import customs when Cainiao clears."""
    rng = clock.rng
    place = rng.choice(CN_SORTING_CENTRES)
    if warehouse:
        track.add(clock.after(1, 6), "GWMS_ACCEPT", L.ORIGIN_WAREHOUSE)
        track.add(clock.after(2, 12), "GWMS_PACKAGE", L.ORIGIN_WAREHOUSE)
        track.add(clock.after(1, 8), "GWMS_OUTBOUND", L.FIRST_MILE)  # out of the warehouse: first mile
    track.add(clock.after(4, 30), "PU_PICKUP_SUCCESS", L.FIRST_MILE)
    track.add(clock.after(2, 10), "SC_INBOUND_SUCCESS", L.FIRST_MILE, place=place)
    track.add(clock.after(2, 8), "SC_OUTBOUND_SUCCESS", L.FIRST_MILE, place=place)
    track.add(clock.after(4, 20), "LH_HO_IN_SUCCESS", L.FIRST_MILE)  # at the export hub, before customs
    track.add(clock.after(4, 24), "CC_EX_START", L.EXPORT_CUSTOMS)
    track.add(clock.after(2, 20), "CC_EX_SUCCESS", L.LINE_HAUL)  # cleared: the line haul begins
    track.add(clock.after(6, 30), "LH_HO_AIRLINE", L.LINE_HAUL)
    track.add(clock.after(2, 10), "LH_DEPART", L.LINE_HAUL)
    track.add(clock.after(10, 40), "LH_ARRIVE", L.LINE_HAUL)
    if import_customs:
        track.add(clock.after(2, 12), "CC_IM_START", L.IMPORT_CUSTOMS)
        track.add(clock.after(1, 6), "CC_HO_IN_SUCCESS", L.IMPORT_CUSTOMS)
        track.add(clock.after(4, 48), "CC_IM_SUCCESS", L.LAST_MILE)  # released: the last mile begins
    # Cainiao's destination trucking: to the post's exchange office (before its customs), or
    # after Cainiao's own clearance towards the buyer.
    track.add(clock.after(4, 24), "GTMS_ACCEPT", L.LAST_MILE if import_customs else L.LINE_HAUL)


def mirror_for_aliexpress(source: Track, target: Track) -> None:
    """AliExpress's tracking result repeats Cainiao's action codes for the same parcel."""
    in_russia = ("LH_ARRIVE", "CC_IM_START", "CC_HO_IN_SUCCESS", "CC_IM_SUCCESS", "GTMS_ACCEPT")
    for step in source.steps:
        address = "Russia" if step.code in in_russia else "China"
        target.add(step.at, step.code, None, place=step.data.get("place", ""), address=address)


def _office(postcode_description: tuple[str, str], zone: str) -> tuple[str, str, str]:
    return (postcode_description[0], postcode_description[1], zone)


def russian_post_import(track: Track, clock: Clock, city: City, outcome: str, *, renumber_to: str | None) -> str:
    """An international item from customs at the exchange office to the addressee.

    outcomes: delivered, courier (a failed attempt, then delivered), customs_hold (held,
    duty paid, delivered), customs_refused, storage_expired (both end returning), lost.
    Returns the journey outcome.
    """
    rng = clock.rng
    exchange = EXCHANGE_OFFICE
    track.add(clock.after(6, 40), "9.0", L.LINE_HAUL, office=exchange, finance=True)  # the flight's arrival
    track.add(clock.after(1, 8), "11.0", L.IMPORT_CUSTOMS, office=exchange)
    if outcome in ("customs_hold", "customs_refused"):
        track.add(clock.after(4, 30), "14.8", L.IMPORT_CUSTOMS, office=exchange)
        if outcome == "customs_refused":
            track.add(clock.after(72, 200), "14.4", L.IMPORT_CUSTOMS, office=exchange)
            track.add(clock.after(4, 48), "3.7", L.RETURN, office=exchange)
            track.add(clock.after(24, 96), "10.0", L.RETURN, office=exchange)
            return "returning"
        duty = rng.randrange(15000, 250000, 100)  # kopecks
        track.add(clock.after(48, 144), "14.13", L.LAST_MILE, office=exchange, duty=duty)  # released, duty paid
    else:
        track.add(clock.after(4, 30), "14.1", L.LAST_MILE, office=exchange)  # released
    barcode = track.info["barcode"]
    if renumber_to:
        track.add(clock.after(1, 6), "8.26", L.LAST_MILE, office=exchange, barcode=barcode)
        barcode = renumber_to
    track.add(clock.after(2, 12), "8.6", L.LAST_MILE, office=exchange, barcode=barcode)
    return _russian_post_last_mile(track, clock, city, barcode, outcome, international=True)


def russian_post_domestic(track: Track, clock: Clock, origin: City, city: City, outcome: str) -> str:
    """A domestic item from the sender's office to the addressee's (outcomes as above, plus
    returned: storage expired and handed back to the sender)."""
    barcode = track.info["barcode"]
    home = _office(origin.delivery_office, origin.zone)
    track.add(clock.now, "1.1", L.FIRST_MILE, office=home, finance=True)
    track.add(clock.after(1, 6), "8.1", L.FIRST_MILE, office=home)
    sorting = _office(origin.sorting_centre, origin.zone)
    # The origin city's sorting centre is still first mile; leaving it, the parcel leaves the city.
    track.add(clock.after(3, 14), "8.3", L.FIRST_MILE, office=sorting)
    track.add(clock.after(2, 10), "8.4", L.LINE_HAUL, office=sorting)
    return _russian_post_last_mile(track, clock, city, barcode, outcome, international=False, origin=origin)


def _russian_post_last_mile(
    track: Track, clock: Clock, city: City, barcode: str, outcome: str, *, international: bool,
    origin: City | None = None,
) -> str:
    sorting = _office(city.sorting_centre, city.zone)
    office = _office(city.delivery_office, city.zone)
    track.add(clock.after(12, 72), "8.3", L.LAST_MILE, office=sorting, barcode=barcode)
    if outcome == "lost":
        track.add(clock.after(120, 400), "5.1", L.LAST_MILE, office=sorting, barcode=barcode)
        return "lost"
    track.add(clock.after(2, 12), "8.4", L.LAST_MILE, office=sorting, barcode=barcode)
    track.add(clock.after(6, 30), "8.2", L.PICKUP_POINT, office=office, barcode=barcode)
    if outcome == "courier":
        track.add(clock.after(2, 20), "8.15", L.LAST_MILE, office=office, barcode=barcode)
        track.add(clock.after(2, 8), "12.1", L.LAST_MILE, office=office, barcode=barcode)
        track.add(clock.after(14, 30), "8.15", L.LAST_MILE, office=office, barcode=barcode)
        track.add(clock.after(1, 8), "2.8", L.LAST_MILE, office=office, barcode=barcode)
        return "delivered"
    if outcome in ("storage_expired", "returned"):
        track.add(clock.after(1, 6), "8.24", L.PICKUP_POINT, office=office, barcode=barcode)
        track.add(clock.after(20 * 24, 25 * 24), "8.28", L.PICKUP_POINT, office=office, barcode=barcode)
        track.add(clock.after(5 * 24, 6 * 24), "8.40", L.PICKUP_POINT, office=office, barcode=barcode)
        track.add(clock.after(2, 30), "3.1", L.RETURN, office=office, barcode=barcode)
        track.add(clock.after(6, 30), "8.3", L.RETURN, office=sorting, barcode=barcode)
        if international or origin is None:
            return "returning"
        home_sorting = _office(origin.sorting_centre, origin.zone)
        home = _office(origin.delivery_office, origin.zone)
        track.add(clock.after(24, 96), "8.3", L.RETURN, office=home_sorting, barcode=barcode)
        track.add(clock.after(6, 30), "8.2", L.RETURN, office=home, barcode=barcode)
        track.add(clock.after(4, 72), "2.2", L.RETURN, office=home, barcode=barcode)
        return "returned"
    track.add(clock.after(3, 96), "2.1", L.PICKUP_POINT, office=office, barcode=barcode)
    return "delivered"


def russian_post_cod(track: Track, clock: Clock, delivered: datetime, origin: City, city: City) -> None:
    """The cash-on-delivery money order: taken at the delivery office, paid out at the sender's."""
    track.add(delivered + timedelta(minutes=clock.rng.randint(1, 30)), "1", None,
              office=_office(city.delivery_office, city.zone))
    track.add(delivered + hours(clock.rng, 26, 96), "3", None,
              office=_office(origin.delivery_office, origin.zone))


def cdek(
    track: Track, clock: Clock, origin: City, city: City, outcome: str, *, courier: bool
) -> str:
    """A CDEK order from the sender's city to a pickup point or the door.

    outcomes: delivered, courier_failed (one failed attempt, then delivered), refused and
    storage_expired (NOT_DELIVERED with its additional status: a return order follows, the
    journey ends `returned`), lost. Returns the journey outcome.
    """
    def at(c: City) -> dict[str, str]:
        return {"city": c.name, "zone": c.zone}

    track.add(clock.now, "CREATED", None, **at(origin))  # an order registered: nothing moved yet
    track.add(clock.after(2, 20), "RECEIVED_AT_SHIPMENT_WAREHOUSE", L.FIRST_MILE, **at(origin))
    track.add(clock.after(2, 12), "READY_FOR_SHIPMENT_IN_SENDER_CITY", L.FIRST_MILE, **at(origin))
    track.add(clock.after(1, 10), "TAKEN_BY_TRANSPORTER_FROM_SENDER_CITY", L.LINE_HAUL, **at(origin))
    track.add(clock.after(1, 6), "SENT_TO_RECIPIENT_CITY", L.LINE_HAUL, **at(origin))
    if outcome == "lost":
        track.add(clock.after(150, 400), "NOT_DELIVERED", None, reason="26", **at(origin))  # declared lost: no movement
        return "lost"
    track.add(clock.after(12, 96), "ACCEPTED_IN_RECIPIENT_CITY", L.LAST_MILE, **at(city))
    if courier or outcome == "refused":
        track.add(clock.after(2, 12), "ACCEPTED_AT_RECIPIENT_CITY_WAREHOUSE", L.LAST_MILE, **at(city))
        track.add(clock.after(4, 30), "TAKEN_BY_COURIER", L.LAST_MILE, **at(city))
        if outcome == "courier_failed":
            track.add(clock.after(4, 10), "RETURNED_TO_RECIPIENT_CITY_WAREHOUSE", L.LAST_MILE, **at(city))
            track.add(clock.after(14, 30), "TAKEN_BY_COURIER", L.LAST_MILE, **at(city))
        if outcome == "refused":
            track.add(clock.after(1, 6), "NOT_DELIVERED", L.RETURN, reason="11", **at(city))  # refused: on its way back
            return "returned"
        track.add(clock.after(1, 8), "DELIVERED", L.LAST_MILE, **at(city))
        return "delivered"
    track.add(clock.after(2, 24), "ACCEPTED_AT_PICK_UP_POINT", L.PICKUP_POINT, **at(city))
    if outcome == "storage_expired":
        track.add(clock.after(7 * 24, 14 * 24), "NOT_DELIVERED", L.RETURN, reason="23", **at(city))
        return "returned"
    track.add(clock.after(3, 120), "DELIVERED", L.PICKUP_POINT, **at(city))
    return "delivered"


def cdek_return(track: Track, clock: Clock, origin: City, city: City) -> None:
    """The return order CDEK opens for a parcel not delivered: back from `city` to `origin`."""
    def at(c: City) -> dict[str, str]:
        return {"city": c.name, "zone": c.zone}

    track.add(clock.after(2, 24), "CREATED", L.RETURN, **at(city))
    track.add(clock.after(2, 24), "RECEIVED_AT_SHIPMENT_WAREHOUSE", L.RETURN, **at(city))
    track.add(clock.after(4, 30), "SENT_TO_RECIPIENT_CITY", L.RETURN, **at(city))
    track.add(clock.after(24, 120), "ACCEPTED_IN_RECIPIENT_CITY", L.RETURN, **at(origin))
    track.add(clock.after(4, 48), "DELIVERED", L.RETURN, **at(origin))


def boxberry(track: Track, clock: Clock, city: City, outcome: str) -> str:
    """outcomes: delivered, courier_failed (then delivered), returned (unclaimed at the point)."""
    comment = city.boxberry_point
    track.add(clock.now, "Загружен реестр ИМ", None)
    track.add(clock.after(4, 30), "Принято к доставке", L.FIRST_MILE)
    track.add(clock.after(1, 8), "Передано на сортировку", L.FIRST_MILE)
    track.add(clock.after(2, 20), "Отправлено в город назначения", L.LINE_HAUL)
    if outcome == "courier_failed":
        track.add(clock.after(24, 120), "Передано на курьерскую доставку", L.LAST_MILE)
        track.add(clock.after(4, 10), "Возвращено с курьерской доставки", L.LAST_MILE)
        track.add(clock.after(14, 30), "Передано на курьерскую доставку", L.LAST_MILE)
        track.add(clock.after(1, 8), "Выдано", L.LAST_MILE)
        return "delivered"
    track.add(clock.after(24, 120), "Передан на доставку до пункта выдачи", L.LAST_MILE)
    track.add(clock.after(4, 30), "Поступило в пункт выдачи", L.PICKUP_POINT, comment=comment)
    if outcome == "returned":
        track.add(clock.after(7 * 24, 14 * 24), "Готовится к возврату", L.RETURN, comment=comment)
        track.add(clock.after(4, 48), "Отправлено в пункт приема", L.RETURN)
        track.add(clock.after(24, 120), "Возвращено в пункт приема", L.RETURN)
        track.add(clock.after(4, 72), "Возвращено в ИМ", L.RETURN)
        return "returned"
    track.add(clock.after(2, 96), "Выдано", L.PICKUP_POINT, comment=comment)
    return "delivered"


def spsr(track: Track, clock: Clock, *, attempts_failed: int) -> str:
    """SPSR Express from its Moscow hand-over to its own pickup centre, 6 to 8 days.

    SPSR reports only an invoice's current state (docs/partners/spsr.md#states): "Обработка"
    while it holds the parcel, then "Не доставлено" for a failed hand-over to the buyer or
    "Доставлено". Processing is a step with no time of its own (its poll is dated by when it
    is read), so only the timed states are steps here; the format renders the polls."""
    delivered_at = clock.after(6 * 24, 8 * 24)
    for _ in range(attempts_failed):
        track.add(delivered_at, "Не доставлено", L.LAST_MILE)
        delivered_at = clock.after(20, 50)
    track.add(delivered_at, "Доставлено", L.LAST_MILE)
    return "delivered"


def hub_native(track: Track, at: datetime, event: str, leg: Leg | None, **data: object) -> None:
    """One hub-native event, with the operator's own running event reference."""
    track.info["refs"] = track.info.get("refs", 0) + 1
    track.add(at, event, leg, event_ref=f"{track.info['facility']}-{track.key[-6:]}-{track.info['refs']:03d}", **data)


def guangzhou_consolidation(track: Track, clock: Clock, handover_to: str, order: str, value: str) -> None:
    """A Guangzhou consolidation warehouse: in, stored, out, export customs, to the postal carrier."""
    hub_native(track, clock.now, "warehouse_inbound", L.ORIGIN_WAREHOUSE, order=order,
               amounts=[("order_value", value, "CNY")])
    hub_native(track, clock.after(2, 24), "warehouse_stored", L.ORIGIN_WAREHOUSE)
    hub_native(track, clock.after(24, 120), "warehouse_outbound", L.FIRST_MILE)
    hub_native(track, clock.after(2, 12), "export_customs_started", L.EXPORT_CUSTOMS)
    hub_native(track, clock.after(4, 30), "export_customs_cleared", L.LINE_HAUL)
    hub_native(track, clock.after(2, 12), "handed_over", L.LINE_HAUL, handover_to=handover_to)

