"""The hub-native format `hub-native/1` (docs/hub-native-format.md,
schemas/hub_native.schema.json): one JSON object per event, sent by the overseas warehouse
operators and the pickup-point network. A `handed_over` event names both parcels' numbers
(`parcel` and `handover_to`): it is how a hand-over no partner format records links them."""

from __future__ import annotations

import random

from simulator.clock import iso_offset
from simulator.formats import dump_json, lag, message
from simulator.model import Message, Step, Track

# Event names outside hub-native/1 (a later revision's, say) the unknown-code fault injects.
UNDOCUMENTED: tuple[str, ...] = ("relabelled", "quality_checked")


def messages(track: Track, rng: random.Random) -> list[Message]:
    out = []
    for step in track.steps:
        sent = step.at + lag(rng, 0, 15)
        unknown = (step.code,) if step.undocumented else ()
        links = "handover_to" in step.data
        out.append(message(track, sent, _event(track, step), "json", unknown=unknown, links=links, steps=[step]))
    return out


def _event(track: Track, step: Step) -> bytes:
    data = step.data
    document: dict[str, object] = {
        "format": "hub-native/1",
        "parcel": data.get("parcel", track.info["parcel"]),
        "event": step.code,
        "occurred_at": iso_offset(step.at, track.info["zone"]),
        "event_ref": data["event_ref"],
    }
    if data.get("direction"):
        document["direction"] = data["direction"]
    if "handover_to" in data:
        document["handover_to"] = data["handover_to"]
    document["location"] = {"country": track.info["country"], "city": data.get("city", track.info["city"]),
                            "facility": data.get("facility", track.info["facility"])}
    if data.get("amounts"):
        document["amounts"] = [{"kind": kind, "amount": amount, "currency": currency}
                               for kind, amount, currency in data["amounts"]]
    if data.get("reason"):
        document["reason"] = data["reason"]
    if data.get("order"):
        document["order"] = data["order"]
    return dump_json(document, indent=None)
