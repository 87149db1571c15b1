"""Per contract and payer (`hub.turnover`): final entries, statements, period closes and fees.

A contract and payer is two kinds of table value. Its **summary**, under its own key, is small
whatever the number of shipments: the periods closed, each period's turnover and statement
totals (per payee and currency, per kind of entry), and the period fees. Each entry and
contribution it booked is a value of its own, an **item** under `item_key(key, id)`, read only
to recognise a repeat. (One value holding every entry and contribution grew with every
shipment of the quarter: each message read and wrote all of it, 3 ms a message at 5,000
shipments, and a large payer's quarter would outgrow a Kafka record.)

Updates are idempotent: an item is booked once, under its id, and only a new item adds to the
summary; a message handled twice finds its item and changes nothing. A message's summary and
items are two table writes, so a crash can keep the first without the second: the agent writes
the summary first, and the summary names the position (`partition:offset`) of the last message
it counted (`applied`). That message read again after a crash finds its item missing but its
counts in: it stores the item again and counts nothing twice.

The handlers are pure: `booked` is a read-only mapping of item id to booked item (the agent's
is the table; a test's a dict), and what they book comes back as new items to store.
"""

from __future__ import annotations

from collections.abc import Mapping
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
# {"closed": {period: cutoff}, "turnover": {period: minor}, "fees": {period: [fee entry JSON]},
#  "statements": {period: {payee: {currency: {"totals": {kind: minor}, "counts": {kind: n}, "vat_minor": n}}}}}
Item = dict[str, Any]  # a booked entry's JSON, or a booked contribution {"period", "minor", "original_period"?}
Booked = Mapping[str, Item]

# Between a contract-and-payer key and an item id in an item's key. Neither contract ids, nor
# payers, nor the hub's entry and contribution ids contain it.
ITEM_SEPARATOR = "#"


def item_key(key: str, item_id: str) -> str:
    return f"{key}{ITEM_SEPARATOR}{item_id}"


def is_summary_key(key: bytes) -> bool:
    """A contract and payer's summary (not an item, nor a partition's record of closes)."""
    return b"|" in key and ITEM_SEPARATOR.encode() not in key


@dataclass(frozen=True)
class Outputs:
    entries: list[SettlementEntry]
    statements: list[Statement]


def _state(state: State | None) -> State:
    state = dict(state or {})
    for part in ("closed", "turnover", "fees", "statements"):
        state[part] = dict(state.get(part) or {})
    return state


def split_legacy(state: State | None) -> tuple[State | None, dict[str, Item]]:
    """A value written before summaries and items (every entry and contribution in it): its
    summary, and its items to store. Any other value is returned as it is, with no items."""
    if not state or ("entries" not in state and "contributions" not in state):
        return state, {}
    summary = _state({"closed": state.get("closed")})
    items: dict[str, Item] = {}
    for contribution_id, booked in (state.get("contributions") or {}).items():
        items[contribution_id] = booked
        _add_turnover(summary, booked)
    for entry_id, entry in (state.get("entries") or {}).items():
        if entry["kind"] == EntryKind.PERIOD_FEE:
            summary["fees"].setdefault(entry["period"], []).append(entry)
        else:
            items[entry_id] = entry
        _add_to_statement(summary, entry)
    return summary, items


def on_entry(state: State | None, booked: Booked, entry: SettlementEntry,
             closes: dict[str, str] | None = None, position: str | None = None) -> tuple[State, dict[str, Item], Outputs]:
    """An accrual or reversal from a shipment: booked in its period, or as a late adjustment.

    `closes` (period → cutoff) are every close published before the entry's inputs were
    received (hub/kafka/control_follower.py); without it, the closes this state has seen.
    """
    state = _state(state)
    before = booked.get(entry.entry_id)
    if before is not None:
        # Booked before: a repeat re-emits exactly that, even if the period has closed since.
        return state, {}, Outputs([SettlementEntry.model_validate(before)], [])
    final = _book(entry, state["closed"] if closes is None else closes)
    before = booked.get(final.entry_id)
    if before is not None:
        # A repeat: re-emit exactly what was emitted before.
        return state, {}, Outputs([SettlementEntry.model_validate(before)], [])
    item = final.model_dump(mode="json")
    if not _counted(state, position):
        _add_to_statement(state, item)
    return state, {final.entry_id: item}, Outputs(
        [final], [_statement(state, final.contract_id, final.payer, final.payee, final.period, final.currency)])


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
    # The entry's own cause names its trigger and sightings, so two accruals of one trigger
    # (a sighting preferred later) stay two adjustments. Entries made before sightings were
    # part of causes (no "@") keep the adjustment id they had: their trigger event.
    cause = entry.cause if "@" in entry.cause else (entry.trigger_event_id or entry.cause)
    return entry.model_copy(update=dict(
        entry_id=make_entry_id(entry.contract_id, entry.contract_version, EntryKind.ADJUSTMENT, entry.subject, f"{entry.kind}:{cause}"),
        kind=EntryKind.ADJUSTMENT, period=period, original_period=entry.period,
    ))


