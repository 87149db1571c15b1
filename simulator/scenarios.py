"""Journeys: who carries a parcel from order to outcome, and how the partners' numbers meet.

Each scenario adds one order (or none) and its shipments to the world, with a track per
partner. Parcels link only through what the real formats carry: an AliExpress order's
`logistics_no`, a Cainiao S10 `mailNo` that Russian Post tracks too, a Russian Post
renumbering, an Ozon posting's `tracking_number`, CDEK `related_entities`, or a hub-native
`handed_over` event.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal

from schemas import Leg
from simulator import flows
from simulator.clock import CHINA, MOSCOW, Clock, hours
from simulator.model import Track
from simulator.places import CITIES, EXCHANGE_OFFICE, SELLER_CITIES, City, pick_city
from simulator.places import MOSCOW as MOSCOW_CITY
from simulator.world import Order, Shipment, World

SENDERS = ("ИВАНОВА О П", "ПЕТРОВ А С", "СМИРНОВ Д В", "КУЗНЕЦОВА Е А", "ВАСИЛЬЕВ И И", "ПОПОВА М Н")
RECIPIENTS = ("СЕМЕНОВ К Л", "ФЕДОРОВА А В", "МОРОЗОВ П Р", "ВОЛКОВА Т С", "АЛЕКСЕЕВ Н О", "ЛЕБЕДЕВА Ю М")
PRODUCTS = ("Наушники беспроводные", "Чехол для телефона", "Кроссовки беговые", "Набор отверток",
            "Светодиодная лента 5 м", "Рюкзак городской", "Кофемолка ручная", "Настольная лампа")


def _money(rng: random.Random, low: int, high: int) -> tuple[int, str]:
    """A price in minor units and as the decimal string partners write."""
    minor = rng.randrange(low * 100, high * 100)
    if rng.random() < 0.5:
        minor -= minor % 100  # whole units are common
    return minor, f"{Decimal(minor) / 100:.2f}"


def _shares(total: int, parts: int) -> list[int]:
    """Largest remainder with equal weights: the first parcels take the remainder's units."""
    base, remainder = divmod(total, parts)
    return [base + (1 if i < remainder else 0) for i in range(parts)]


# --- AliExpress ----------------------------------------------------------------------


def _aliexpress_order(w: World, start: datetime, parcels: int, scenario: str) -> tuple[Order, Track, list[Shipment]]:
    rng = w.rng
    currency = "CNY" if rng.random() < 0.6 else "RUB"
    minor, amount = _money(rng, 30, 1500) if currency == "CNY" else _money(rng, 400, 20000)
    order_id = w.numbers.aliexpress_order()
    order = w.order(f"aliexpress_order:{order_id}", "aliexpress", order_id, minor, currency, start)
    shipments = [w.shipment(scenario) for _ in range(parcels)]
    for shipment, share in zip(shipments, _shares(minor, parcels) if parcels else [], strict=True):
        w.attach(order, shipment, share)
    products = [(int(w.numbers.ozon_numeric(16)), rng.randint(1, 3)) for _ in range(max(parcels, 1))]
    track = w.track(
        "aliexpress", "ae_order", order_id, *shipments, links=True, subject=order.ref, placed_at=start,
        amount=amount, currency=currency, products=products, store_id=rng.randint(1_000_000, 9_999_999),
        store_name=rng.choice(("Shenzhen Digital Store", "Yiwu Home Goods", "Guangzhou Sports Official Store")),
    )
    track.add(start + timedelta(minutes=rng.randint(1, 20)), "PLACE_ORDER_SUCCESS/NO_LOGISTICS")
    track.add(start + hours(rng, 1, 6), "WAIT_SELLER_SEND_GOODS/WAIT_SELLER_SEND_GOODS")
    return order, track, shipments


