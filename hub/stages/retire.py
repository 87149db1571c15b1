"""Retirement: a finished shipment, quiet for long enough, keeps only what a late event needs.

A shipment that reached a final status and heard nothing for `after` seconds of event time
is retired by a `{"kind": "retire", "as_of": t, "after": s}` message on its own key of
hub.shipment-events (the sweep, hub/agents/retire.py, sends it: a table is written only while
processing a message keyed by the shipment). The decision is taken again here, on the state
itself and on what the message carries, so it never depends on when the sweep ran.

A retired state keeps (docs/architecture.md#retiring-finished-shipments):
- the events settlement and the status fold read (`kept_event_ids`), as stored JSON;
- a digest of every other event id (`dropped`): a repeat of one of them is recognised;
- its settled memory, withheld marks, summary and generation, unchanged;
- `retired`: the event time it was retired at, and the ids of events added since (`late`).
Nothing is published: the last timeline stays on the compacted hub.timelines.

Events the shipment held when it retired are settled history: a record with one of their ids
changes nothing and emits nothing (`is_old`). A late event is added to the kept ones, folded
and settled as any event is; the timeline then published lists the kept and late events.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from hub.metrics import FINAL_STATUSES
from hub.stages.timeline_build import build_timeline
from schemas.timeline import Timeline

RETIRE = "retire"
# What keeps a shipment from retiring: a redirect (merged into another) and the bookkeeping of
# splits (released identifiers, earlier merges), which route events by what the state holds.
_SPLIT_BOOKKEEPING = ("redirect", "released", "merged_into")


def retire_message(as_of: float, after: float) -> dict[str, Any]:
    """The message asking a shipment to retire if it was final and quiet for `after` seconds at event time `as_of`."""
    return {"kind": RETIRE, "as_of": as_of, "after": after}


def retirable(state: dict[str, Any] | None, as_of: float, after: float) -> bool:
    """A final shipment with nothing heard for `after` seconds at `as_of` (epoch seconds), judged
    by its summary: what the sweep reads, and what the stage checks again before retiring."""
    if not state or state.get("retired") or any(state.get(k) for k in _SPLIT_BOOKKEEPING):
        return False
    summary = state.get("summary") or {}
    last = summary.get("last_event_at")
    return summary.get("status") in FINAL_STATUSES and last is not None and last + after <= as_of


def retired_state(state: dict[str, Any], whole: Timeline, as_of: float, after: float) -> dict[str, Any]:
    """The state of a retiring shipment, or `state` itself when it may not retire.

    `whole` is the timeline of all its events. The kept events must tell what all of them tell
    (`_same_facts`); where they would not, every event is kept (the shipment still retires:
    old events are then recognised by their ids, and the sweep does not ask again).
    """
    last = whole.last_event_at
    if not retirable(state, as_of, after) or whole.status.value not in FINAL_STATUSES or last is None or last.timestamp() + after > as_of:
        return state
    stored = state.get("events", {})
    kept = kept_event_ids(whole)
    if not _same_facts(_timeline_of(whole, kept), whole):
        kept = set(stored)
    new_state = {**state, "events": {eid: raw for eid, raw in stored.items() if eid in kept},
                 "retired": {"as_of": as_of}}
    dropped = sorted(set(state.get("dropped", [])) | {digest(eid) for eid in stored if eid not in kept})
    if dropped:
        new_state["dropped"] = dropped
    if state.get("routed"):
        new_state["routed"] = {eid: g for eid, g in state["routed"].items() if eid in kept}
        if not new_state["routed"]:
            del new_state["routed"]
    return new_state


def retirement(state: dict[str, Any] | None) -> dict[str, Any] | None:
    """What an answer about a retired shipment says of it: when it retired (event time, epoch
    seconds) and how many of its events are no longer shown (their ids kept as digests only;
    the whole last timeline from before stays on hub.timelines)."""
    retired = (state or {}).get("retired")
    if not retired:
        return None
    return {"as_of": retired.get("as_of"), "events_not_shown": len(state.get("dropped", [])) if state else 0}


def retired_now(before: dict[str, Any] | None, after: dict[str, Any] | None) -> bool:
    """Whether handling a message retired the shipment (for the agent's count of retirements)."""
    return bool(after and after.get("retired")) and not (before and before.get("retired"))


def kept_event_ids(timeline: Timeline) -> set[str]:
    """The events a retired shipment keeps: those settlement and the status fold read.

    - every event carrying amounts: settlement's bases (hub/settlement/shipment_share.py:bases);
    - every event whose status differs from the one before it, in timeline order: then the
      first event of any status after any kept event is kept too, which is what settlement
      looks for (a trigger, the first reversing status after it) and where the fold turns;
    - the first and last event of each partner: the carriers a contract's filter names, the
      partners' authority in the fold, the corridor's two ends;
    - the first event to name each identifier or order reference;
    - the event that opens each leg span: the legs a contract's filter names;
    - the last event: `last_event_at`.
    """
    events = timeline.events
    kept: set[str] = set()
    first_of: dict[str, str] = {}
    last_of: dict[str, str] = {}
    named: set[str] = set()
    previous = None
    for event in events:
        names = set(event.subject) | {str(r) for r in event.order_references()}
        if event.amounts or event.status is not previous or not names <= named:
            kept.add(event.event_id)
        previous = event.status
        named |= names
        first_of.setdefault(event.partner, event.event_id)
        last_of[event.partner] = event.event_id
    kept |= set(first_of.values()) | set(last_of.values())
    for span in timeline.legs:
        opening = next((e for e in events if e.partner == span.partner and e.occurred_at == span.entered_at), None)
        if opening is not None:
            kept.add(opening.event_id)
    if events:
        kept.add(events[-1].event_id)
    return kept


def _timeline_of(whole: Timeline, kept: set[str]) -> Timeline:
    return build_timeline(whole.shipment_id, {e.event_id: e for e in whole.events if e.event_id in kept})


def _same_facts(kept: Timeline, whole: Timeline) -> bool:
    """What settlement and a later fold read from a timeline, the same from the kept events:
    status and milestone, identifiers and orders, legs (which, and where each begins), the
    corridor, the carriers and the last event time. (Milestones may differ: the kept events
    date fewer of them; nothing settles on those.)"""

    def facts(t: Timeline) -> tuple:
        return (t.status, t.milestone, t.identifiers, t.orders, t.corridor, t.last_event_at,
                [(span.leg, span.partner, span.entered_at) for span in t.legs], sorted({e.partner for e in t.events}))

    return facts(kept) == facts(whole)


def digest(event_id: str) -> str:
    """A dropped event's id as kept: 64 bits of its hash, enough to tell a shipment's events apart."""
    return hashlib.blake2b(event_id.encode(), digest_size=8).hexdigest()


def is_old(state: dict[str, Any], event_id: str) -> bool:
    """An event the shipment already held when it retired (kept or dropped): its repeat, or
    another record with its id, changes nothing and emits nothing."""
    if state.get("dropped") and digest(event_id) in state["dropped"]:
        return True
    retired = state.get("retired") or {}
    return bool(retired) and event_id in state.get("events", {}) and event_id not in retired.get("late", ())


def quiet(state: dict[str, Any]) -> bool:
    """Retired, and nothing heard since: what hub.timelines holds is the last timeline from
    before retirement, which the kept events alone do not reproduce; never publish over it."""
    retired = state.get("retired") or {}
    return bool(retired) and not retired.get("late")


def with_late(state: dict[str, Any], event_ids: Iterable[str]) -> dict[str, Any]:
    """A retired state that took late events in: they are its own from now on (their repeats
    publish and settle again, as any shipment's do, in case a crash lost what they sent)."""
    retired = state.get("retired")
    new = set(event_ids)
    if not retired or not new:
        return state
    return {**state, "retired": {**retired, "late": sorted(set(retired.get("late", [])) | new)}}


def merge_dropped(mine: list[str] | None, theirs: list[str] | None) -> list[str] | None:
    """The dropped ids of a retired shipment travel with its kept events when it is merged
    into another, or when a split moves them: their repeats are recognised there too."""
    if not theirs:
        return mine
    return sorted(set(mine or []) | set(theirs))
