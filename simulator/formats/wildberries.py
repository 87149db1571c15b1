"""Wildberries Marketplace API (docs/partners/wildberries.md), shaped like wb_v3_orders_new_response.json
and wb_v3_orders_status_response.json: a new assembly task is read from `GET
/api/v3/orders/new`; statuses are polled with `POST /api/v3/orders/status` for every task
that changed in the last six hours, several tasks in one answer. Step codes are
`supplierStatus/wbStatus`; the first step is the new task itself."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

from simulator.clock import utc_z
from simulator.formats import dump_json, lag, message
from simulator.model import Expected, Message, Track

# Undocumented wbStatus values (not in docs/partners/wildberries.md#wbstatus) the unknown-code fault injects.
UNDOCUMENTED: tuple[str, ...] = ("in_transit_to_pvz", "awaiting_pvz_capacity")
POLL_HOURS = 6


def new_order_messages(track: Track, rng: random.Random) -> list[Message]:
    info = track.info
    created = track.steps[0].at
    order = {
        "salePrice": info["sale_price"],
        "requiredMeta": [],
        "optionalMeta": [],
        "deliveryType": "fbs",
        "orderUid": info["order_uid"],
        "article": info["article"],
        "colorCode": "",
        "rid": info["rid"],
        "createdAt": utc_z(created),
        "offices": [info["office"]],
        "skus": [info["sku"]],
        "id": info["task"],
        "warehouseId": info["warehouse_id"],
        "officeId": info["office_id"],
        "nmId": info["nm_id"],
        "chrtId": info["chrt_id"],
        "price": info["price"],
        "finalPrice": info["final_price"],
        "convertedPrice": info["price"],
        "convertedFinalPrice": info["final_price"],
        "currencyCode": 643,
        "convertedCurrencyCode": 643,
        "cargoType": 1,
        "crossBorderType": 0,
        "isZeroOrder": False,
    }
    return [message(track, created + lag(rng, 1, 20), dump_json({"orders": [order]}), "json", steps=track.steps[:1])]


def status_messages(tracks: list[Track], rng: random.Random) -> list[Message]:
    """One poll every POLL_HOURS for the tasks whose status changed since the last poll."""
    buckets: dict[datetime, list[tuple[Track, int]]] = {}
    for track in tracks:
        for index, step in enumerate(track.steps[1:], start=1):
            buckets.setdefault(_next_poll(step.at), []).append((track, index))
    out = []
    for polled in sorted(buckets):
        items = []
        unknown: list[str] = []
        carried = []
        latest: dict[str, tuple[Track, int]] = {}
        for track, index in buckets[polled]:
            # A poll shows the current status only: a task that moved twice shows the later.
            if track.key not in latest or latest[track.key][1] < index:
                latest[track.key] = (track, index)
        for key in sorted(latest):
            track, index = latest[key]
            step = track.steps[index]
            carried.append(step)
            supplier, _, wb = step.code.partition("/")
            items.append({"id": track.info["task"], "isCancellable": supplier in ("new", "confirm"),
                          "supplierStatus": supplier, "wbStatus": wb})
            if step.undocumented:
                unknown.append(wb)
        shipments = tuple(s for key in sorted(latest) for s in latest[key][0].shipments)
        out.append(Message(at=polled, partner="wildberries", payload=dump_json({"orders": items}), extension="json",
                           expected=Expected("normalised", None, tuple(unknown)), shipments=shipments,
                           steps=tuple(carried)))
    return out


def _next_poll(at: datetime) -> datetime:
    base = at.astimezone(timezone.utc).replace(minute=0, second=0, microsecond=0)
    hours = POLL_HOURS - base.hour % POLL_HOURS
    return base + timedelta(hours=hours, minutes=5)