def _aliexpress_close(
    track: Track, shipped: list[tuple[datetime, str, str]], outcomes: list[tuple[str, datetime]], rng: random.Random,
    shipments: list[Shipment],
) -> None:
    """The order's later statuses: shipped (part, then all), then received or disputed.

    Every status naming a parcel tells of that parcel's share of the order value; the buyer's
    acceptance tells of the delivery too."""
    shipped = sorted(shipped)
    steps = []
    if len(shipped) > 1:
        steps.append(track.add(shipped[0][0] + timedelta(hours=1), "SELLER_PART_SEND_GOODS/SELLER_SEND_PART_GOODS",
                               parcels=[(n, s) for _, n, s in shipped[:1]]))
    parcels = [(n, s) for _, n, s in shipped]
    steps.append(track.add(shipped[-1][0] + timedelta(hours=1), "WAIT_BUYER_ACCEPT_GOODS/SELLER_SEND_GOODS",
                           parcels=parcels))
    last = max(at for _, at in outcomes)
    if all(outcome == "delivered" for outcome, _ in outcomes):
        accepted = track.add(last + hours(rng, 6, 96), "FUND_PROCESSING/BUYER_ACCEPT_GOODS", parcels=parcels)
        steps.append(accepted)
        for shipment in shipments:
            shipment.told("delivered", accepted)
    else:
        steps.append(track.add(last + hours(rng, 24, 240), "IN_ISSUE/SELLER_SEND_GOODS", parcels=parcels))
    for step in steps:
        numbers = {number for number, _ in step.data["parcels"]}
        for shipment in shipments:
            if any(i.split(":", 1)[1] in numbers for i in shipment.identifiers):
                shipment.told("value", step)


def _russian_post_track(w: World, shipment: Shipment, barcode: str, city: City, *, international: bool,
                        polling: str, value_kopecks: int, cod_kopecks: int = 0, sender: str | None = None) -> Track:
    rng = w.rng
    mass = rng.randint(80, 4500)
    return w.track(
        "russian_post", polling, barcode, shipment, barcode=barcode, international=international,
        destination=city.delivery_office, value_kopecks=value_kopecks, cod_kopecks=cod_kopecks,
        mass=mass, mass_rate=rng.randrange(9000, 60000, 100), insurance=value_kopecks // 100,
        mail_type=("4", "Посылка") if mass > 2000 else ("5", "Мелкий пакет"),
        mail_ctg=(("4", "С объявленной ценностью и наложенным платежом") if cod_kopecks
                  else ("2", "С объявленной ценностью")),
        sender=sender or rng.choice(SENDERS), recipient=rng.choice(RECIPIENTS),
    )


def _import_outcome(rng: random.Random) -> str:
    return rng.choices(
        ("delivered", "courier", "customs_hold", "customs_refused", "storage_expired", "lost"), (70, 8, 8, 4, 5, 5)
    )[0]


def aliexpress_russian_post(w: World, start: datetime, parcels: int = 1) -> None:
    """AliExpress → Cainiao (S10 mailNo) → Russian Post import, customs and delivery."""
    rng = w.rng
    scenario = "aliexpress_split_russian_post" if parcels > 1 else "aliexpress_cainiao_russian_post"
    order, ae, shipments = _aliexpress_order(w, start, parcels, scenario)
    shipped, outcomes = [], []
    for index, shipment in enumerate(shipments):
        clock = Clock(rng, start + hours(rng, 4 + 40 * index, 30 + 40 * index))
        number = w.numbers.s10("R", "CN")
        shipment.identify("s10", number)
        cainiao = w.track("cainiao", "cainiao", number, shipment, mail_no=number, carrier="russian_post",
                          eta=clock.now + timedelta(days=rng.randint(14, 25)))
        flows.cainiao(cainiao, clock, warehouse=rng.random() < 0.3, import_customs=False)
        shipped.append((cainiao.steps[0].at, number, "CAINIAO_STANDARD"))
        if rng.random() < 0.3:
            tracking = w.track("aliexpress", "ae_tracking", f"track-{number}", shipment, subject=f"s10:{number}")
            flows.mirror_for_aliexpress(cainiao, tracking)
        outcome = _import_outcome(rng)
        renumber = rng.random() < 0.12 and outcome not in ("customs_refused", "lost")
        polling = "rp_single" if renumber or rng.random() < 0.7 else "rp_batch"
        value = order.value_minor * (12 if order.currency == "CNY" else 1)
        city = pick_city(rng)
        rp = _russian_post_track(w, shipment, number, city, international=True, polling=polling, value_kopecks=value)
        rp.links = renumber
        new_number = w.numbers.rp(EXCHANGE_OFFICE[0]) if renumber else None
        if new_number:
            shipment.identify("rp", new_number)
        result = flows.russian_post_import(rp, clock, city, outcome, renumber_to=new_number)
        shipment.finish(result, rp.steps[-1].at)
        outcomes.append((result, rp.steps[-1].at))
    _aliexpress_close(ae, shipped, outcomes, rng, shipments)


