"""Settlement entries and statements: what `hub.settlements` and `hub.statements` carry.

Finance reads these. Every entry has a deterministic `entry_id`; a repeat of an entry is
byte-identical, so consumers deduplicate by `entry_id`. Entries are never edited: a
correction is a reversal, a late input an adjustment in the earliest open period.
"""

from __future__ import annotations

import hashlib
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict

from schemas.event import UtcDatetime

_frozen = ConfigDict(frozen=True, extra="forbid")


class EntryKind(StrEnum):
    ACCRUAL = "accrual"
    REVERSAL = "reversal"
    PERIOD_FEE = "period_fee"
    ADJUSTMENT = "adjustment"


def make_entry_id(contract: str, version: int, kind: str, subject: str, cause: str) -> str:
    """sha256(contract, version, kind, subject, cause): the same money movement, the same id."""
    digest = hashlib.sha256("\x1f".join([contract, str(version), kind, subject, cause]).encode()).hexdigest()
    return f"ent_{digest[:32]}"


class SettlementEntry(BaseModel):
    """One money movement: `payer` owes `payee` `amount_minor` (negative for a reversal)."""

    model_config = _frozen

    schema_version: Literal[1] = 1
    entry_id: str
    kind: EntryKind
    contract_id: str
    contract_version: int
    contract_hash: str
    payer: str
    payee: str
    # The order reference that carries the basis, or the period for a period fee.
    subject: str
    # The trigger's event id (accrual), the reversed entry's id (reversal), the late input's
    # event id (adjustment), or the period itself (period fee).
    cause: str
    period: str
    basis_minor: int
    basis_currency: str
    rate: str
    fx_rate: str | None = None
    amount_minor: int
    vat_minor: int
    currency: str
    # When the trigger happened (event time), and the latest broker time among the inputs.
    occurred_at: UtcDatetime
    inputs_received_at: UtcDatetime
    trigger_event_id: str | None = None
    reverses: str | None = None
    # For an adjustment: the closed period the input belonged to.
    original_period: str | None = None


class StatementState(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Statement(BaseModel):
    """Totals of one contract, payer, payee and period; compacted by that key."""

    model_config = _frozen

    schema_version: Literal[1] = 1
    contract_id: str
    payer: str
    payee: str
    period: str
    currency: str
    totals: dict[EntryKind, int]
    counts: dict[EntryKind, int]
    net_minor: int
    vat_minor: int
    state: StatementState
    cutoff: UtcDatetime | None = None

    @property
    def key(self) -> str:
        return statement_key(self.contract_id, self.payer, self.payee, self.period)


def statement_key(contract: str, payer: str, payee: str, period: str) -> str:
    return f"{contract}|{payer}|{payee}|{period}"
