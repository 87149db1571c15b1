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
    adjustment, has for its cause the kind it would have had and its own cause (before
    sightings were part of causes, with no "@" in them: its trigger event)."""
    cause = e["cause"]
    if e["kind"] == "adjustment":
        cause = f"{_kind_before_booking(e)}:{cause if '@' in cause else e['trigger_event_id'] or cause}"
    return _entry_hash(e["contract_id"], e["contract_version"], e["kind"], e["subject"], cause)


def _kind_before_booking(e: dict) -> str:
    return "reversal" if e.get("reverses") else "accrual"


def _withdrawal(e: dict) -> bool:
    """A reversal no event triggered: the entry it reverses is no longer implied."""
    return bool(e.get("reverses")) and e["trigger_event_id"] is None


def shipment_side_id(e: dict) -> str:
    """The id an entry had as the shipment sent it: its own, or, booked late as an adjustment,
    the accrual's or reversal's it was before."""
    if e["kind"] == "adjustment":
        return _entry_hash(e["contract_id"], e["contract_version"], _kind_before_booking(e), e["subject"], e["cause"])
    return e["entry_id"]


def share_entries(entries: dict[str, bytes]) -> Counter:
    """The share entries one by one, as the oracle states them: (contract, payer, payee, period,
    kind, subject, amount, VAT, basis), after taking out each entry an intermediate state
    implied and a later input withdrew (an accrual, or the reversal a return gave when the
    return left the timeline or a sighting of it preferred later replaced it), with its
    withdrawal (a reversal no event triggered): the two differ with arrival order and must net
    to zero, amount and VAT. A withdrawal can itself be withdrawn (the entry is implied again),
    which puts its entry back. A reversal triggered by a return stays, and must reverse an
    accrual that stays."""
    parsed = {entry_id: json.loads(value) for entry_id, value in entries.items()}
    for entry_id, e in parsed.items():
        assert entry_id == e["entry_id"] == documented_entry_id(e), e
    shares = {shipment_side_id(e): e for e in parsed.values() if e["kind"] != "period_fee"}
    withdrawals = {e["reverses"]: e for e in shares.values() if _withdrawal(e)}
    for withdrawn, withdrawal in withdrawals.items():
        pair = [shares[withdrawn], withdrawal]
        assert sum(e["amount_minor"] for e in pair) == 0 and sum(e["vat_minor"] for e in pair) == 0, pair

    def in_force(e: dict) -> bool:
        withdrawal = withdrawals.get(shipment_side_id(e))
        return withdrawal is None or not in_force(withdrawal)

    kept = [e for e in shares.values() if in_force(e) and not _withdrawal(e)]
    accruals = {shipment_side_id(e): e for e in kept if not e.get("reverses")}
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