def aliexpress_split(w: World, start: datetime) -> None:
    aliexpress_russian_post(w, start, parcels=2)


def _cdek_order(w: World, shipment: Shipment, clock: Clock, origin: City, city: City, outcome: str,
                courier: bool, shop_number: str) -> str:
    """A CDEK order, and the return order with its `related_entities` when it is not delivered."""
    rng = w.rng
    number, uuid = w.numbers.cdek(), w.numbers.uuid()
    shipment.identify("cdek", number)
    shipment.identify("cdek_uuid", uuid)
    order = w.track("cdek", "cdek_order", number, shipment, uuid=uuid, cdek_number=number, number=shop_number,
                    is_return=False, print_form=rng.random() < 0.5)
    result = flows.cdek(order, clock, origin, city, outcome, courier=courier)
    if result == "returned":
        back_number, back_uuid = w.numbers.cdek(), w.numbers.uuid()
        shipment.identify("cdek", back_number)
        shipment.identify("cdek_uuid", back_uuid)
        back = w.track("cdek", "cdek_order", back_number, shipment, links=True, uuid=back_uuid,
                       cdek_number=back_number, number=f"R-{shop_number}", is_return=True, direct_uuid=uuid)
        flows.cdek_return(back, clock, origin, city)
        shipment.finish("returned", back.steps[-1].at)
    else:
        shipment.finish(result, order.steps[-1].at)
    return result


def _cdek_outcome(rng: random.Random) -> tuple[str, bool]:
    outcome = rng.choices(("delivered", "courier_failed", "storage_expired", "refused", "lost"), (76, 7, 7, 5, 5))[0]
    courier = outcome in ("courier_failed", "refused") or (outcome == "delivered" and rng.random() < 0.25)
    return outcome, courier


def aliexpress_cdek(w: World, start: datetime) -> None:
    """AliExpress → Cainiao (LP number, import customs) → Moscow hand-over point → CDEK last mile."""
    rng = w.rng
    order, ae, (shipment,) = _aliexpress_order(w, start, 1, "aliexpress_cainiao_cdek")
    clock = Clock(rng, start + hours(rng, 4, 30))
    number = w.numbers.cainiao_lp()
    shipment.identify("cainiao", number)
    cainiao = w.track("cainiao", "cainiao", number, shipment, mail_no=number, carrier="cdek",
                      eta=clock.now + timedelta(days=rng.randint(12, 20)))
    flows.cainiao(cainiao, clock, warehouse=rng.random() < 0.4, import_customs=True)
    if rng.random() < 0.3:
        tracking = w.track("aliexpress", "ae_tracking", f"track-{number}", shipment, subject=f"cainiao:{number}")
        flows.mirror_for_aliexpress(cainiao, tracking)
    point = _moscow_handover_point(w, shipment, f"cainiao:{number}")
    flows.hub_native(point, clock.after(2, 20), "warehouse_inbound", Leg.DESTINATION_WAREHOUSE)
    handover_at = clock.after(2, 30)
    clock.after(0.5, 6)
    outcome, courier = _cdek_outcome(rng)
    shop_number = f"AE{order.marketplace_ref[-8:]}"
    result = _cdek_order(w, shipment, clock, MOSCOW_CITY, pick_city(rng), outcome, courier, shop_number)
    cdek_number = next(i for i in shipment.identifiers if i.startswith("cdek:"))
    flows.hub_native(point, handover_at, "handed_over", Leg.DESTINATION_WAREHOUSE, handover_to=cdek_number)
    _aliexpress_close(ae, [(cainiao.steps[0].at, number, "CAINIAO_STANDARD")], [(result, shipment.finished_at)], rng,
                      [shipment])


