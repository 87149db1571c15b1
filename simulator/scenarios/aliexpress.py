"""AliExpress journeys: Cainiao to Russian Post or CDEK, a split order, a cancelled one."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from schemas import Leg
from simulator import flows
from simulator.clock import MOSCOW, Clock, hours
from simulator.model import Track
from simulator.places import EXCHANGE_OFFICE, pick_city
from simulator.places import MOSCOW as MOSCOW_CITY
from simulator.scenarios.parts import cdek_order, cdek_outcome, import_outcome, money, russian_post_track, shares
from simulator.world import Order, Shipment, World


def _aliexpress_order(w: World, start: datetime, parcels: int, scenario: str) -> tuple[Order, Track, list[Shipment]]:
    rng = w.rng
    currency = "CNY" if rng.random() < 0.6 else "RUB"
    minor, amount = money(rng, 30, 1500) if currency == "CNY" else money(rng, 400, 20000)
    order_id = w.numbers.aliexpress_order()
    order = w.order(f"aliexpress_order:{order_id}", "aliexpress", order_id, minor, currency, start)
    shipments = [w.shipment(scenario) for _ in range(parcels)]
    for shipment, share in zip(shipments, shares(minor, parcels) if parcels else [], strict=True):
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
        outcome = import_outcome(rng)
        renumber = rng.random() < 0.12 and outcome not in ("customs_refused", "lost")
        polling = "rp_single" if renumber or rng.random() < 0.7 else "rp_batch"
        value = order.value_minor * (12 if order.currency == "CNY" else 1)
        city = pick_city(rng)
        rp = russian_post_track(w, shipment, number, city, international=True, polling=polling, value_kopecks=value)
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
    outcome, courier = cdek_outcome(rng)
    shop_number = f"AE{order.marketplace_ref[-8:]}"
    result = cdek_order(w, shipment, clock, MOSCOW_CITY, pick_city(rng), outcome, courier, shop_number)
    cdek_number = next(i for i in shipment.identifiers if i.startswith("cdek:"))
    flows.hub_native(point, handover_at, "handed_over", Leg.DESTINATION_WAREHOUSE, handover_to=cdek_number)
    _aliexpress_close(ae, [(cainiao.steps[0].at, number, "CAINIAO_STANDARD")], [(result, shipment.finished_at)], rng,
                      [shipment])


def aliexpress_spsr(w: World, start: datetime) -> None:
    """AliExpress → Cainiao (LP number, import customs) → Moscow hand-over point → SPSR Express to
    its own Moscow pickup centre in 6 to 8 days (SPSR is paid a share of the revenue it carries:
    deploy/contracts.example.toml, `spsr-moscow-share`)."""
    rng = w.rng
    order, ae, (shipment,) = _aliexpress_order(w, start, 1, "aliexpress_cainiao_spsr")
    clock = Clock(rng, start + hours(rng, 4, 30))
    number = w.numbers.cainiao_lp()
    shipment.identify("cainiao", number)
    cainiao = w.track("cainiao", "cainiao", number, shipment, mail_no=number, carrier="spsr",
                      eta=clock.now + timedelta(days=rng.randint(14, 22)))
    flows.cainiao(cainiao, clock, warehouse=rng.random() < 0.4, import_customs=True)
    point = _moscow_handover_point(w, shipment, f"cainiao:{number}")
    flows.hub_native(point, clock.after(2, 20), "warehouse_inbound", Leg.DESTINATION_WAREHOUSE)
    spsr_number = w.numbers.spsr()
    spsr_id = shipment.identify("spsr", spsr_number)
    flows.hub_native(point, clock.after(2, 30), "handed_over", Leg.DESTINATION_WAREHOUSE, handover_to=spsr_id)
    rub = order.value_minor * (12 if order.currency == "CNY" else 1)  # the simulator's CNY → RUB
    spsr = w.track("spsr", "spsr", spsr_number, shipment, number=spsr_number, contract="7600010711",
                   shop_number=f"AE{order.marketplace_ref[-8:]}", declared=f"{rub // 100}.{rub % 100:02d}",
                   description=rng.choice(("Электроника", "Одежда", "Товары для дома")))
    result = flows.spsr(spsr, clock, attempts_failed=1 if rng.random() < 0.12 else 0)
    shipment.finish(result, spsr.steps[-1].at)
    _aliexpress_close(ae, [(cainiao.steps[0].at, number, "CAINIAO_STANDARD")], [(result, shipment.finished_at)], rng,
                      [shipment])


def _moscow_handover_point(w: World, shipment: Shipment, parcel: str) -> Track:
    return w.track("wh_moscow", "hub_native", parcel.split(":", 1)[1], shipment, parcel=parcel, zone=MOSCOW,
                   country="RU", city="Москва", facility="MOW-2")


def aliexpress_cancelled(w: World, start: datetime) -> None:
    """An AliExpress order cancelled before it shipped: order statuses only, no parcel."""
    order, track, _ = _aliexpress_order(w, start, 0, "aliexpress_cancelled")
    order.cancelled = True
    track.add(start + hours(w.rng, 8, 48), "IN_CANCEL/NO_LOGISTICS")
    track.add(start + hours(w.rng, 50, 70), "FINISH/NO_LOGISTICS")
