"""Ozon journeys: a posting carried by CDEK, Boxberry or Russian Post."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from simulator import flows
from simulator.clock import Clock, hours
from simulator.places import SELLER_CITIES, pick_city
from simulator.scenarios.parts import PRODUCTS, cdek_order, cdek_outcome, money, russian_post_track
from simulator.world import World


def ozon(w: World, start: datetime, carrier: str) -> None:
    """An Ozon posting carried by CDEK, Boxberry or Russian Post, linked by its tracking number."""
    rng = w.rng
    order_number = w.numbers.ozon_order()
    posting_number = f"{order_number}-1"
    products = []
    for _ in range(rng.choice((1, 1, 1, 2, 3))):
        minor, _amount = money(rng, 150, 9000)
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
        outcome, courier = cdek_outcome(rng)
        cdek_order(w, shipment, clock, origin, city, outcome, courier, posting_number)
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
        carrier_track = russian_post_track(w, shipment, number, city, international=False,
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
                  begin=promised, end=promised + timedelta(hours=9), old_begin=promised - timedelta(days=2))
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