def _moscow_handover_point(w: World, shipment: Shipment, parcel: str) -> Track:
    return w.track("wh_moscow", "hub_native", parcel.split(":", 1)[1], shipment, parcel=parcel, zone=MOSCOW,
                   country="RU", city="Москва", facility="MOW-2")


# --- Ozon ----------------------------------------------------------------------------


def ozon(w: World, start: datetime, carrier: str) -> None:
    """An Ozon posting carried by CDEK, Boxberry or Russian Post, linked by its tracking number."""
    rng = w.rng
    order_number = w.numbers.ozon_order()
    posting_number = f"{order_number}-1"
    products = []
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        minor, _amount = _money(rng, 150, 9000)
        products.append({"sku": w.numbers.ozon_numeric(9), "quantity": rng.choice((1, 1, 1, 2)),
                         "price": f"{Decimal(minor) / 100:.6f}",
                         "offer_id": f"{rng.randint(100, 999)}-{rng.randint(1000, 9999)}",
                         "name": rng.choice(PRODUCTS), "minor": minor})
    value = sum(p["minor"] * p["quantity"] for p in products)
    for p in products:
        del p["minor"]
    order = w.order(f"ozon_order:{order_number}", "ozon", order_number, value, "RUB", start)
    shipment = w.shipment(f"ozon_{carrier}")
    w.attach(order, shipment, value)
    shipment.identify("ozon_posting", posting_number)
    origin, city = rng.choice(SELLER_CITIES), pick_city(rng)
    provider = {"cdek": (61, "СДЭК"), "boxberry": (19, "Boxberry"), "russian_post": (42, "Почта России")}[carrier]
    warehouse_id = w.numbers.ozon_numeric(14)
    track = w.track(
        "ozon", "ozon", posting_number, shipment, posting_number=posting_number, order_number=order_number,
        order_id=w.numbers.ozon_numeric(9), warehouse_id=warehouse_id, seller_id=rng.randint(10_000, 999_999),
        products=products, in_process_at=start, shipment_date=start + timedelta(days=1),
        delivery_method={"id": warehouse_id, "name": f"{provider[1]}, {origin.name}",
                         "warehouse": f"Склад {origin.name}", "tpl_provider_id": provider[0],
                         "tpl_provider": provider[1]},
        tracking_number="",
    )
    track.add(start, "TYPE_NEW_POSTING", None, kind="new")
    clock = Clock(rng, start)
    if rng.random() < 0.08:
        at = clock.after(2, 30)
        track.add(at, "posting_canceled", None, kind="cancelled", old_state="posting_awaiting_registration",
                  reason_id=402, reason="Покупатель отменил заказ")
        shipment.finish("cancelled", at)
        return
    clock.after(10, 60)
    if carrier == "cdek":
        outcome, courier = _cdek_outcome(rng)
        _cdek_order(w, shipment, clock, origin, city, outcome, courier, posting_number)
        carrier_track = next(t for t in shipment.tracks if t.partner == "cdek")
        number = carrier_track.info["cdek_number"]
    elif carrier == "boxberry":
        number = w.numbers.boxberry()
        shipment.identify("boxberry", number)
        carrier_track = w.track("boxberry", "boxberry", number, shipment, subject=f"boxberry:{number}",
                                full=rng.random() < 0.5, cod_sum=0, weight=round(rng.uniform(0.2, 6), 2),
                                payment_method="Предоплата", delivery_date=start)
        outcome = rng.choices(("delivered", "courier_failed", "returned"), (82, 8, 10))[0]
        shipment.finish(flows.boxberry(carrier_track, clock, city, outcome), clock.now)
        carrier_track.info["delivery_date"] = clock.now
    else:
        number = w.numbers.rp(origin.delivery_office[0])
        shipment.identify("rp", number)
        carrier_track = _russian_post_track(w, shipment, number, city, international=False,
                                            polling="rp_single" if rng.random() < 0.7 else "rp_batch",
                                            value_kopecks=value, sender="ООО ИНТЕРНЕТ РЕШЕНИЯ")
        outcome = rng.choices(("delivered", "courier", "returned", "lost"), (80, 7, 9, 4))[0]
        result = flows.russian_post_domestic(carrier_track, clock, origin, city, outcome)
        shipment.finish(result, carrier_track.steps[-1].at)
    track.info["tracking_number"] = number
    handed = carrier_track.steps[1].at if len(carrier_track.steps) > 1 else carrier_track.steps[0].at
    transferred = "posting_transferred_to_courier_service"
    track.add(handed + timedelta(minutes=rng.randint(5, 90)), transferred, None, kind="state")
    read = track.add(handed + timedelta(minutes=rng.randint(5, 90)), transferred, None, kind="read_model",
                     status="delivering")
    shipment.told("value", read)  # the read model's products carry the prices
    if rng.random() < 0.25:
        promised = (handed + timedelta(days=rng.randint(2, 6))).replace(minute=0, second=0)
        track.add(handed + hours(rng, 2, 30), "TYPE_DELIVERY_DATE_CHANGED", None, kind="delivery_date",
                  begin=promised, old_begin=promised - timedelta(days=2))
    finished = shipment.finished_at or clock.now
    told = finished + timedelta(minutes=rng.randint(5, 180))
    if shipment.outcome == "delivered":
        shipment.told("delivered", track.add(told, "posting_delivered", None, kind="state"))
    elif shipment.outcome in ("returned", "returning"):
        track.add(told, "posting_returned_to_warehouse", None, kind="state")


