"""Ozon Seller API (docs/partners/ozon.md): push notifications shaped like the SDK's examples
(ozon_push_*.json) and the `/v3/posting/fbs/get` read model (ozon_v3_fbs_get_response.json),
which is fetched once a carrier has the posting: its `tracking_number` is where the posting
meets the carrier's parcel. Step codes are the push's `new_state` for state changes, else the
push type; `data["kind"]` says which message a step is."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from simulator.clock import hours, utc_z
from simulator.formats import dump_json, lag, message
from simulator.model import Expected, Message, Step, Track

# Undocumented `new_state` values (not in docs/partners/ozon.md#posting-substatus) the unknown-code fault injects.
UNDOCUMENTED: tuple[str, ...] = ("posting_on_way_to_locker", "posting_awaiting_customs_check")


def messages(track: Track, rng: random.Random) -> list[Message]:
    out = []
    for step in track.steps:
        kind = step.data["kind"]
        if kind == "read_model":
            polled = step.at + hours(rng, 0.5, 6)
            out.append(message(track, polled, _read_model(track.info, step), "json", links=True, steps=[step]))
            continue
        sent = step.at + lag(rng, 0, 3)
        unknown = (step.code,) if step.undocumented else ()
        out.append(message(track, sent, _push(track.info, step), "json", unknown=unknown, steps=[step], pushed=True))
    return out


def _push(info: dict, step: Step) -> bytes:
    kind = step.data["kind"]
    posting = info["posting_number"]
    products = [{"sku": p["sku"], "quantity": p["quantity"]} for p in info["products"]]
    if kind == "new":
        document = {"message_type": "TYPE_NEW_POSTING", "posting_number": posting, "products": products,
                    "in_process_at": utc_z(step.at, millis=True)}
    elif kind == "cancelled":
        document = {"message_type": "TYPE_POSTING_CANCELLED", "posting_number": posting, "products": products,
                    "old_state": step.data["old_state"], "new_state": "posting_canceled",
                    "changed_state_date": utc_z(step.at, millis=True),
                    "reason": {"id": step.data["reason_id"], "message": step.data["reason"]}}
    elif kind == "delivery_date":
        begin: datetime = step.data["begin"]
        document = {"message_type": "TYPE_DELIVERY_DATE_CHANGED", "posting_number": posting,
                    "new_delivery_date_begin": utc_z(begin), "new_delivery_date_end": utc_z(step.data["end"]),
                    "old_delivery_date_begin": utc_z(step.data["old_begin"]),
                    "old_delivery_date_end": utc_z(step.data["old_begin"] + timedelta(hours=9))}
    else:
        document = {"message_type": "TYPE_STATE_CHANGED", "posting_number": posting, "new_state": step.code,
                    "changed_state_date": utc_z(step.at, millis=True)}
    document["warehouse_id"] = info["warehouse_id"]
    document["seller_id"] = info["seller_id"]
    return dump_json(document, indent="\t")


def _read_model(info: dict, step: Step) -> bytes:
    method = info["delivery_method"]
    posting = {
        "posting_number": info["posting_number"],
        "order_id": info["order_id"],
        "order_number": info["order_number"],
        "status": step.data["status"],
        "substatus": step.code,
        "delivery_method": {
            "id": method["id"], "name": method["name"], "warehouse_id": info["warehouse_id"],
            "warehouse": method["warehouse"], "tpl_provider_id": method["tpl_provider_id"],
            "tpl_provider": method["tpl_provider"],
        },
        "tracking_number": info["tracking_number"],
        "tpl_integration_type": "3pl_tracking",
        "in_process_at": utc_z(info["in_process_at"]),
        "shipment_date": utc_z(info["shipment_date"]),
        "delivering_date": utc_z(step.at),
        "optional": {"products_with_possible_mandatory_mark": [0]},
        "cancellation": {"cancel_reason_id": 0, "cancel_reason": "", "cancellation_type": "",
                         "cancelled_after_ship": False, "affect_cancellation_rating": False,
                         "cancellation_initiator": ""},
        "customer": None,
        "products": [
            {"currency_code": "RUB", "is_blr_traceable": False, "price": p["price"], "offer_id": p["offer_id"],
             "name": p["name"], "sku": p["sku"], "quantity": p["quantity"]}
            for p in info["products"]
        ],
        "addressee": None,
        "barcodes": None,
        "analytics_data": None,
        "financial_data": None,
        "is_express": False,
        "quantum_id": 0,
        "requirements": {"products_requiring_gtd": [], "products_requiring_country": [],
                         "products_requiring_mandatory_mark": []},
    }
    return dump_json({"result": {"postings": [posting], "has_next": False}}, indent="\t")


def ping_messages(start: datetime, end: datetime, rng: random.Random) -> list[Message]:
    """Ozon checks the seller's endpoint now and then: TYPE_PING, not a tracking message."""
    out = []
    at = start + hours(rng, 24, 240)
    while at < end:
        out.append(Message(at=at, partner="ozon", payload=ping_payload(at), extension="json", expected=Expected("ignored"), pushed=True))
        at += hours(rng, 120, 360)
    return out


def ping_payload(at: datetime) -> bytes:
    """Ozon's TYPE_PING, sent first when a receiver is registered and now and then after."""
    return dump_json({"message_type": "TYPE_PING", "time": utc_z(at)}, indent="\t")
