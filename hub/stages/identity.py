"""Identity: which shipment an identifier belongs to (docs/architecture.md#identity).

Parcel-level identifiers seen on one event are linked. Connected identifiers form one
shipment, labelled by the smallest identifier of the component (min-label connected
components): every identifier keeps its neighbours and current label in a table keyed by
identifier, and a smaller label spreads to neighbours until nothing changes. The shipment id
is a hash of the label, so it depends only on the set of identifiers, never on arrival order.

A wrong link is undone by `hub split A B`, which cuts the link between A and B for good.
Labels carry a generation: a cut starts the next generation at both ends, a label of a newer
generation resets whoever hears it (its label becomes the smaller of its own identifier and
the one heard) and spreads through what is left of the component, and labels of an older
generation are ignored. Within a generation, labels only shrink, as before the split; across
one, an identifier whose shipment changes *releases* its events from every shipment it was
labelled into before (hub/stages/timeline.py moves them).

Each handler here is pure, `(state, message) -> (state, outputs)`; state is a JSON-able dict
(it is what the faust table stores). Outputs are `Send(topic, key, message)` records: the
identity topic for messages to other identifiers (state keyed by X is only ever written
while processing a message keyed by X), the shipment-events topic for the timeline stage.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
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


def observations(parcels: list[str], orders: list[str], events: list[Any]) -> list[Send]:
    """What the identify stage sends for canonical events that name the same identifiers.

    Every parcel identifier hears of its neighbours on these events and of the orders it
    belongs to; the smallest one also carries the events, to be forwarded to its shipment
    together. Each order hears of its parcels, so an order id can answer with its shipments.
    """
    parcels = sorted(set(parcels))
    carrier = parcels[0]  # the smallest carries the events, as routing_identifier() names it
    sends = []
    for identifier in parcels:
        message: Message = {
            "kind": "observe",
            "identifier": identifier,
            "neighbours": [p for p in parcels if p != identifier],
            "orders": sorted(set(orders)),
        }
        if identifier == carrier:
            message["events"] = events
        sends.append(Send(IDENTITY, identifier, message))
    return sends


def observe_message(events: list[tuple[Sequence[str], Sequence[str], Any]]) -> list[Send]:
    """What identify sends for one partner message's canonical events: (parcel identifiers,
    order references, event JSON) each, in the message's order. The JSON is passed on as it
    is: a dict, or (the normalise agent) its bytes as an orjson Fragment.

    Events naming the same identifiers travel together, one observation and one message to
    their shipment for all of them (a Cainiao history repeats thirty events of one parcel):
    what identity learns is the same as from each alone (the same links, the same orders), and
    the timeline stage folds them once. Which events share a message depends only on the
    partner message, so a replay groups them the same way.
    """
    groups: dict[tuple[tuple[str, ...], tuple[str, ...]], list[Any]] = {}
    for parcels, orders, event in events:
        groups.setdefault((tuple(sorted(set(parcels))), tuple(sorted(set(orders)))), []).append(event)
    return [send for (parcels, orders), grouped in groups.items() for send in observations(list(parcels), list(orders), grouped)]


def split_messages(first: str, second: str) -> list[Send]:
    """What `hub split` sends: each end of the link hears that the other is cut off."""
    return [
        Send(IDENTITY, first, {"kind": "cut", "identifier": first, "other": second}),
        Send(IDENTITY, second, {"kind": "cut", "identifier": second, "other": first}),
    ]


def handle_identity(state: State | None, key: str, message: Message, position: str | None = None) -> tuple[State, list[Send]]:
    """One identity-topic message for identifier (or order) `key`.

    `position` is where the message sits in its log (`partition:offset`). After a crash,
    faust may have kept this key's state as a later message left it (the agent writes a
    batch's state once, after its last record) while what the messages since the last commit
    sent was lost; they come again. The position of the last message that changed the state
    is kept with it (`changed_at`): a message at or before it may have been applied already,
    and sends again everything the current state implies (`_maybe_applied`).
    """
    before = state or {}
    again = _maybe_applied(before, position)
    kind = message["kind"]
    if kind == "observe":
        after, sends = _observe(dict(before), key, message, again)
    elif kind == "label":
        after, sends = _relabel(dict(before), key, message["label"], message.get("generation", 0), sender=message.get("from"),
                                position=position, again=again)
    elif kind == "cut":
        after, sends = _cut(dict(before), key, message["other"], position, again)
    elif kind == "order":
        after, sends = _order(dict(before), message)
    else:
        raise ValueError(f"unknown identity message kind {kind!r}")
    if position is not None and after != before:
        after["changed_at"] = position
    return after, sends


def _maybe_applied(state: State, position: str | None) -> bool | None:
    """Could the message at `position` have been applied to this state already?

    True at or before the last message that changed it (`changed_at`), or for the message
    that set its label (`relabelled_at`, which states from before `changed_at` was kept
    have); False after it, or in another partition (a key's partition changes only when the
    topic is repartitioned: its offsets start anew); None when the state cannot say (no
    position, or an older state): then an observation re-sends everything, as it always did,
    and a label or cut only the message that set the label.
    """
    if position is None:
        return None
    if position == state.get("relabelled_at"):
        return True
    applied = state.get("changed_at")
    if applied is None:
        return None
    partition, _, offset = position.partition(":")
    applied_partition, _, applied_offset = applied.partition(":")
    return partition == applied_partition and int(offset) <= int(applied_offset)


def _generation(state: State) -> int:
    return state.get("generation", 0)


def _observe(state: State, identifier: str, message: Message, again: bool | None) -> tuple[State, list[Send]]:
    sends: list[Send] = []
    cuts = set(state.get("cuts", []))
    heard = set(message["neighbours"]) - cuts  # a cut link is never made again
    known = set(state.get("neighbours", []))
    known_orders = set(state.get("orders", []))
    orders = set(message["orders"])
    # A known neighbour holds this side's label already (and hears every later one from
    # `_announce`), a known order this parcel's: only what is new is told, unless this very
    # message may have been applied before with its sends lost (see `handle_identity`).
    tell = heard - known if again is False else heard
    tell_orders = orders - known_orders if again is False else orders
    label = state.get("label") or identifier
    generation = _generation(state)
    state["label"] = label
    state["neighbours"] = sorted(known | heard)
    state["orders"] = sorted(known_orders | orders)
    for neighbour in sorted(tell):
        sends.append(Send(IDENTITY, neighbour, _label_message(neighbour, label, generation, identifier)))
    for order in sorted(tell_orders):
        sends.append(Send(IDENTITY, order, _order_message(order, identifier, label, generation)))
    if "events" in message:
        # `observed`: events as partners sent them (a merge or a split moves events too).
        observed = {"kind": "events", "events": message["events"], "generation": generation, "observed": True}
        sends.append(Send(SHIPMENT_EVENTS, shipment_id_for(label), observed))
    elif "event" in message:  # one event per observation, as written before events were grouped
        single = {"kind": "event", "event": message["event"], "generation": generation}
        sends.append(Send(SHIPMENT_EVENTS, shipment_id_for(label), single))
    return state, sends


def _relabel(state: State, identifier: str, label: str, generation: int, sender: str | None, position: str | None,
             again: bool | None) -> tuple[State, list[Send]]:
    state.setdefault("label", identifier)
    current, current_generation = state["label"], _generation(state)
    if again:
        # Seen again after a crash: what follows from the label now (this message's effect
        # is in it) goes out again, in case what this message or a later one sent was lost.
        return state, _announce(state, identifier, skip=sender if current == label else None)
    if sender is not None and sender in state.get("cuts", []):
        return state, []  # sent across the link before the cut reached the sender
    if generation > current_generation:
        # A newer generation: start again from this identifier (or the smaller label heard).
        _start_generation(state, generation, min(identifier, label), position)
        # The sender holds `label` already; it hears from us only if ours is smaller.
        return state, _announce(state, identifier, skip=sender if state["label"] == label else None)
    if generation < current_generation:
        return state, []  # from before a split: the component it describes is gone
    if label < current:
        state["previous_labels"] = sorted(set(state.get("previous_labels", [])) | {current})
        state["label"] = label
        state["relabelled_at"] = position
        return state, _announce(state, identifier, skip=sender)
    return state, []


def _cut(state: State, identifier: str, other: str, position: str | None, again: bool | None) -> tuple[State, list[Send]]:
    state.setdefault("label", identifier)
    cuts = set(state.get("cuts", []))
    if other in cuts:
        if again:
            return state, _announce(state, identifier, skip=None)  # the cut again, after a crash
        return state, []  # cut before: nothing left to undo
    state["cuts"] = sorted(cuts | {other})
    state["neighbours"] = [n for n in state.get("neighbours", []) if n != other]
    _start_generation(state, _generation(state) + 1, identifier, position)
    return state, _announce(state, identifier, skip=None)


def _start_generation(state: State, generation: int, label: str, position: str | None) -> None:
    # Every shipment this identifier was labelled into before must give its events up.
    earlier = set(state.get("released_from", [])) | set(state.get("previous_labels", [])) | {state["label"]}
    state["released_from"] = sorted(earlier)
    state["previous_labels"] = []
    state["generation"] = generation
    state["label"] = label
    state["relabelled_at"] = position


def _announce(state: State, identifier: str, skip: str | None) -> list[Send]:
    """Everything that follows from the current label: tell the neighbours, move the events.

    Naming every earlier shipment (not only the last) means a merge or release notice lost
    in a crash is sent again by the next relabel; the timeline stage ignores repeats.
    """
    label, generation = state["label"], _generation(state)
    new = shipment_id_for(label)
    sends = [
        Send(IDENTITY, n, _label_message(n, label, generation, identifier))
        for n in state.get("neighbours", [])
        if n != skip
    ]
    if label == identifier and generation > 0:
        # This identifier names a shipment in the new generation: if an older merge made
        # that shipment a redirect, it lives again (even before any event arrives).
        sends.append(Send(SHIPMENT_EVENTS, new, {"kind": "events", "events": [], "generation": generation}))
    # Earlier labels of this generation: whole shipments merge into the new one.
    for previous in state.get("previous_labels", []):
        old = shipment_id_for(previous)
        sends.append(Send(SHIPMENT_EVENTS, old, {"kind": "merge", "from": old, "to": new, "generation": generation}))
    # Labels of earlier generations: only this identifier's own events leave them. Even the
    # new shipment hears it: an older merge may have taken its events elsewhere.
    for released in state.get("released_from", []):
        old = shipment_id_for(released)
        sends.append(Send(SHIPMENT_EVENTS, old, {"kind": "release", "carrier": identifier, "to": new, "generation": generation}))
    for order in state.get("orders", []):
        sends.append(Send(IDENTITY, order, _order_message(order, identifier, label, generation)))
    return sends


def _label_message(to: str, label: str, generation: int, sender: str) -> Message:
    return {"kind": "label", "identifier": to, "label": label, "generation": generation, "from": sender}


def _order_message(order: str, parcel: str, label: str, generation: int) -> Message:
    return {"kind": "order", "order": order, "parcel": parcel, "label": label, "generation": generation}


def _order(state: State, message: Message) -> tuple[State, list[Send]]:
    """An order keeps, per parcel identifier, its latest label: the newest generation, then
    the smallest label in it (the parcel's shipment)."""
    parcels = dict(state.get("parcels", {}))
    generations = dict(state.get("generations", {}))
    parcel, label, generation = message["parcel"], message["label"], message.get("generation", 0)
    known = generations.get(parcel, 0)
    if parcel not in parcels or generation > known or (generation == known and label < parcels[parcel]):
        parcels[parcel] = label
        generations[parcel] = generation
    state["parcels"] = dict(sorted(parcels.items()))
    if any(generations.values()):
        state["generations"] = dict(sorted(generations.items()))
    return state, []


def order_shipments(state: State) -> list[str]:
    return sorted({shipment_id_for(label) for label in state.get("parcels", {}).values()})
