"""The hub's settlement entries set beside the oracle's (tests/support/settlement_oracle.py),
entry by entry: what arrival order may change taken out, what it may not kept."""

from __future__ import annotations

import hashlib
import json
from collections import Counter

from tests.support import settlement_oracle


def _entry_hash(contract_id: str, version: int, kind: str, subject: str, cause: str) -> str:
    return "ent_" + hashlib.sha256("\x1f".join([contract_id, str(version), kind, subject, cause]).encode()).hexdigest()[:32]


def documented_entry_id(e: dict) -> str:
    """docs/architecture.md: entry_id = sha256(contract, version, kind, subject, cause), worked
    out here with hashlib rather than by the hub's make_entry_id. A late entry, booked as an
    adjustment, has for its cause the kind it would have had and its trigger event."""
    cause = e["cause"]
    if e["kind"] == "adjustment":
        cause = f"{'reversal' if e.get('reverses') else 'accrual'}:{e['trigger_event_id'] or e['cause']}"
    return _entry_hash(e["contract_id"], e["contract_version"], e["kind"], e["subject"], cause)


def _withdrawal(e: dict) -> bool:
    """A reversal no event triggered: the accrual it reverses is no longer implied."""
    return bool(e.get("reverses")) and e["trigger_event_id"] is None


def _accrual_of(e: dict) -> str:
    """The shipment-side accrual an entry is about: itself, the one it reverses, or, booked late
    as an adjustment, the accrual it was before."""
    if e.get("reverses"):
        return e["reverses"]
    if e["kind"] == "adjustment":
        return _entry_hash(e["contract_id"], e["contract_version"], "accrual", e["subject"], e["cause"])
    return e["entry_id"]


def share_entries(entries: dict[str, bytes]) -> Counter:
    """The share entries one by one, as the oracle states them: (contract, payer, payee, period,
    kind, subject, amount, VAT, basis), after taking out each accrual an intermediate state
    implied and a later input withdrew, with its withdrawal (a reversal no event triggered): the
    two differ with arrival order and must net to zero, amount and VAT. A reversal triggered by
    a return stays, and must reverse an accrual that stays."""
    parsed = {entry_id: json.loads(value) for entry_id, value in entries.items()}
    for entry_id, e in parsed.items():
        assert entry_id == e["entry_id"] == documented_entry_id(e), e
    shares = [e for e in parsed.values() if e["kind"] != "period_fee"]
    withdrawn = {e["reverses"] for e in shares if _withdrawal(e)}
    for accrual_id in withdrawn:
        pair = [e for e in shares if _accrual_of(e) == accrual_id and (_withdrawal(e) or not e.get("reverses"))]
        assert len(pair) == 2 and sum(e["amount_minor"] for e in pair) == 0 and sum(e["vat_minor"] for e in pair) == 0, pair
    kept = [e for e in shares if _accrual_of(e) not in withdrawn or (e.get("reverses") and not _withdrawal(e))]
    accruals = {_accrual_of(e): e for e in kept if not e.get("reverses")}
    for e in kept:
        if e.get("reverses"):
            assert e["reverses"] in accruals and accruals[e["reverses"]]["amount_minor"] == -e["amount_minor"], e
    return Counter(
        (e["contract_id"], e["payer"], e["payee"], e["period"], e["kind"], e["subject"], e["amount_minor"], e["vat_minor"], e["basis_minor"])
        for e in kept
    )


def oracle_entries(expected: list[settlement_oracle.Entry]) -> Counter:
    return Counter(
        (e.contract_id, e.payer, e.payee, e.period, e.kind, e.subject, e.amount_minor, e.vat_minor, e.basis_minor) for e in expected
    )