def ozon_cdek(w: World, start: datetime) -> None:
    ozon(w, start, "cdek")


def ozon_boxberry(w: World, start: datetime) -> None:
    ozon(w, start, "boxberry")


def ozon_russian_post(w: World, start: datetime) -> None:
    ozon(w, start, "russian_post")


# --- Wildberries ---------------------------------------------------------------------


def wildberries(w: World, start: datetime) -> None:
    """A Wildberries assembly task to a Wildberries pickup point."""
    rng = w.rng
    numbers = w.numbers
    task = numbers.wb_task()
    price = rng.randrange(30_000, 1_500_000, 100)
    final_price = price - price * rng.choice((0, 10, 15, 25, 40)) // 100 // 100 * 100
    rid = numbers.hex_id(32)
    order = w.order(None, "wildberries", rid, final_price, "RUB", start)
    shipment = w.shipment("wildberries_pickup")
    w.attach(order, shipment, final_price)
    shipment.identify("wb_task", str(task))
    city = pick_city(rng)
    track = w.track(
        "wildberries", "wb_task", str(task), shipment, task=task, rid=rid,
        order_uid=f"{rng.randint(10**8, 10**9 - 1)}_{numbers.hex_id(32)}", article=f"wb-{numbers.hex_id(6)}",
        sku=str(rng.randint(10**12, 10**13 - 1)), nm_id=rng.randint(10**7, 10**9), chrt_id=rng.randint(10**7, 10**9),
        warehouse_id=rng.randint(100_000, 999_999), office_id=rng.randint(100, 999), office=city.name,
        price=price, final_price=final_price, sale_price=final_price,
    )
    clock = Clock(rng, start)
    shipment.told("value", track.add(start, "new/waiting", None))  # the new task carries its price
    roll = rng.random()
    if roll < 0.05:
        track.add(clock.after(0.2, 0.9), "new/declined_by_client", None)
        shipment.finish("cancelled", clock.now)
        return
    # Being assembled by the seller: the order's step, not a movement, so no leg of its own
    # (as the hub reads it: an informational milestone; see docs/architecture.md#legs-and-service-levels).
    track.add(clock.after(1, 12), "confirm/waiting", None)
    if roll < 0.10:
        track.add(clock.after(2, 30), "cancel/canceled", None)
        shipment.finish("cancelled", clock.now)
        return
    track.add(clock.after(2, 24), "complete/waiting", Leg.FIRST_MILE)
    track.add(clock.after(12, 48), "complete/sorted", Leg.LINE_HAUL)
    track.add(clock.after(24, 96), "complete/ready_for_pickup", Leg.PICKUP_POINT)
    if rng.random() < 0.12:
        track.add(clock.after(24, 150), "complete/canceled_by_client", Leg.RETURN)
        shipment.finish("returning", clock.now)
    else:
        track.add(clock.after(2, 120), "complete/sold", Leg.PICKUP_POINT)
        shipment.finish("delivered", clock.now)


