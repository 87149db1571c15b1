"""AliExpress Open Platform (docs/partners/aliexpress.md), with TOP's envelope and wrapped lists:
- `aliexpress.trade.ds.order.get`: the order (`AeopOrderInfo`: gmt_create, order_status,
  logistics_status, order_amount, child_order_list, logistics_info_list, store_info). It does
  not carry the order id (the request names it), so the publisher names the order in the
  hub-subject header; without it the order's parcels still stand (no order reference), so a
  lost header is no dead letter here. Polled at each change of status; `logistics_info_list[].logistics_no`
  is where an order meets its parcels;
- `aliexpress.logistics.redefining.querytrackingresult`: a parcel's `details[]`, whose
  `status` takes Cainiao's action codes; the parcel comes from the hub-subject header.
No real payload was found for either (docs/partners/aliexpress.md#sources); the shape follows the TOP
SDK models."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta

from simulator.clock import CHINA, wall
from simulator.formats import dump_json, lag, message, snapshots, unknown_codes
from simulator.formats.cainiao import ACTIONS
from simulator.model import Message, Track

ORDER_TIME_ZONE = "America/Los_Angeles"  # TOP SDK: order times are US Pacific time


def order_messages(track: Track, rng: random.Random) -> list[Message]:
    info = track.info
    out = []
    for step in track.steps:
        polled = step.at + lag(rng, 10, 240)
        parcels = step.data.get("parcels", [])
        order_status, _, logistics_status = step.code.partition("/")
        result = {
            "gmt_create": wall(info["placed_at"], ORDER_TIME_ZONE, "%Y-%m-%d %H:%M:%S"),
            "order_status": order_status,
            "logistics_status": logistics_status,
            "order_amount": {"amount": info["amount"], "currency_code": info["currency"]},
            "child_order_list": {"aeop_child_order_info": [
                {"product_id": product_id, "product_count": count} for product_id, count in info["products"]
            ]},
        }
        if parcels:
            result["logistics_info_list"] = {"aeop_order_logistics_info": [
                {"logistics_no": number, "logistics_service": service} for number, service in parcels
            ]}
        result["store_info"] = {"store_id": info["store_id"], "store_name": info["store_name"]}
        document = {"aliexpress_trade_ds_order_get_response": {"result": result, "request_id": _request_id(rng)}}
        out.append(replace(message(
            track, polled, dump_json(document), "json", outcome="normalised" if parcels else "ignored",
            subject=track.info["subject"], links=bool(parcels), steps=[step],
        ), subject_required=False))
    return out


def tracking_messages(track: Track, rng: random.Random) -> list[Message]:
    out = []
    for at, known in snapshots(track, rng, chance=0.2, lag_hours=(2, 30)):
        details = []
        for step in sorted(known, key=lambda s: s.at, reverse=True):
            desc, standard, _zone, _node = ACTIONS[step.code]
            details.append({
                "event_desc": standard.format(place=step.data.get("place", "")),
                "signed_name": "",
                "status": step.code,
                "address": step.data.get("address", ""),
                "event_date": wall(step.at, CHINA, "%Y-%m-%d %H:%M:%S"),
            })
        document = {"aliexpress_logistics_redefining_querytrackingresult_response": {
            "details": {"details": details},
            "official_website": "https://global.cainiao.com",
            "result_success": True,
        }}
        out.append(message(track, at + timedelta(minutes=1), dump_json(document), "json",
                           unknown=unknown_codes(known), subject=track.info["subject"], steps=known))
    return out


def _request_id(rng: random.Random) -> str:
    return "".join(rng.choice("0123456789abcdefghijklmnopqrstuvwxyz") for _ in range(13))
