"""What a shipment's timeline implies in money: share accruals and reversals, turnover contributions.

Pure: a timeline's events and the contracts in, entries out. The timeline stage keeps what it
already emitted and sends only the difference, so the set of entries depends only on the
events, never on the order they arrived in.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from hub.settlement.contracts import ContractSet, PeriodTurnoverFee, ShipmentShare, VatMode, effective_version
from hub.settlement.periods import period_of
from schemas import AmountKind, CanonicalEvent, DeadLetterReason, PartnerKind, Status
from schemas.money import MINOR_DIGITS, Rounding, round_to_minor
from schemas.settlement import EntryKind, SettlementEntry, make_entry_id
from schemas.timeline import Timeline

CARRIER_KINDS = {PartnerKind.POST, PartnerKind.COURIER, PartnerKind.PICKUP_POINT, PartnerKind.LOGISTICS_PLATFORM}


@dataclass(frozen=True)
class Basis:
    """The order value a shipment carries, and the event that said so."""

    subject: str  # the order reference (or the parcel, when the partner names no order)
    minor: int
    currency: str
    event: CanonicalEvent


@dataclass(frozen=True)
class Contribution:
    """A shipment's part of a payer's turnover in a period: + when delivered, - when returned."""

    contribution_id: str
    contract_id: str
    payer: str
    period: str
    minor: int
    received_at: datetime
    subject: str = ""  # the order reference whose value it counts
    # What the id was made of, kept to recognise one emitted before sightings were part of it.
    cause: str = ""

    def as_json(self) -> dict:
        """As kept in the emitted memory and sent to hub.turnover (the id travels beside it)."""
        return {"contract_id": self.contract_id, "payer": self.payer, "period": self.period,
                "minor": self.minor, "received_at": self.received_at.isoformat(), "subject": self.subject}


@dataclass(frozen=True)
class Withheld:
    """Money a contract implies that cannot be worked out: withheld (dead-lettered with `reason`),
    never settled at zero. `event` is the trigger; `detail` says what is missing."""

    contract_id: str
    event: CanonicalEvent
    reason: DeadLetterReason
    detail: str


@dataclass(frozen=True)
class Settled:
    entries: list[SettlementEntry]
    contributions: list[Contribution]
    withheld: list[Withheld]


def routing_key(contract_id: str, payer: str) -> str:
    """Key of `hub.turnover`: statements and turnover of one payer under one contract live there."""
    return f"{contract_id}|{payer}"


def bases(events: list[CanonicalEvent]) -> list[Basis]:
    """Per order reference, the latest order value a marketplace reported.

    A later report of the same value keeps the first report as the basis, so repeated
    snapshots of an order do not turn one accrual into a reversal and a new accrual.
    """
    latest: dict[str, Basis] = {}
    for event in events:  # sorted by (occurred_at, event_id)
        for amount in event.amounts:
            if amount.kind is not AmountKind.ORDER_VALUE:
                continue
            orders = [str(o) for o in event.order_references()]
            subject = orders[0] if orders else event.subject[0]
            current = latest.get(subject)
            if current is None or (current.minor, current.currency) != (amount.minor, amount.currency):
                latest[subject] = Basis(subject, amount.minor, amount.currency, event)
    return [latest[k] for k in sorted(latest)]


def settle_timeline(timeline: Timeline, contract_set: ContractSet) -> Settled:
    events = list(timeline.events)
    entries: list[SettlementEntry] = []
    contributions: list[Contribution] = []
    missing: list[Withheld] = []
    contract_ids = sorted({c.id for c in contract_set.contracts})
    for basis in bases(events):
        for contract_id in contract_ids:
            versions = [c for c in contract_set.contracts if c.id == contract_id]
            if isinstance(versions[0], ShipmentShare):
                _share(timeline, events, basis, versions, contract_set, entries, missing)
            else:
                _turnover(events, basis, versions, contract_set, contributions, missing)
    return Settled(entries, contributions, missing)


def _first(events: list[CanonicalEvent], statuses: set[Status], after: CanonicalEvent | None = None) -> CanonicalEvent | None:
    for event in events:
        if after is not None and (event.occurred_at, event.event_id) <= (after.occurred_at, after.event_id):
            continue
        if event.status in statuses:
            return event
    return None


def _matches(contract: ShipmentShare, timeline: Timeline, basis: Basis) -> bool:
    f = contract.filters
    if f.marketplace and basis.event.partner not in f.marketplace:
        return False
    carriers = {e.partner for e in timeline.events if e.partner_kind in CARRIER_KINDS}
    if f.carrier and not carriers & set(f.carrier):
        return False
    if f.leg and not {span.leg for span in timeline.legs} & set(f.leg):
        return False
    if f.corridor:
        corridor = timeline.corridor
        if corridor is None:
            return False
        actual = (corridor.origin_country or "?", corridor.destination_country or "?", corridor.destination_city)
        if not any(_corridor_matches(pattern, actual) for pattern in f.corridor):
            return False
    return True


def _corridor_matches(pattern: str, actual: tuple[str, str, str]) -> bool:
    parts = pattern.split("-", 2)
    return all(p == "*" or p == a for p, a in zip(parts, actual, strict=False))


def _convert(basis: Basis, quote: str, on: CanonicalEvent, contract, contract_set: ContractSet) -> tuple[Decimal, Decimal] | None:
    """The basis in the contract's currency (major units, exact) and the FX rate used."""
    rate = contract_set.fx_rate(basis.currency, quote, on.occurred_at.astimezone(contract.zone).date())
    if rate is None:
        return None
    major = Decimal(basis.minor) / (Decimal(10) ** MINOR_DIGITS.get(basis.currency, 2))
    return major * rate, rate


