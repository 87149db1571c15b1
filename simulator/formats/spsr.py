"""SPSR Express invoice info (docs/partners/spsr.md), shaped like tests/adapters/spsr/cases/: the
`GetInvoiceInfo` 1.1 answer, one `Invoice` whose fields are attributes, `CurState` the invoice's
current state and `DeliveryDT` its Moscow wall time without zone. A polled state, not a
history: each poll shows only the latest state.

"Обработка" (processing) is never rendered: its event is dated by when the hub reads it, wall
clock time, which no simulated ground truth can predict. `DeclaredSum` is the order value in
roubles, as SPSR declares it (a basis of its own in the hub, which no example contract
takes: their payers are marketplaces)."""

from __future__ import annotations

import random

from simulator.clock import MOSCOW, wall
from simulator.formats import message, poll_times, xml
from simulator.model import Message, Track

NAMESPACE = "http://spsr.ru/webapi/DataEditManagment/GetInvoiceInfo/1.1"


def messages(track: Track, rng: random.Random) -> list[Message]:
    out = []
    shown = None
    for at in poll_times(track, rng, chance=0.6, lag_hours=(0.5, 10)):
        known = [s for s in track.steps if s.at <= at]
        if not known or known[-1] is shown:
            continue
        shown = known[-1]
        out.append(message(track, at, _invoice_info(track.info, shown.code, shown.at), "xml", steps=[shown]))
    return out


def _invoice_info(info: dict, state: str, at) -> bytes:
    attributes = {
        "ContractNumber": info["contract"], "Action": "R", "ShipmentNumber": info["number"],
        "ShipRefNum": info["shop_number"], "PickUpType": "W", "ProductCode": "23",
        "FullDescription": info["description"], "InsuranceSum": info["declared"], "DeclaredSum": info["declared"],
        "CODGoodsSum": "0.00", "CODDeliverySum": "0.00", "SBits": "", "OrderNumber": "",
        "CurState": state, "DeliveryDT": wall(at, MOSCOW, "%Y-%m-%dT%H:%M:%S"),
        "AgreedDate": wall(at, MOSCOW, "%Y-%m-%d"),
    }
    document = ("root", {"xmlns": NAMESPACE}, [
        ("Result", {"RC": "0"}, []),
        ("GetInvoiceInfo", [("Invoice", attributes, [
            ("Shipper", {"PostCode": "125009", "Country": "Россия", "Region": "Москва", "City": "Москва"}, []),
            # To SPSR's own pickup centre in Moscow, where the buyer collects it.
            ("Receiver", {"PostCode": "109316", "Country": "Россия", "City": "Москва"}, []),
        ])]),
    ])
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + xml(document) + "\n").encode("utf-8")
