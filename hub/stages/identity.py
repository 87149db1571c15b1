"""Identity: which shipment an identifier belongs to (ARCHITECTURE.md, "Identity").

Parcel-level identifiers seen on one event are linked. Connected identifiers form one
shipment, labelled by the smallest identifier of the component (min-label connected
components): every identifier keeps its neighbours and current label in a table keyed by
identifier, and a smaller label spreads to neighbours until nothing changes. The shipment id
is a hash of the label, so it depends only on the set of identifiers, never on arrival order.

Each handler here is pure, `(state, message) -> (state, outputs)`; state is a JSON-able dict
(it is what the faust table stores). Outputs are `Send(topic, key, message)` records: the
identity topic for messages to other identifiers (state keyed by X is only ever written
while processing a message keyed by X), the shipment-events topic for the timeline stage.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

IDENTITY = "identity"
SHIPMENT_EVENTS = "shipment-events"

State = dict[str, Any]
Message = dict[str, Any]


@dataclass(frozen=True)
class Send:
    topic: str  # IDENTITY or SHIPMENT_EVENTS
    key: str
    message: Message


def shipment_id_for(identifier: str) -> str:
    """`shp_` + the first 16 hex digits of sha256 of the component's smallest identifier."""
    return "shp_" + hashlib.sha256(identifier.encode()).hexdigest()[:16]


def observations(parcels: list[str], orders: list[str], event: Message) -> list[Send]:
    """What the identify stage sends for one canonical event.

    Every parcel identifier hears of its neighbours on this event and of the orders it
    belongs to; the smallest one also carries the event, to be forwarded to its shipment.
    Each order hears of its parcels, so an order id can answer with its shipments.
    """
    parcels = sorted(set(parcels))
    carrier = parcels[0]
    sends = []
    for identifier in parcels:
        message: Message = {
            "kind": "observe",
            "identifier": identifier,
            "neighbours": [p for p in parcels if p != identifier],
            "orders": sorted(set(orders)),
        }
        if identifier == carrier:
            message["event"] = event
        sends.append(Send(IDENTITY, identifier, message))
    return sends


def handle_identity(state: State | None, key: str, message: Message, position: str | None = None) -> tuple[State, list[Send]]:
    """One identity-topic message for identifier (or order) `key`.

    `position` is where the message sits in its log (`partition:offset`). After a crash,
    faust may have kept this key's new state but lost what processing sent; the message
    comes again at the same position, and what its first handling sent is sent again.
    """
    state = dict(state) if state else {}
    kind = message["kind"]
    if kind == "observe":
        return _observe(state, key, message)
    if kind == "label":
        return _relabel(state, key, message["label"], sender=message.get("from"), position=position)
    if kind == "order":
        return _order(state, message)
    raise ValueError(f"unknown identity message kind {kind!r}")


def _observe(state: State, identifier: str, message: Message) -> tuple[State, list[Send]]:
    sends: list[Send] = []
    known = set(state.get("neighbours", []))
    new_neighbours = sorted(set(message["neighbours"]) - known)
    known_orders = set(state.get("orders", []))
    new_orders = sorted(set(message["orders"]) - known_orders)
    label = state.get("label") or identifier
    state["label"] = label
    state["neighbours"] = sorted(known | set(new_neighbours))
    state["orders"] = sorted(known_orders | set(new_orders))
    # Every neighbour on the event learns this side's label (its own observe message tells
    # it ours too), new or not: an equal label changes nothing there, and a repeat of this
    # message after a crash sends again what the first handling may have lost.
    for neighbour in sorted(set(message["neighbours"])):
        sends.append(Send(IDENTITY, neighbour, {"kind": "label", "identifier": neighbour, "label": label, "from": identifier}))
    for order in sorted(set(message["orders"])):
        sends.append(Send(IDENTITY, order, _order_message(order, identifier, label)))
    if "event" in message:
        sends.append(Send(SHIPMENT_EVENTS, shipment_id_for(label), {"kind": "event", "event": message["event"]}))
    return state, sends


def _relabel(state: State, identifier: str, label: str, sender: str | None, position: str | None) -> tuple[State, list[Send]]:
    current = state.get("label") or identifier
    if label > current or (label == current and (position is None or position != state.get("relabelled_at"))):
        state.setdefault("label", current)
        return state, []
    # A smaller label, or the very message that set the current one, seen again after a crash.
    if label < current:
        state["previous_labels"] = sorted(set(state.get("previous_labels", [])) | {current})
        state["label"] = label
        state["relabelled_at"] = position
    sends = [
        Send(IDENTITY, n, {"kind": "label", "identifier": n, "label": label, "from": identifier})
        for n in state.get("neighbours", [])
        if n != sender
    ]
    # Every shipment this identifier was ever labelled into merges into the new one: its
    # events move, its key gets a redirect. Naming all of them (not only the last) means a
    # merge notice lost in a crash is sent again by the next relabel.
    new = shipment_id_for(label)
    for previous in state["previous_labels"]:
        old = shipment_id_for(previous)
        sends.append(Send(SHIPMENT_EVENTS, old, {"kind": "merge", "from": old, "to": new}))
    for order in state.get("orders", []):
        sends.append(Send(IDENTITY, order, _order_message(order, identifier, label)))
    return state, sends


def _order_message(order: str, parcel: str, label: str) -> Message:
    return {"kind": "order", "order": order, "parcel": parcel, "label": label}


def _order(state: State, message: Message) -> tuple[State, list[Send]]:
    """An order keeps, per parcel identifier, the smallest label seen: its shipment."""
    parcels = dict(state.get("parcels", {}))
    parcel, label = message["parcel"], message["label"]
    if parcel not in parcels or label < parcels[parcel]:
        parcels[parcel] = label
    state["parcels"] = dict(sorted(parcels.items()))
    return state, []


def order_shipments(state: State) -> list[str]:
    return sorted({shipment_id_for(label) for label in state.get("parcels", {}).values()})