def vat_minor(amount_major: Decimal, contract, currency: str) -> int:
    if contract.vat is VatMode.INCLUDED:
        return round_to_minor(amount_major * contract.vat_rate / (1 + contract.vat_rate), currency, contract.rounding)
    if contract.vat is VatMode.EXCLUDED:
        return round_to_minor(amount_major * contract.vat_rate, currency, contract.rounding)
    return 0


def _share(timeline, events, basis, versions, contract_set, entries, missing) -> None:
    head: ShipmentShare = versions[0]
    trigger = _first(events, {head.trigger})
    if trigger is None:
        return
    contract = effective_version(versions, head.id, trigger.occurred_at)
    if contract is None:
        # The contract's business (its first terms select the shipment), on a day no version of
        # it is in effect: terms are missing, so it is withheld rather than owed nothing.
        if _matches(head, timeline, basis):
            day = trigger.occurred_at.astimezone(head.zone).date()
            missing.append(Withheld(head.id, trigger, DeadLetterReason.NO_CONTRACT, f"no version in effect on {day}"))
        return
    if not _matches(contract, timeline, basis):
        return
    converted = _convert(basis, contract.currency, trigger, contract, contract_set)
    if converted is None:
        missing.append(_fx_missing(contract.id, trigger, basis.currency, contract.currency))
        return
    basis_major, fx = converted
    amount_major = basis_major * contract.rate
    common = dict(
        contract_id=contract.id, contract_version=contract.version, contract_hash=contract_set.hash_for(contract),
        payer=contract.payer, payee=contract.payee, subject=basis.subject,
        basis_minor=round_to_minor(basis_major, contract.currency, contract.rounding), basis_currency=contract.currency,
        rate=str(contract.rate), fx_rate=None if fx == 1 else str(fx), currency=contract.currency,
    )
    # The basis event is part of the cause: a changed order value is a new accrual (after
    # a reversal of the old one), never a second version of the same entry id. So is what
    # the sightings of trigger and basis gave it (see `sighting`).
    received = max(trigger.received_at, basis.event.received_at)
    seen = sighting(trigger.occurred_at.isoformat(), received.isoformat(), basis.minor, basis.currency)
    cause = f"{trigger.event_id}/{basis.event.event_id}@{seen}"
    accrual = SettlementEntry(
        entry_id=make_entry_id(contract.id, contract.version, EntryKind.ACCRUAL, basis.subject, cause),
        kind=EntryKind.ACCRUAL, cause=cause, period=period_of(trigger.occurred_at, contract.zone),
        amount_minor=round_to_minor(amount_major, contract.currency, contract.rounding),
        vat_minor=vat_minor(amount_major, contract, contract.currency),
        occurred_at=trigger.occurred_at, inputs_received_at=received,
        trigger_event_id=trigger.event_id, **common,
    )
    entries.append(accrual)
    reverser = _first(events, set(contract.reverse_on), after=trigger)
    if reverser is not None:
        entries.append(reversal_of(accrual, reverser.event_id, reverser.occurred_at, reverser.received_at, contract.zone))