# --- overseas and consolidation warehouses (hub-native) ------------------------------


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
    duty_minor, duty = _money(rng, 150, 4000)
    flows.hub_native(warehouse, clock.now, "warehouse_inbound", Leg.DESTINATION_WAREHOUSE)
    flows.hub_native(warehouse, clock.after(2, 24), "import_customs_started", Leg.IMPORT_CUSTOMS)
    flows.hub_native(warehouse, clock.after(12, 72), "duty_paid", Leg.IMPORT_CUSTOMS, amounts=[("duty", duty, "RUB")])
    flows.hub_native(warehouse, clock.after(1, 12), "import_customs_cleared", Leg.IMPORT_CUSTOMS)
    flows.hub_native(warehouse, clock.after(2, 24), "warehouse_stored", Leg.DESTINATION_WAREHOUSE)
    placed = clock.after(24, 20 * 24)
    value_minor, value = _money(rng, 800, 25000)
    order = w.order(f"shop:wh_moscow/{order_number}", "wh_moscow", order_number, value_minor, "RUB", placed)
    w.attach(order, shipment, value_minor)
    flows.hub_native(warehouse, clock.after(2, 24), "warehouse_outbound", Leg.DESTINATION_WAREHOUSE,
                     order=order.ref, amounts=[("order_value", value, "RUB")])
    shipment.told("value", warehouse.steps[-1])
    city = pick_city(rng)
    if rng.random() < 0.04:
        flows.hub_native(warehouse, clock.after(72, 240), "lost", Leg.DESTINATION_WAREHOUSE)
        shipment.finish("lost", clock.now)
        return
    if rng.random() < 0.5:
        barcode = numbers.rp(MOSCOW_CITY.delivery_office[0])
        target = shipment.identify("rp", barcode)
        handed = clock.after(1, 8)
        cod = value_minor if rng.random() < 0.4 else 0
        rp = _russian_post_track(w, shipment, barcode, city, international=False,
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
    value_minor, value = _money(rng, 50, 3000)
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
    rp = _russian_post_track(w, shipment, s10, city, international=True,
                             polling="rp_single" if rng.random() < 0.7 else "rp_batch", value_kopecks=value_minor * 12)
    result = flows.russian_post_import(rp, clock, city, _import_outcome(rng), renumber_to=None)
    shipment.finish(result, rp.steps[-1].at)


def aliexpress_cancelled(w: World, start: datetime) -> None:
    """An AliExpress order cancelled before it shipped: order statuses only, no parcel."""
    order, track, _ = _aliexpress_order(w, start, 0, "aliexpress_cancelled")
    order.cancelled = True
    track.add(start + hours(w.rng, 8, 48), "IN_CANCEL/NO_LOGISTICS")
    track.add(start + hours(w.rng, 50, 70), "FINISH/NO_LOGISTICS")


Scenario = Callable[[World, datetime], None]
# (scenario, weight, shipments it adds).
SCENARIOS: tuple[tuple[Scenario, int, int], ...] = (
    (aliexpress_russian_post, 22, 1),
    (aliexpress_split, 5, 2),
    (aliexpress_cdek, 12, 1),
    (ozon_cdek, 11, 1),
    (ozon_boxberry, 10, 1),
    (ozon_russian_post, 9, 1),
    (wildberries, 15, 1),
    (overseas_warehouse, 9, 1),
    (guangzhou_russian_post, 5, 1),
    (aliexpress_cancelled, 2, 0),
)
