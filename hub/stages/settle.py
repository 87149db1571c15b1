"""Settle: what a shipment's new timeline owes, as the difference from what it already sent.

Runs in the timeline stage (keyed by shipment id); entries and turnover contributions go to
`hub.turnover`, keyed by contract and payer, where they are booked into periods and
statements (hub/settlement/turnover.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from hub.settlement.contracts import ContractSet
from hub.settlement.emitted import difference
from hub.settlement.shipment_share import Contribution, Settled, Withheld, routing_key, settle_timeline
from hub.stages.timeline_build import build_timeline
from schemas.settlement import SettlementEntry
from schemas.timeline import Timeline


@dataclass(frozen=True)
class ToTurnover:
    key: str
    message: dict[str, Any]


def settle_step(state: dict[str, Any], timeline: Timeline, contracts: ContractSet) -> tuple[dict[str, Any], list[ToTurnover], list[Withheld]]:
    """Update the shipment state's memory of emitted money; return what to send to hub.turnover."""
    zones = {c.id: ZoneInfo(c.timezone) for c in contracts.contracts}
    settled = settle_timeline(timeline, contracts)

    def withdrawn(item_id: str, inputs_received_at: datetime) -> datetime:
        return withdrawn_at(timeline, contracts, item_id, inputs_received_at)

    emitted, entries, contributions = difference(state.get("settled"), settled, withdrawn, lambda cid: zones.get(cid, ZoneInfo("Europe/Moscow")))
    new_state = {**state, "settled": emitted}
    sends = [_entry_message(e) for e in entries] + [_contribution_message(c) for c in contributions]
    return new_state, sends, settled.withheld


def withdrawn_at(timeline: Timeline, contracts: ContractSet, item_id: str, inputs_received_at: datetime) -> datetime:
    """When the hub received the input that withdrew an entry or contribution `item_id`.

    The earliest receipt time r, not before the item's own inputs, at which the shipment's
    events received by r no longer imply the item. It depends on the events' receipt times,
    not on the order this worker happened to read them in (a delivery read before the order
    value that changes its basis, in one run and not in a replay), so the reversal is the
    same bytes in every run and is booked late exactly when its cause arrived after a close.
    Runs only when something is withdrawn, which is rare: one fold per candidate time.
    """
    events = {e.event_id: e for e in timeline.events}
    candidates = sorted({e.received_at for e in events.values() if e.received_at >= inputs_received_at})
    for received_by in candidates:
        known = {event_id: e for event_id, e in events.items() if e.received_at <= received_by}
        if not _implies(settle_timeline(build_timeline(timeline.shipment_id, known), contracts), item_id):
            return received_by
    # Nothing received since its own inputs: a split took those inputs to another shipment.
    return inputs_received_at


def _implies(settled: Settled, item_id: str) -> bool:
    return any(e.entry_id == item_id for e in settled.entries) or any(c.contribution_id == item_id for c in settled.contributions)


def _entry_message(entry: SettlementEntry) -> ToTurnover:
    return _entry_message_from(entry.model_dump(mode="json"))


def _entry_message_from(raw: dict[str, Any]) -> ToTurnover:
    return ToTurnover(routing_key(raw["contract_id"], raw["payer"]), {"kind": "entry", "entry": raw})


def _contribution_message(c: Contribution) -> ToTurnover:
    return _contribution_message_from(c.contribution_id, c.as_json())


def _contribution_message_from(contribution_id: str, raw: dict[str, Any]) -> ToTurnover:
    return ToTurnover(routing_key(raw["contract_id"], raw["payer"]), {"kind": "contribution", "contribution_id": contribution_id, **raw})


def merge_emitted(into: dict[str, Any] | None, other: dict[str, Any] | None) -> dict[str, Any] | None:
    """A merged shipment carries over what its source already emitted, so nothing is sent twice
    and an accrual the merged timeline no longer implies is still reversed."""
    if not other:
        return into
    into = into or {}
    return {
        "entries": {**other.get("entries", {}), **into.get("entries", {})},
        "contributions": {**other.get("contributions", {}), **into.get("contributions", {})},
    }


def split_emitted(emitted: dict[str, Any] | None, orders: set[str]) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """(what stays, what leaves): the memory of money settled for `orders`, which leave this
    shipment in a split, goes with their events; the rest stays."""
    if not emitted or not orders:
        return emitted, None
    kept: dict[str, Any] = {"entries": {}, "contributions": {}}
    moved: dict[str, Any] = {"entries": {}, "contributions": {}}
    for part in ("entries", "contributions"):
        for item_id, raw in emitted.get(part, {}).items():
            (moved if raw.get("subject") in orders else kept)[part][item_id] = raw
    return kept, (moved if moved["entries"] or moved["contributions"] else None)


def resend_messages(emitted: dict[str, Any] | None) -> list[ToTurnover]:
    """Everything a shipment already sent to hub.turnover, to send again after a repeat."""
    if not emitted:
        return []
    return [_entry_message_from(raw) for raw in emitted.get("entries", {}).values()] + [
        _contribution_message_from(cid, raw) for cid, raw in emitted.get("contributions", {}).items()
    ]
