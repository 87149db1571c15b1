"""Boxberry status lists (docs/partners/boxberry.md), shaped like the SDK fixtures: `ListStatuses` (an
array of `{Date, Name}`, dates `yyyy-MM-dd HH:mm:ss`) or `ListStatusesFull` (`statuses[]` with
`Comment`, dates `dd.MM.yyyy HH:mm`, beside `sum`, `PD`, `Weight`, `PaymentMethod`,
`deliveryDate`). Moscow wall time, no zone. Neither names its parcel: the publisher puts
`boxberry:<track>` in the hub-subject header. A polled history; step codes are status names."""

from __future__ import annotations

import random

from simulator.clock import MOSCOW, wall
from simulator.formats import dump_json, message, snapshots, unknown_codes
from simulator.model import Message, Step, Track

# Undocumented names (not in docs/partners/boxberry.md#status-names) the unknown-code fault injects.
UNDOCUMENTED: tuple[str, ...] = ("Передано в постамат партнёра", "Уточнение адреса получателя")


def messages(track: Track, rng: random.Random) -> list[Message]:
    out = []
    for at, known in snapshots(track, rng, chance=0.5, lag_hours=(0.5, 12)):
        payload = _full(track.info, known) if track.info["full"] else _list(known)
        out.append(message(track, at, payload, "json", unknown=unknown_codes(known), subject=track.info["subject"],
                           steps=known))
    return out


def _list(known: list[Step]) -> bytes:
    return dump_json([{"Date": wall(s.at, MOSCOW, "%Y-%m-%d %H:%M:%S"), "Name": s.code} for s in known])


def _full(info: dict, known: list[Step]) -> bytes:
    delivered = any(s.code == "Выдано" for s in known)
    document = {
        "PD": False,
        "sum": info["cod_sum"],
        "deliveryDate": wall(info["delivery_date"], MOSCOW, "%Y-%m-%d") if delivered else "0001-01-01",
        "Weight": info["weight"],
        "PaymentMethod": info["payment_method"],
        "statuses": [
            {"Date": wall(s.at, MOSCOW, "%d.%m.%Y %H:%M"), "Name": s.code, "Comment": s.data.get("comment", "")}
            for s in known
        ],
    }
    return dump_json(document)
