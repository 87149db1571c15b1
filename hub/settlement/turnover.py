"""Per contract and payer (`hub.turnover`): final entries, statements, period closes and fees.

Pure handlers over one key's state: `{"entries": {id: entry}, "contributions": {id: ...},
"closed": {period: cutoff}}`. Updates are idempotent: everything is kept under its id and
summed when read, never added in place, so a message handled twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from hub.settlement.contracts import ContractSet, PeriodTurnoverFee, effective_version
from hub.settlement.periods import next_period, period_bounds, previous_periods
from hub.settlement.shipment_share import vat_minor
from schemas.money import MINOR_DIGITS, round_to_minor
from schemas.settlement import EntryKind, SettlementEntry, Statement, StatementState, make_entry_id

State = dict[str, Any]


@dataclass(frozen=True)
class Outputs:
    entries: list[SettlementEntry]
    statements: list[Statement]


def _state(state: State | None) -> State:
    state = dict(state or {})
    state.setdefault("entries", {})
    state.setdefault("contributions", {})
    state.setdefault("closed", {})
    return {k: dict(v) for k, v in state.items()}


def on_entry(state: State | None, entry: SettlementEntry, closes: dict[str, str] | None = None) -> tuple[State, Outputs]:
    """An accrual or reversal from a shipment: booked in its period, or as a late adjustment.

    `closes` (period → cutoff) are every close published before the entry's inputs were
    received (hub/kafka/control_follower.py); without it, the closes this state has seen.
    """
    state = _state(state)
    if entry.entry_id in state["entries"]:
        # Booked before: a repeat re-emits exactly that, even if the period has closed since.
        return state, Outputs([SettlementEntry.model_validate(state["entries"][entry.entry_id])], [])
    final = _book(entry, state["closed"] if closes is None else closes)
    if final.entry_id in state["entries"]:
        # A repeat: re-emit exactly what was emitted before.
        stored = SettlementEntry.model_validate(state["entries"][final.entry_id])
        return state, Outputs([stored], [])
    state["entries"][final.entry_id] = final.model_dump(mode="json")
    return state, Outputs([final], [_statement(state, final.contract_id, final.payer, final.payee, final.period, final.currency)])


def _book(entry: SettlementEntry, closes: dict[str, str]) -> SettlementEntry:
    """Late when its inputs were received after its period's cutoff, decided by time, not by
    which of the entry and the close reached this partition first: the same inputs and closes
    give the same entry on a replay (docs/architecture.md#periods-and-closes)."""
    if not _after_cutoff(entry.inputs_received_at, closes.get(entry.period)):
        return entry
    # Late: an adjustment in the earliest period of this contract that was not closed yet
    # when the inputs arrived.
    period = next_period(entry.period)
    while _after_cutoff(entry.inputs_received_at, closes.get(period)):
        period = next_period(period)
    cause = entry.trigger_event_id or entry.cause
    return entry.model_copy(update=dict(
        entry_id=make_entry_id(entry.contract_id, entry.contract_version, EntryKind.ADJUSTMENT, entry.subject, f"{entry.kind}:{cause}"),
        kind=EntryKind.ADJUSTMENT, period=period, original_period=entry.period,
    ))


def _after_cutoff(received_at: datetime, cutoff: str | None) -> bool:
    return cutoff is not None and received_at > datetime.fromisoformat(cutoff)


def on_contribution(state: State | None, contribution: dict[str, Any]) -> State:
    """A shipment's part of the payer's turnover, booked in its period; if that period has
    closed (a late input), in the earliest period not yet closed, like a late entry, so it
    still reaches a fee. A contribution seen before keeps its first booking: a repeat after
    the close is not late, and is not booked twice."""
    state = _state(state)
    contribution_id = contribution["contribution_id"]
    if contribution_id in state["contributions"]:
        return state
    period = contribution["period"]
    booked: dict[str, Any] = {"period": period, "minor": contribution["minor"]}
    if period in state["closed"]:
        while booked["period"] in state["closed"]:
            booked["period"] = next_period(booked["period"])
        booked["original_period"] = period
    state["contributions"][contribution_id] = booked
    return state


def remember_close(closes: dict[str, str] | None, period: str, cutoff: datetime) -> dict[str, str]:
    """A partition's record of the periods closed on it (the first cutoff stands, as in on_close)."""
    closes = dict(closes or {})
    closes.setdefault(period, cutoff.isoformat())
    return closes


def with_closes(state: State | None, closes: dict[str, str] | None) -> State | None:
    """A contract and payer's state knowing every close its partition has seen: a key first
    met after a close (a payer's first entry of the year) must book into it as late too."""
    if not closes:
        return state
    state = _state(state)
    for period, cutoff in closes.items():
        state["closed"].setdefault(period, cutoff)
    return state


def on_close(state: State | None, key: str, period: str, cutoff: datetime, contracts: ContractSet) -> tuple[State, Outputs]:
    """Close `period` for this contract and payer: a period fee if one is owed, statements closed."""
    state = _state(state)
    contract_id, payer = key.split("|", 1)
    if period in state["closed"]:
        # Closed before: re-emit the period's fee and statements, which a crash may have lost.
        fees = [SettlementEntry.model_validate(e) for e in state["entries"].values()
                if e["kind"] == EntryKind.PERIOD_FEE and e["period"] == period]
        return state, Outputs(fees, _period_statements(state, contract_id, payer, period))
    state["closed"][period] = cutoff.isoformat()
    entries: list[SettlementEntry] = []
    versions = [c for c in contracts.contracts if c.id == contract_id]
    if versions and isinstance(versions[0], PeriodTurnoverFee):
        fee = _period_fee(state, versions, payer, period, cutoff, contracts)
        if fee is not None and fee.entry_id not in state["entries"]:
            state["entries"][fee.entry_id] = fee.model_dump(mode="json")
            entries.append(fee)
    return state, Outputs(entries, _period_statements(state, contract_id, payer, period))


def close_sweep(owned: dict[bytes, State | None], period: str, cutoff: datetime, contracts: ContractSet) -> list[tuple[bytes, State, Outputs]]:
    """A period close on one partition of hub.turnover: each contract-and-payer state of the
    partition (`owned`: its table entries), closed in key order, with what each close emits.
    The partition's other entries (the closes it has seen) are left alone."""
    return [(key, *on_close(owned[key], key.decode(), period, cutoff, contracts)) for key in sorted(owned) if b"|" in key]


def _period_statements(state: State, contract_id: str, payer: str, period: str) -> list[Statement]:
    return [
        _statement(state, contract_id, payer, payee, period, currency)
        for payee, currency in sorted({(e["payee"], e["currency"]) for e in state["entries"].values() if e["period"] == period})
    ]


def turnover(state: State, period: str) -> int:
    return sum(c["minor"] for c in state["contributions"].values() if c["period"] == period)


def _period_fee(state: State, versions: list, payer: str, period: str, cutoff: datetime, contracts: ContractSet) -> SettlementEntry | None:
    head = versions[0]
    _, end = period_bounds(period, head.zone)
    contract: PeriodTurnoverFee | None = effective_version(versions, head.id, end - timedelta(seconds=1))
    if contract is None or payer not in contract.payers:
        return None
    net = turnover(state, period)
    if contract.revenue_basis == "declared":
        revenue = contract.declared_annual_revenue_minor.get(payer, 0)
    else:
        revenue = sum(turnover(state, p) for p in previous_periods(period, 4))
    if revenue <= contract.threshold_minor or net <= 0:
        return None
    amount_major = Decimal(net) / (Decimal(10) ** MINOR_DIGITS.get(contract.currency, 2)) * contract.rate
    return SettlementEntry(
        # The subject names the payer too: one fee contract has several payers per period.
        entry_id=make_entry_id(contract.id, contract.version, EntryKind.PERIOD_FEE, f"{period}/{payer}", period),
        kind=EntryKind.PERIOD_FEE, contract_id=contract.id, contract_version=contract.version, contract_hash=contracts.hash_for(contract),
        payer=payer, payee=contract.payee, subject=f"{period}/{payer}", cause=period, period=period,
        basis_minor=net, basis_currency=contract.currency, rate=str(contract.rate),
        amount_minor=round_to_minor(amount_major, contract.currency, contract.rounding),
        vat_minor=vat_minor(amount_major, contract, contract.currency), currency=contract.currency,
        occurred_at=end, inputs_received_at=cutoff,
    )


def _statement(state: State, contract_id: str, payer: str, payee: str, period: str, currency: str) -> Statement:
    mine = [e for e in state["entries"].values() if e["payee"] == payee and e["period"] == period]
    totals = {kind: sum(e["amount_minor"] for e in mine if e["kind"] == kind) for kind in EntryKind}
    counts = {kind: sum(1 for e in mine if e["kind"] == kind) for kind in EntryKind}
    cutoff = state["closed"].get(period)
    return Statement(
        contract_id=contract_id, payer=payer, payee=payee, period=period, currency=currency,
        totals=totals, counts=counts, net_minor=sum(totals.values()), vat_minor=sum(e["vat_minor"] for e in mine),
        state=StatementState.CLOSED if cutoff else StatementState.OPEN, cutoff=cutoff,
    )
