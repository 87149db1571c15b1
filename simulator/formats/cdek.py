"""CDEK API v2 (docs/partners/cdek.md): ORDER_STATUS and PRINT_FORM webhooks (fixtures
cdek_webhook_0/1.json), and for a return order the GET /v2/orders/{uuid} read model, whose
`related_entities` names the forward order (docs/partners/cdek.md#order-read-model): the only place
the two orders meet."""

from __future__ import annotations

import random
from datetime import datetime

from simulator.clock import MOSCOW, hours, iso_offset
from simulator.formats import dump_json, lag, message, unknown_codes
from simulator.model import Message, Step, Track

# docs/partners/cdek.md#main-status-table: code → (legacy numeric webhook status_code, Russian name).
STATUSES: dict[str, tuple[str, str]] = {
    "CREATED": ("1", "Создан"),
    "REMOVED": ("2", "Удален"),
    "RECEIVED_AT_SHIPMENT_WAREHOUSE": ("3", "Принят на склад отправителя"),
    "READY_FOR_SHIPMENT_IN_SENDER_CITY": ("6", "Выдан на отправку в г. отправителе"),
    "TAKEN_BY_TRANSPORTER_FROM_SENDER_CITY": ("7", "Сдан перевозчику в г. отправителе"),
    "SENT_TO_RECIPIENT_CITY": ("8", "Отправлен в г. получатель"),
    "ACCEPTED_IN_RECIPIENT_CITY": ("9", "Встречен в г. получателе"),
    "ACCEPTED_AT_RECIPIENT_CITY_WAREHOUSE": ("10", "Принят на склад доставки"),
    "TAKEN_BY_COURIER": ("11", "Выдан на доставку"),
    "ACCEPTED_AT_PICK_UP_POINT": ("12", "Принят на склад до востребования"),
    "RETURNED_TO_RECIPIENT_CITY_WAREHOUSE": ("18", "Возвращен на склад доставки"),
    "DELIVERED": ("4", "Вручен"),
    "NOT_DELIVERED": ("5", "Не вручен"),
}
# Undocumented codes the unknown-code fault injects (in neither table of
# docs/partners/cdek.md#order-status-codes, the main one or the npm typings').
UNDOCUMENTED: tuple[str, ...] = ("SORTING_DELAYED_AT_HUB", "AWAITING_RECIPIENT_CONFIRMATION")


def messages(track: Track, rng: random.Random) -> list[Message]:
    info = track.info
    out: list[Message] = []
    if info.get("print_form") and track.steps:
        sent = track.steps[0].at + lag(rng, 2, 30)
        out.append(message(track, sent, _print_form(info, sent, rng), "json", outcome="ignored", pushed=True))
    for step in track.steps:
        sent = step.at + lag(rng, 1, 25)
        out.append(message(track, sent, _webhook(info, step, sent), "json", unknown=unknown_codes([step]), steps=[step], pushed=True))
    if info.get("direct_uuid"):
        # A return order is read back (GET /v2/orders/{uuid}) after its creation and at its end.
        for upto in sorted({1, len(track.steps)}):
            known = track.steps[:upto]
            polled = known[-1].at + hours(rng, 1, 8)
            out.append(
                message(track, polled, _read_model(info, known), "json", unknown=unknown_codes(known), links=True,
                        steps=known)
            )
    return out


def _status_time(step: Step) -> str:
    return iso_offset(step.at, step.data["zone"], colon=False)


def _webhook(info: dict, step: Step, sent: datetime) -> bytes:
    attributes: dict[str, object] = {
        "is_return": info["is_return"],
        "is_reverse": False,
        "is_client_return": False,
        "cdek_number": info["cdek_number"],
        "number": info["number"],
        "code": step.code,
    }
    if step.code in STATUSES:
        attributes["status_code"] = STATUSES[step.code][0]
    if step.data.get("reason"):
        attributes["status_reason_code"] = step.data["reason"]
    attributes["status_date_time"] = _status_time(step)
    attributes["city"] = step.data["city"]
    document = {
        "type": "ORDER_STATUS",
        "date_time": iso_offset(sent, MOSCOW, colon=False),
        "uuid": info["uuid"],
        "attributes": attributes,
    }
    return dump_json(document)


def _print_form(info: dict, sent: datetime, rng: random.Random) -> bytes:
    form = "".join(rng.choice("0123456789abcdef") for _ in range(12))
    document = {
        "type": "PRINT_FORM",
        "date_time": iso_offset(sent, MOSCOW, colon=False),
        "uuid": info["uuid"],
        "attributes": {"type": "barcode", "url": f"https://api.cdek.ru/v2/print/barcodes/{form}.pdf"},
    }
    return dump_json(document)


def _read_model(info: dict, known: list[Step]) -> bytes:
    statuses = []
    for step in known:
        entry: dict[str, object] = {"code": step.code, "name": STATUSES.get(step.code, ("", step.code))[1]}
        if step.data.get("reason"):
            entry["reason_code"] = step.data["reason"]
        entry["date_time"] = _status_time(step)
        entry["city"] = step.data["city"]
        statuses.append(entry)
    document = {
        "entity": {
            "uuid": info["uuid"],
            "is_return": info["is_return"],
            "cdek_number": info["cdek_number"],
            "number": info["number"],
            "statuses": statuses,
        },
        "related_entities": [{"type": "direct_order", "uuid": info["direct_uuid"]}],
    }
    return dump_json(document)
