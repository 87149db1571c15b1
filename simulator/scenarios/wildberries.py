"""Wildberries journeys: the marketplace's own delivery."""

from __future__ import annotations

from datetime import datetime

from schemas import Leg
from simulator.clock import Clock
from simulator.places import pick_city
from simulator.world import World


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