def sighting(*gave) -> str:
    """A short digest of what the sightings an entry was worked out from gave it.

    One event can be seen twice with different receipt times (a partner's retry, a re-polled
    history; undated snapshots take their time from the receipt), and the hub settles the
    sightings it has read. Null-keyed partner records put a repeat on another partition than
    its original, so one run may settle the repeat first and another the original. With the
    sighting in the cause, an entry id always stands for the same bytes: a sighting preferred
    later gives a new entry, and the one it replaces is reversed (hub/settlement/emitted.py).
    """
    return hashlib.sha256("\x1f".join(str(part) for part in gave).encode()).hexdigest()[:12]


def reversal_of(reversed_entry: SettlementEntry, trigger_event_id: str | None, occurred_at: datetime, received_at: datetime, zone) -> SettlementEntry:
    """The entry that cancels `reversed_entry` (an accrual, or a reversal no longer implied) in
    full, in the period of what reversed it.

    A reversal an event triggered (a return) names that event and the sighting of it in its
    cause; a withdrawal (no trigger: the timeline no longer implies the entry) is caused by
    the entry alone, and is made once.
    """
    received = max(received_at, reversed_entry.inputs_received_at)
    cause = reversed_entry.entry_id if trigger_event_id is None else (
        f"{reversed_entry.entry_id}@{sighting(trigger_event_id, occurred_at.isoformat(), received.isoformat())}")
    return reversed_entry.model_copy(update=dict(
        entry_id=make_entry_id(reversed_entry.contract_id, reversed_entry.contract_version, EntryKind.REVERSAL, reversed_entry.subject, cause),
        kind=EntryKind.REVERSAL, cause=cause, reverses=reversed_entry.entry_id,
        period=period_of(occurred_at, zone), amount_minor=-reversed_entry.amount_minor, vat_minor=-reversed_entry.vat_minor,
        occurred_at=occurred_at, inputs_received_at=received,
        trigger_event_id=trigger_event_id,
    ))


def _turnover(events, basis, versions, contract_set, contributions, missing) -> None:
    head: PeriodTurnoverFee = versions[0]
    if basis.event.partner not in head.payers:
        return
    delivered = _first(events, {Status.DELIVERED})
    if delivered is None:
        return
    converted = _convert(basis, head.currency, delivered, head, contract_set)
    if converted is None:
        missing.append(_fx_missing(head.id, delivered, basis.currency, head.currency))
        return
    minor = round_to_minor(converted[0], head.currency, Rounding.HALF_UP)
    payer = basis.event.partner
    received = max(delivered.received_at, basis.event.received_at)
    # The basis event is part of the id: a changed order value withdraws the old contribution
    # and adds a new one, never leaves the first amount in place; so are the sightings'
    # period, amount and receipt time (see `sighting`).
    contributions.append(_contribution(head.id, payer, basis.subject, f"{delivered.event_id}/{basis.event.event_id}",
                                       period_of(delivered.occurred_at, head.zone), minor, received))
    returned = _first(events, {Status.RETURNED}, after=delivered)
    if returned is not None:
        contributions.append(_contribution(head.id, payer, basis.subject, f"{returned.event_id}/{basis.event.event_id}",
                                           period_of(returned.occurred_at, head.zone), -minor, max(received, returned.received_at)))


def _contribution(contract_id: str, payer: str, subject: str, events: str, period: str, minor: int, received: datetime) -> Contribution:
    cause = f"{events}@{sighting(period, minor, received.isoformat())}"
    return Contribution(_contribution_id(contract_id, subject, cause), contract_id, payer, period, minor, received, subject, cause)


def _fx_missing(contract_id: str, trigger: CanonicalEvent, base: str, quote: str) -> Withheld:
    return Withheld(contract_id, trigger, DeadLetterReason.FX_MISSING, f"no {base}/{quote} rate")


def legacy_contribution_id(c: Contribution) -> str | None:
    """The id `c` had before sightings were part of ids (see `sighting`), if it has one."""
    events, at, _ = c.cause.partition("@")
    return _contribution_id(c.contract_id, c.subject, events) if at else None


def _contribution_id(contract_id: str, subject: str, cause: str) -> str:
    return "trn_" + hashlib.sha256("\x1f".join([contract_id, subject, cause]).encode()).hexdigest()[:32]
