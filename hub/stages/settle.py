"""Settle: what a shipment's new timeline owes, as the difference from what it already sent.

Runs in the timeline stage (keyed by shipment id); entries and turnover contributions go to
`hub.turnover`, keyed by contract and payer, where they are booked into periods and
statements (hub/settlement/turnover.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from hub.settlement.contracts import ContractSet
from hub.settlement.emitted import difference
from hub.settlement.shipment_share import Contribution, Withheld, routing_key, settle_timeline
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
    now = timeline.last_event_at or timeline.events[-1].occurred_at
    emitted, entries, contributions = difference(state.get("settled"), settled, now, lambda cid: zones.get(cid, ZoneInfo("Europe/Moscow")))
    new_state = {**state, "settled": emitted}
    sends = [_entry_message(e) for e in entries] + [_contribution_message(c) for c in contributions]
    return new_state, sends, settled.withheld


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
