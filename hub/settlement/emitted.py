"""The timeline stage's memory of what it already sent to settlement, and the difference to send.

Kept per shipment beside its events. Only the difference between what the timeline now
implies and what was emitted goes out: an accrual that is no longer implied (its trigger
or basis changed) is reversed, never edited.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from hub.settlement.shipment_share import Contribution, Settled, reversal_of
from schemas.settlement import EntryKind, SettlementEntry

Emitted = dict[str, Any]  # {"entries": {entry_id: entry JSON}, "contributions": {id: contribution JSON}}


# Given the id of something emitted before and the receipt time of its own inputs, the
# receipt time of the input that withdrew it (hub/stages/settle.py:withdrawn_at).
WithdrawnAt = Callable[[str, datetime], datetime]


def difference(
    emitted: Emitted | None, settled: Settled, withdrawn_at: WithdrawnAt, zone_of,
) -> tuple[Emitted, list[SettlementEntry], list[Contribution]]:
    """New entries and contributions to send, and the updated memory.

    `withdrawn_at` dates a withdrawal by the inputs that caused it (never the wall clock, nor
    the order this worker read them in, so a replay agrees byte for byte);
    `zone_of(contract_id)` gives a contract's zone for the period of a withdrawn accrual.
    """
    emitted = emitted or {}
    sent_entries = dict(emitted.get("entries", {}))
    sent_contributions = dict(emitted.get("contributions", {}))
    entries: list[SettlementEntry] = []
    contributions: list[Contribution] = []
    wanted = {e.entry_id: e for e in settled.entries}
    for entry_id, entry in wanted.items():
        if entry_id not in sent_entries:
            entries.append(entry)
    reversed_ids = {e["reverses"] for e in sent_entries.values() if e.get("reverses")} | {
        e.reverses for e in entries if e.reverses
    }
    for entry_id, raw in sorted(sent_entries.items()):
        if raw["kind"] == EntryKind.ACCRUAL and entry_id not in wanted and entry_id not in reversed_ids:
            accrual = SettlementEntry.model_validate(raw)
            # Withdrawn, not reversed by an event: cancelled in its own period (an
            # adjustment in the earliest open one if that period has closed since).
            received = withdrawn_at(entry_id, accrual.inputs_received_at)
            entries.append(reversal_of(accrual, None, accrual.occurred_at, received, zone_of(accrual.contract_id)))
    for entry in entries:
        sent_entries[entry.entry_id] = entry.model_dump(mode="json")
    wanted_contributions = {c.contribution_id: c for c in settled.contributions}
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
