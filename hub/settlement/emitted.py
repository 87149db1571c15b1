"""The timeline stage's memory of what it already sent to settlement, and the difference to send.

Kept per shipment beside its events. Only the difference between what the timeline now
implies and what was emitted goes out: an accrual that is no longer implied (its trigger
or basis changed) is reversed, never edited.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from hub.settlement.shipment_share import Contribution, Settled, legacy_contribution_id, reversal_of
from schemas.settlement import EntryKind, SettlementEntry, make_entry_id

Emitted = dict[str, Any]  # {"entries": {entry_id: entry JSON}, "contributions": {id: contribution JSON}}


# Given the id of something emitted before and the receipt time of its own inputs, the
# receipt time of the input that withdrew it (hub/stages/settle.py:withdrawn_at).
WithdrawnAt = Callable[[str, datetime], datetime]


def difference(
    emitted: Emitted | None, settled: Settled, withdrawn_at: WithdrawnAt, zone_of,
) -> tuple[Emitted, list[SettlementEntry], list[Contribution]]:
    """New entries and contributions to send, and the updated memory.

    What the timeline implies and was not sent goes out. What was sent and is no longer
    implied is cancelled, never edited: an accrual by a withdrawal (a reversal no event
    triggered), a reversal of an entry still implied by a reversal of that reversal (the
    return it stood for left the timeline, or a sighting of it preferred later gave another
    reversal), a contribution by its negative. `withdrawn_at` dates a cancellation by the
    inputs that caused it (never the wall clock, nor the order this worker read them in, so a
    replay agrees byte for byte); `zone_of(contract_id)` gives a contract's zone for its period.
    """
    emitted = emitted or {}
    sent_entries = dict(emitted.get("entries", {}))
    sent_contributions = dict(emitted.get("contributions", {}))
    wanted = _as_sent_before(sent_entries, {e.entry_id: e for e in settled.entries})
    entries = [entry for entry_id, entry in wanted.items() if entry_id not in sent_entries]
    reversals_of: dict[str, list[str]] = {}
    for entry_id, raw in sent_entries.items():
        if raw.get("reverses"):
            reversals_of.setdefault(raw["reverses"], []).append(entry_id)
    for entry in entries:
        if entry.reverses:
            reversals_of.setdefault(entry.reverses, []).append(entry.entry_id)

    def in_force(entry_id: str) -> bool:
        """Sent, and not cancelled by a reversal that is itself in force."""
        return not any(in_force(r) for r in reversals_of.get(entry_id, ()))

    def cancel(entry_id: str, raw: dict[str, Any]) -> None:
        entry = SettlementEntry.model_validate(raw)
        received = withdrawn_at(entry_id, entry.inputs_received_at)
        cancelling = reversal_of(entry, None, entry.occurred_at, received, zone_of(entry.contract_id))
        entries.append(cancelling)
        reversals_of.setdefault(entry_id, []).append(cancelling.entry_id)

    for entry_id, raw in sorted(sent_entries.items()):
        if raw["kind"] == EntryKind.REVERSAL and entry_id not in wanted and raw["reverses"] in wanted and in_force(entry_id):
            cancel(entry_id, raw)
    for entry_id, raw in sorted(sent_entries.items()):
        if raw["kind"] == EntryKind.ACCRUAL and entry_id not in wanted and in_force(entry_id):
            cancel(entry_id, raw)
    for entry in entries:
        sent_entries[entry.entry_id] = entry.model_dump(mode="json")
    contributions: list[Contribution] = []
    wanted_contributions = {c.contribution_id: c for c in (_contribution_as_sent_before(sent_contributions, c) for c in settled.contributions)}
    for cid, contribution in wanted_contributions.items():
        if cid not in sent_contributions:
            contributions.append(contribution)
    for cid, raw in sorted(sent_contributions.items()):
        if cid not in wanted_contributions and not cid.startswith("wdr_") and f"wdr_{cid}" not in sent_contributions:
            received = withdrawn_at(cid, datetime.fromisoformat(raw["received_at"]))
            contributions.append(Contribution(f"wdr_{cid}", raw["contract_id"], raw["payer"], raw["period"], -raw["minor"], received,
                                              raw.get("subject", "")))
    for contribution in contributions:
        sent_contributions[contribution.contribution_id] = contribution.as_json()
    return {"entries": sent_entries, "contributions": sent_contributions}, entries, contributions


# Before receipt times and amounts were part of ids (hub/settlement/shipment_share.py:sighting),
# an entry's cause was what now precedes the "@". A shipment settled then keeps what it sent:
# an entry implied now, with the same content as one sent under the older id, is that entry.


def _as_sent_before(sent: Emitted, wanted: dict[str, SettlementEntry]) -> dict[str, SettlementEntry]:
    aliased: dict[str, str] = {}  # id now -> the older id it was sent under
    result: dict[str, SettlementEntry] = {}
    for entry_id, entry in wanted.items():  # accruals come before the reversals of them
        if entry_id not in sent and entry.reverses in aliased:
            entry = _reversing(entry, aliased[entry.reverses])
        older = _older_id(entry)
        if entry.entry_id not in sent and older in sent and _same_but_id(sent[older], entry):
            aliased[entry_id] = older
            entry = SettlementEntry.model_validate(sent[older])
        result[entry.entry_id] = entry
    return result


def _older_id(entry: SettlementEntry) -> str | None:
    cause, at, _ = entry.cause.partition("@")
    return make_entry_id(entry.contract_id, entry.contract_version, entry.kind, entry.subject, cause) if at else None


def _same_but_id(raw: dict[str, Any], entry: SettlementEntry) -> bool:
    mine = entry.model_dump(mode="json")
    return {k: v for k, v in raw.items() if k not in ("entry_id", "cause")} == {
        k: v for k, v in mine.items() if k not in ("entry_id", "cause")} and raw["cause"] == mine["cause"].partition("@")[0]


def _reversing(reversal: SettlementEntry, accrual_id: str) -> SettlementEntry:
    """`reversal`, of the accrual sent under its older id `accrual_id`."""
    cause = f"{accrual_id}@{reversal.cause.partition('@')[2]}"
    return reversal.model_copy(update=dict(
        entry_id=make_entry_id(reversal.contract_id, reversal.contract_version, reversal.kind, reversal.subject, cause),
        cause=cause, reverses=accrual_id))


def _contribution_as_sent_before(sent: dict[str, Any], c: Contribution) -> Contribution:
    older = legacy_contribution_id(c)
    if c.contribution_id not in sent and older in sent and sent[older] == c.as_json():
        return replace(c, contribution_id=older)
    return c