def _after_cutoff(received_at: datetime, cutoff: str | None) -> bool:
    return cutoff is not None and received_at > datetime.fromisoformat(cutoff)


def on_contribution(state: State | None, booked: Booked, contribution: dict[str, Any],
                    position: str | None = None) -> tuple[State, dict[str, Item]]:
    """A shipment's part of the payer's turnover, booked in its period; if that period has
    closed (a late input), in the earliest period not yet closed, like a late entry, so it
    still reaches a fee. A contribution seen before keeps its first booking: a repeat after
    the close is not late, and is not booked twice."""
    state = _state(state)
    contribution_id = contribution["contribution_id"]
    if booked.get(contribution_id) is not None:
        return state, {}
    period = contribution["period"]
    item: Item = {"period": period, "minor": contribution["minor"]}
    if period in state["closed"]:
        while item["period"] in state["closed"]:
            item["period"] = next_period(item["period"])
        item["original_period"] = period
    if not _counted(state, position):
        _add_turnover(state, item)
    return state, {contribution_id: item}


def _counted(state: State, position: str | None) -> bool:
    """Whether the summary already counts the message at `position` (read again after a crash
    that kept the summary and lost its item); marks it counted otherwise."""
    if position is not None and state.get("applied") == position:
        return True
    if position is not None:
        state["applied"] = position
    return False


def _add_turnover(state: State, contribution: Item) -> None:
    period = contribution["period"]
    state["turnover"][period] = state["turnover"].get(period, 0) + contribution["minor"]


def _add_to_statement(state: State, entry: Item) -> None:
    """Count a new entry into its period's statement totals (copies all the way down: a state
    read from the table is never changed in place)."""
    period, payee, currency, kind = entry["period"], entry["payee"], entry["currency"], entry["kind"]
    by_payee = dict(state["statements"].get(period, {}))
    by_currency = dict(by_payee.get(payee, {}))
    current = by_currency.get(currency, {"totals": {}, "counts": {}, "vat_minor": 0})
    by_currency[currency] = {
        "totals": {**current["totals"], kind: current["totals"].get(kind, 0) + entry["amount_minor"]},
        "counts": {**current["counts"], kind: current["counts"].get(kind, 0) + 1},
        "vat_minor": current["vat_minor"] + entry["vat_minor"],
    }
    by_payee[payee] = by_currency
    state["statements"][period] = by_payee


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
        fees = [SettlementEntry.model_validate(e) for e in state["fees"].get(period, [])]
        return state, Outputs(fees, _period_statements(state, contract_id, payer, period))
    state["closed"][period] = cutoff.isoformat()
    entries: list[SettlementEntry] = []
    versions = [c for c in contracts.contracts if c.id == contract_id]
    if versions and isinstance(versions[0], PeriodTurnoverFee):
        fee = _period_fee(state, versions, payer, period, cutoff, contracts)
        known = state["fees"].get(period, [])
        if fee is not None and all(f["entry_id"] != fee.entry_id for f in known):
            item = fee.model_dump(mode="json")
            state["fees"][period] = [*known, item]
            _add_to_statement(state, item)
            entries.append(fee)
    return state, Outputs(entries, _period_statements(state, contract_id, payer, period))


def close_sweep(owned: dict[bytes, State | None], period: str, cutoff: datetime, contracts: ContractSet) -> list[tuple[bytes, State, Outputs]]:
    """A period close on one partition of hub.turnover: each contract-and-payer summary of the
    partition (`owned`: its table entries), closed in key order, with what each close emits.
    The partition's other entries (items, the closes it has seen) are left alone."""
    return [(key, *on_close(owned[key], key.decode(), period, cutoff, contracts)) for key in sorted(owned) if is_summary_key(key)]


def _period_statements(state: State, contract_id: str, payer: str, period: str) -> list[Statement]:
    by_payee = state["statements"].get(period, {})
    return [
        _statement(state, contract_id, payer, payee, period, currency)
        for payee in sorted(by_payee) for currency in sorted(by_payee[payee])
    ]


def turnover(state: State, period: str) -> int:
    return state["turnover"].get(period, 0)


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
    sums = state["statements"].get(period, {}).get(payee, {}).get(currency, {"totals": {}, "counts": {}, "vat_minor": 0})
    totals = {kind: sums["totals"].get(kind, 0) for kind in EntryKind}
    counts = {kind: sums["counts"].get(kind, 0) for kind in EntryKind}
    cutoff = state["closed"].get(period)
    return Statement(
        contract_id=contract_id, payer=payer, payee=payee, period=period, currency=currency,
        totals=totals, counts=counts, net_minor=sum(totals.values()), vat_minor=sums["vat_minor"],
        state=StatementState.CLOSED if cutoff else StatementState.OPEN, cutoff=cutoff,
    )
