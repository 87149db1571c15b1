"""Timeline: a shipment's events, deduplicated, folded into its current status, legs and milestones.

The state kept per shipment is its events by `event_id` (or, once merged into another
shipment, a redirect), plus what splits need to route late arrivals (see TimelineState);
everything shown is derived by `build_timeline` (hub/stages/timeline_build.py), so applying
the same event twice, or in another order, gives the same timeline. When a message only adds
events later than the shipment's last, the last fold is carried on over them instead
(hub/stages/timeline_fold.py), with the same result.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, partial
from typing import Any

from hub.stages.identity import SHIPMENT_EVENTS, Send
from hub.stages.normalise import routing_identifier
from hub.stages.retire import RETIRE, is_old, merge_dropped, quiet, retirable, retired_state, with_late
from hub.stages.settle import merge_emitted, split_emitted
from hub.stages.stored_events import forget_state, remember_state, stored_event, stored_events
from hub.stages.timeline_build import build_timeline, preferred, seen_again_later
from hub.stages.timeline_fold import timeline_after
from hub.stages.timeline_json import is_own_json, own_json_mark
from schemas import CanonicalEvent
from schemas.timeline import Timeline, TimelineRedirect

TimelineState = dict[str, Any]
# A live shipment: {"events": {event_id: event JSON}, "routed": {event_id: generation},
# "generation": n, "released": {carrier: release}, "merged_into": [shipment ids], "settled": ...};
# once merged into another shipment: the same with "redirect": shipment id.
#
# Generations come from identity (hub/stages/identity.py): a split starts a new one. `routed`
# is the generation under which each event was sent here (0 if absent); `generation` the
# newest one in which this shipment's label was in use; a release records that a carrier
# (the identifier that routes an event: the smallest on it) left for shipment `to` in
# generation n: {"generation": n, "to": ..., "events": [what this release and the carrier's
# older ones moved, kept to resend]}.
# `merged_into` lists where earlier merges sent this shipment's events before it lived again
# in a newer generation: a release follows them, since the carrier's events may be there;
# `merges_sent` keeps, by generation, what each of those merges sent ({"to", "message"}), to
# send again if the merge is read again after a crash (`_lives_again`).
#
# A retired shipment (hub/stages/retire.py) keeps only the events settlement and the fold
# read, with "retired": {"as_of": t, "late": [ids added since]} and "dropped": [digests of the
# ids of the others]; a state that took a retired shipment's events in a merge or a split
# keeps their "dropped" too.
#
# "own_json": set when every stored event's JSON was checked to be its model's own, as
# pydantic writes it, by this code (hub/stages/timeline_json.py:own_json_mark, which also
# counts the events it vouches for); a timeline then takes its events' JSON from the state.

OWN_JSON = "own_json"


def _own_json(state: TimelineState) -> bool:
    """Is every stored event's JSON its model's own, as checked by this code?"""
    mark = state.get(OWN_JSON)
    return mark is not None and mark == own_json_mark(state.get("events", {}))


@dataclass(frozen=True)
class Publish:
    """A record for `hub.timelines`: the shipment's latest timeline, or its redirect.

    `source` is the record, or what builds it: a repeat's timeline is built only if it is
    published (the timeline agent publishes a shipment's latest once per batch), since
    folding every event again is most of what a repeat would cost.
    """

    key: str
    source: Timeline | TimelineRedirect | Callable[[], Timeline | TimelineRedirect]
    # True when the record was published before (a repeated input): nothing changed.
    repeat: bool = False
    # The partners of the message's events that the shipment already held (duplicates).
    repeated: tuple[str, ...] = ()

    @cached_property
    def record(self) -> Timeline | TimelineRedirect:
        return self.source() if callable(self.source) else self.source


def handle_shipment_message(
    state: TimelineState | None, shipment_id: str, message: dict[str, Any]
) -> tuple[TimelineState, list[Send | Publish]]:
    """One `hub.shipment-events` message: events to add, a merge into another shipment, or
    the release of one identifier's events after a split."""
    state = state or {}
    kind = message["kind"]
    generation = message.get("generation", 0)
    if kind in ("event", "events"):
        return _on_events(state, shipment_id, message, generation)
    if kind == "merge":
        return _on_merge(state, shipment_id, message["to"], generation)
    if kind == "release":
        return _on_release(state, shipment_id, message, generation)
    if kind == RETIRE:
        return _on_retire(state, shipment_id, message)
    raise ValueError(f"unknown shipment message kind {kind!r}")


def carrier_of_event(raw: dict[str, Any]) -> str:
    """The identifier that routed a stored event here (the smallest parcel identifier on it)."""
    return routing_identifier(stored_event(raw))


def _on_events(state: TimelineState, shipment_id: str, message: dict[str, Any], generation: int) -> tuple[TimelineState, list[Send | Publish]]:
    raw_events = [message["event"]] if message["kind"] == "event" else message.get("events", [])
    # A merge of a shipment that holds no events may still carry what it released, settled or
    # dropped: it is no claim, and what it carries must be kept (or followed on), or an event
    # sent later by an identifier released there stays where it no longer belongs.
    carries = any(message.get(k) for k in ("released", "settled", "dropped"))
    if not raw_events and not carries and not state.get("redirect"):
        # A claim (hub/stages/identity.py) where nothing needs reviving, or the same claim
        # again after a crash, which may have lost the publication of the revival. Either
        # way the label is in use in this generation: older merges of it no longer apply.
        if not state:
            return state, []
        claimed = {**state, "generation": max(state.get("generation", 0), generation)} if generation else state
        return claimed, [] if quiet(state) else [Publish(shipment_id, partial(_current_record, shipment_id, state), repeat=True)]
    revived = False
    if state.get("redirect"):
        if generation <= state.get("generation", 0):
            # Sent here before the merge was known: follow the redirect.
            return state, [Send(SHIPMENT_EVENTS, state["redirect"], message)] if raw_events or carries else []
        # A newer generation labels identifiers into this shipment again (after a split):
        # it lives again, with none of what its merge moved away.
        state = _lives_again(state)
        revived = True
    released = _merge_released(state.get("released"), message.get("released"))
    routed_in = message.get("routed") or {}
    stored = state.get("events", {})
    routed = dict(state.get("routed") or {})
    forwards: dict[tuple[str, int], list[dict[str, Any]]] = {}
    kept = False
    repeated: list[str] = []  # partners of events already held
    fresh: dict[str, CanonicalEvent] = {}  # events added, or replacing a stored one they are preferred to
    fresh_json: dict[str, dict[str, Any]] = {}  # their JSON as it came, stored as it is (a model's JSON)
    for raw in raw_events:
        event_id = raw["event_id"]
        if is_old(state, event_id):
            # Held when the shipment retired (hub/stages/retire.py): settled history, changes nothing.
            continue
        event_generation = routed_in.get(event_id, generation)
        # Only a shipment that saw a split has released identifiers to look up.
        moved = released.get(routing_identifier(stored_event(raw))) if released else None
        if moved and moved["generation"] > event_generation:
            # Its identifier left this shipment in a newer generation: so does the event.
            forwards.setdefault((moved["to"], moved["generation"]), []).append(raw)
            continue
        kept = True
        added = False
        # The same JSON as the stored record is a repeat, with nothing to validate or compare;
        # so is the stored record only received again later (a history polled again).
        kept_raw = stored.get(event_id)
        if fresh.get(event_id) is not None or (kept_raw != raw and not seen_again_later(raw, kept_raw)):
            current = fresh.get(event_id) or (stored_event(stored[event_id]) if event_id in stored else None)
            event = stored_event(raw)
            if current is None or preferred(event, current):
                fresh[event_id], fresh_json[event_id] = event, raw
                added = True
        if not added:
            repeated.append(raw["partner"])
        if event_generation > routed.get(event_id, 0):
            routed[event_id] = event_generation
    outputs: list[Send | Publish] = [
        Send(SHIPMENT_EVENTS, target, {"kind": "events", "events": moved_events, "generation": moved_generation})
        for (target, moved_generation), moved_events in sorted(forwards.items())
    ]
    new_state = _without_empty({**state, "generation": max(state.get("generation", 0), generation),
                                "released": released, "routed": routed})
    if message.get("settled"):
        new_state["settled"] = merge_emitted(state.get("settled"), message["settled"])
    if message.get("dropped"):
        new_state["dropped"] = merge_dropped(state.get("dropped"), message["dropped"])
    if revived and not fresh:
        # No longer a redirect, on hub.timelines too (a timeline without events, for now).
        return new_state, [*outputs, Publish(shipment_id, _timeline_of_stored(shipment_id, stored))]
    if not kept:
        return new_state, outputs
    if not fresh:
        # A repeat: publish the timeline again, in case a crash lost the first publication.
        return new_state, [*outputs, Publish(shipment_id, partial(_timeline_of_stored, shipment_id, stored, _own_json(state)),
                                             repeat=True, repeated=tuple(repeated))]
    own_json = _own_json(state)
    before = stored_events(stored, own_json=own_json)
    events = before | fresh
    # Unchanged events keep their stored JSON, new ones the JSON they came as: the model's own
    # (hub/agents/normalise.py dumps it), so it is not dumped again.
    new_state["events"] = dict(sorted({**stored, **fresh_json}.items()))
    # Checked as they enter (this message's timeline needs their JSON anyway); the ones kept,
    # when the state is not marked by this code (an upgrade; or one of them is in another
    # form, then checked at each message until it is replaced): hub/stages/timeline_json.py.
    checked = all(is_own_json(fresh[i], raw) for i, raw in fresh_json.items()) and (
        own_json or all(is_own_json(before[i], raw) for i, raw in stored.items() if i not in fresh_json))
    mark = own_json_mark(new_state["events"]) if checked else None
    if mark is None:
        new_state.pop(OWN_JSON, None)
    else:
        new_state[OWN_JSON] = mark
    remember_state(new_state["events"], events)
    forget_state(stored)
    new_state = with_late(new_state, fresh)
    return new_state, [*outputs, Publish(shipment_id, timeline_after(shipment_id, before, events), repeated=tuple(repeated))]


def _current_record(shipment_id: str, state: TimelineState) -> Timeline | TimelineRedirect:
    """What hub.timelines holds for a shipment with a state: its timeline, or its redirect."""
    record = timeline_from_state(shipment_id, state)
    assert record is not None, "a state always has a record"
    return record


def _timeline_of_stored(shipment_id: str, stored: dict[str, Any], own_json: bool = False) -> Timeline:
    return build_timeline(shipment_id, stored_events(stored, own_json=own_json))


def _lives_again(state: TimelineState) -> TimelineState:
    """A redirect from an older generation, live again: it remembers where that merge went,
    and what the merge sent there.

    The merge's events leave this state, but a crash may have lost what the merge sent while
    the state that came after it was written; read again, the merge is older than the state
    and changes nothing, so it re-sends what is kept here (`_on_merge`) or the events are lost.
    """
    merged_into = sorted(set(state.get("merged_into", [])) | {state["redirect"]})
    generation = state.get("generation", 0)
    sent = _merge_send(state, state["redirect"], generation)
    merges_sent = {**state.get("merges_sent", {}), **({str(generation): {"to": sent.key, "message": sent.message}} if sent else {})}
    return _without_empty({"released": state.get("released"), "merged_into": merged_into, "merges_sent": merges_sent})


def _merge_send(state: TimelineState, target: str, generation: int) -> Send | None:
    """What a merge into `target` sends: the events, with what this shipment already settled
    and which identifiers left it; nothing when it holds neither."""
    if not state.get("events") and not state.get("released"):
        return None
    return Send(SHIPMENT_EVENTS, target, _without_empty({
        "kind": "events", "events": list(state.get("events", {}).values()), "routed": state.get("routed"),
        "settled": state.get("settled"), "released": state.get("released"), "dropped": state.get("dropped"),
        "generation": generation,
    }))


def _on_merge(state: TimelineState, shipment_id: str, target: str, generation: int) -> tuple[TimelineState, list[Send | Publish]]:
    redirect = state.get("redirect")
    if target == shipment_id:
        return state, []
    if generation < state.get("generation", 0):
        # A merge from before a split: the newer generation decides where these events go.
        # If this merge was applied before (the state lived again since), a crash may have
        # lost what it sent: send it again (the same message; applied twice, it changes nothing).
        sent = state.get("merges_sent", {}).get(str(generation))
        return state, [Send(SHIPMENT_EVENTS, target, sent["message"])] if sent and sent["to"] == target else []
    if redirect and generation == state.get("generation", 0) and redirect != target:
        # Already merged elsewhere: a later, smaller label reaches the old target through its own merge.
        return state, []
    if redirect and generation > state.get("generation", 0):
        # Merged away in an older generation: nothing of this one lives here yet.
        state = _lives_again(state)
    # First merge, or the same merge again after a crash: (re)send the events, which the
    # redirect state keeps for exactly that, and (re)publish the redirect.
    outputs: list[Send | Publish] = [Publish(shipment_id, TimelineRedirect(shipment_id=shipment_id, to=target))]
    if (sent := _merge_send(state, target, generation)) is not None:
        outputs.insert(0, sent)
    new_state = _without_empty({**state, "redirect": target, "generation": generation})
    return new_state, outputs


def _on_release(state: TimelineState, shipment_id: str, message: dict[str, Any], generation: int) -> tuple[TimelineState, list[Send | Publish]]:
    """After a split, identifier `carrier` belongs to shipment `to`: its events go there.

    The release also goes on wherever merges took this shipment's events (the carrier's may
    be among them); `via` names the shipments it has passed, so it never goes round in circles.
    """
    carrier, target = message["carrier"], message["to"]
    via = [*message.get("via", []), shipment_id]
    onward = [s for s in [state.get("redirect"), *state.get("merged_into", [])] if s and s not in via]
    outputs: list[Send | Publish] = [Send(SHIPMENT_EVENTS, s, {**message, "via": via}) for s in onward]
    released = dict(state.get("released") or {})
    known = released.get(carrier)
    if known and known["generation"] >= generation:
        if known["events"]:
            # The same release again, or an older one, after a crash that may have lost what
            # it sent: the carrier's events go again where its newest release sends them.
            outputs.append(Send(SHIPMENT_EVENTS, known["to"], {"kind": "events", "events": known["events"], "generation": known["generation"]}))
            if known["generation"] == generation and not quiet(state):
                outputs.append(Publish(shipment_id, partial(_current_record, shipment_id, state), repeat=True))
        return state, outputs
    events = state.get("events", {})
    leaving = {} if state.get("redirect") or target == shipment_id else {
        eid: e for eid, e in events.items() if carrier_of_event(e) == carrier}
    # What older releases of the carrier sent is kept too: a crash may have lost that send
    # while this release was written, and re-read, the older release finds only this one.
    resend = {**{e["event_id"]: e for e in known["events"]}, **leaving} if known else leaving
    released[carrier] = {"generation": generation, "to": target, "events": list(resend.values())}
    # The shipment's own generation stays: a release speaks of the carrier's new component,
    # not of the one this shipment's label belongs to.
    new_state = {**state, "released": released}
    if not leaving:
        return new_state, outputs
    staying = {eid: e for eid, e in events.items() if eid not in leaving}
    # What was settled for orders that now live only in the leaving events goes with them,
    # so neither side reverses what the other still owes.
    leaving_orders = _orders(leaving.values()) - _orders(staying.values())
    kept, moved = split_emitted(state.get("settled"), leaving_orders)
    routed = {eid: g for eid, g in (state.get("routed") or {}).items() if eid in staying}
    new_state = _without_empty({**new_state, "events": staying, "routed": routed, "settled": kept})
    # A retired shipment's dropped ids go too (which identifier each came by is not kept):
    # there they only recognise repeats of events that are no longer routed there.
    outputs.append(Send(SHIPMENT_EVENTS, target, _without_empty(
        {"kind": "events", "events": list(leaving.values()), "settled": moved, "dropped": state.get("dropped"), "generation": generation})))
    # What stays (possibly nothing: a shipment that only lived between a split and the
    # relabelling after it ends empty; its identifiers resolve elsewhere).
    remaining = {eid: stored_event(e) for eid, e in staying.items()}
    outputs.append(Publish(shipment_id, build_timeline(shipment_id, remaining)))
    return new_state, outputs


def _on_retire(state: TimelineState, shipment_id: str, message: dict[str, Any]) -> tuple[TimelineState, list[Send | Publish]]:
    """Shrink a finished, quiet shipment to what a late event needs, if the state still says so
    (a late event since the sweep asked, or an earlier retire message, leave it as it is).
    Nothing is published: the last timeline stays on hub.timelines."""
    as_of, after = message["as_of"], message["after"]
    if not retirable(state, as_of, after):  # from its summary: no fold for a shipment that may not retire
        return state, []
    whole = build_timeline(shipment_id, stored_events(state.get("events", {})))
    return retired_state(state, whole, as_of, after), []


def _orders(raw_events) -> set[str]:
    return {str(r) for raw in raw_events for r in stored_event(raw).order_references()}


def _merge_released(mine: dict[str, Any] | None, theirs: dict[str, Any] | None) -> dict[str, Any]:
    """Per identifier, the release of the newest generation."""
    merged = dict(mine or {})
    for carrier, release in (theirs or {}).items():
        if carrier not in merged or merged[carrier]["generation"] < release["generation"]:
            merged[carrier] = release
    return merged


def _without_empty(state: dict[str, Any]) -> dict[str, Any]:
    """Leave out what is absent, so a shipment that never saw a split keeps its old shape."""
    return {k: v for k, v in state.items() if v is not None and v != {} and v != [] and not (k == "generation" and v == 0)}


def timeline_from_state(shipment_id: str, state: TimelineState | None) -> Timeline | TimelineRedirect | None:
    if not state:
        return None
    if state.get("redirect"):
        return TimelineRedirect(shipment_id=shipment_id, to=state["redirect"])
    return build_timeline(shipment_id, stored_events(state.get("events", {}), own_json=_own_json(state)))
