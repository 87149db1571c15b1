"""Overseas and consolidation warehouses (hub-native events), on to Russian Post."""

from __future__ import annotations

from datetime import datetime

from schemas import Leg
from simulator import flows
from simulator.clock import CHINA, MOSCOW, Clock
from simulator.places import CITIES, pick_city
from simulator.places import MOSCOW as MOSCOW_CITY
from simulator.scenarios.parts import import_outcome, money, russian_post_track
from simulator.world import World


def overseas_warehouse(w: World, start: datetime) -> None:
    """Goods imported into a Moscow overseas warehouse (customs, duty), stored, sold, sent out
    by Russian Post or to a pickup-point network; hand-overs are hub-native events."""
    rng = w.rng
    numbers = w.numbers
    clock = Clock(rng, start)
    parcel_id = numbers.serial("WHM")
    order_number = numbers.serial("SO")
    shipment = w.shipment("overseas_warehouse_moscow")
    parcel = shipment.identify("hub", parcel_id)
    warehouse = w.track("wh_moscow", "hub_native", parcel_id, shipment, parcel=parcel, zone=MOSCOW, country="RU",
                        city="Москва", facility="MOW-1")
    duty_minor, duty = money(rng, 150, 4000)
    flows.hub_native(warehouse, clock.now, "warehouse_inbound", Leg.DESTINATION_WAREHOUSE)
    flows.hub_native(warehouse, clock.after(2, 24), "import_customs_started", Leg.IMPORT_CUSTOMS)
    flows.hub_native(warehouse, clock.after(12, 72), "duty_paid", Leg.IMPORT_CUSTOMS, amounts=[("duty", duty, "RUB")])
    flows.hub_native(warehouse, clock.after(1, 12), "import_customs_cleared", Leg.DESTINATION_WAREHOUSE)  # released into stock
    flows.hub_native(warehouse, clock.after(2, 24), "warehouse_stored", Leg.DESTINATION_WAREHOUSE)
    placed = clock.after(24, 20 * 24)
    value_minor, value = money(rng, 800, 25000)
    order = w.order(f"shop:wh_moscow/{order_number}", "wh_moscow", order_number, value_minor, "RUB", placed)
    w.attach(order, shipment, value_minor)
    flows.hub_native(warehouse, clock.after(2, 24), "warehouse_outbound", Leg.LAST_MILE,
                     order=order.ref, amounts=[("order_value", value, "RUB")])
    shipment.told("value", warehouse.steps[-1])
    city = pick_city(rng)
    if rng.random() < 0.04:
        flows.hub_native(warehouse, clock.after(72, 240), "lost", None)
        shipment.finish("lost", clock.now)
        return
    if rng.random() < 0.5:
        barcode = numbers.rp(MOSCOW_CITY.delivery_office[0])
        target = shipment.identify("rp", barcode)
        handed = clock.after(1, 8)
        cod = value_minor if rng.random() < 0.4 else 0
        rp = russian_post_track(w, shipment, barcode, city, international=False,
                                 polling="rp_single" if rng.random() < 0.7 else "rp_batch",
                                 value_kopecks=value_minor, cod_kopecks=cod, sender="ООО СКЛАД МОСКВА")
        clock.after(1, 6)
        outcome = rng.choices(("delivered", "courier", "returned"), (85, 7, 8))[0]
        result = flows.russian_post_domestic(rp, clock, MOSCOW_CITY, city, outcome)
        flows.hub_native(warehouse, handed, "handed_over", Leg.DESTINATION_WAREHOUSE, handover_to=target)
        shipment.finish(result, rp.steps[-1].at)
        if cod and result == "delivered":
            cod_track = w.track("russian_post", "rp_cod", f"{barcode}/cod", shipment, subject=target,
                                money_order=str(rng.randint(10_000, 99_999)), index_to=MOSCOW_CITY.delivery_office[0],
                                sum=cod)
            flows.russian_post_cod(cod_track, clock, rp.steps[-1].at, MOSCOW_CITY, city)
        if result == "returned":
            flows.hub_native(warehouse, clock.after(2, 48), "returned_to_sender", Leg.RETURN)
            shipment.finish("returned", clock.now)
        return
    point_id = numbers.serial("PVZ")
    target = shipment.identify("hub", point_id)
    flows.hub_native(warehouse, clock.after(1, 8), "handed_over", Leg.DESTINATION_WAREHOUSE, handover_to=target)
    point = w.track("pvz_network", "hub_native", point_id, shipment, parcel=target, zone=city.zone, country="RU",
                    city=city.name, facility=f"PVZ-{CITIES.index(city) + 1:02d}")
    flows.hub_native(point, clock.after(24, 120), "arrived_at_pickup_point", Leg.PICKUP_POINT)
    if rng.random() < 0.12:
        flows.hub_native(point, clock.after(5 * 24, 6 * 24), "storage_expiring", Leg.PICKUP_POINT)
        flows.hub_native(point, clock.after(24, 48), "return_started", Leg.RETURN, reason="storage_expired")
        flows.hub_native(warehouse, clock.after(24, 120), "returned_to_sender", Leg.RETURN)
        shipment.finish("returned", clock.now)
        return
    flows.hub_native(point, clock.after(2, 120), "delivered", Leg.PICKUP_POINT)
    shipment.finish("delivered", clock.now)


def guangzhou_russian_post(w: World, start: datetime) -> None:
    """A Guangzhou consolidation warehouse hands a seller's parcel to the post (S10), which
    Russian Post imports and delivers."""
    rng = w.rng
    numbers = w.numbers
    clock = Clock(rng, start)
    parcel_id = numbers.serial("WHG")
    order_number = numbers.serial("GZ")
    shipment = w.shipment("guangzhou_consolidation_russian_post")
    parcel = shipment.identify("hub", parcel_id)
    value_minor, value = money(rng, 50, 3000)
    order = w.order(f"shop:wh_guangzhou/{order_number}", "wh_guangzhou", order_number, value_minor, "CNY", start)
    w.attach(order, shipment, value_minor)
    s10 = numbers.s10("R", "CN")
    target = shipment.identify("s10", s10)
    warehouse = w.track("wh_guangzhou", "hub_native", parcel_id, shipment, parcel=parcel, zone=CHINA, country="CN",
                        city="Guangzhou", facility="CAN-1")
    flows.guangzhou_consolidation(warehouse, clock, target, order.ref, value)
    shipment.told("value", warehouse.steps[0])  # inbound carries the order value
    clock.after(48, 120)  # the flight
    city = pick_city(rng)
    rp = russian_post_track(w, shipment, s10, city, international=True,
                             polling="rp_single" if rng.random() < 0.7 else "rp_batch", value_kopecks=value_minor * 12)
    result = flows.russian_post_import(rp, clock, city, import_outcome(rng), renumber_to=None)
    shipment.finish(result, rp.steps[-1].at)
