"""The canonical event: what every adapter produces and every later stage consumes."""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from enum import StrEnum
from functools import cached_property, lru_cache
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from schemas.enums import Milestone, PartnerKind, Party, Reason, Status
from schemas.identifiers import Identifier, Level

SCHEMA_VERSION: Literal[1] = 1


class AmountKind(StrEnum):
    ORDER_VALUE = "order_value"
    COD = "cod"
    DECLARED = "declared"
    DELIVERY_FEE = "delivery_fee"
    DUTY = "duty"


class TimeSource(StrEnum):
    PARTNER = "partner"  # the partner wrote the time of the status
    OBSERVED = "observed"  # a snapshot without a time: the earliest received_at seen


def _utc(value: datetime) -> datetime:
    return value.astimezone(timezone.utc)


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_utc)]


@lru_cache(maxsize=16_384)  # an identifier is validated again with every event that names it
def _canonical_identifier(text: str) -> str:
    return str(Identifier.parse(text))


IdentifierText = Annotated[str, AfterValidator(_canonical_identifier)]

_frozen = ConfigDict(frozen=True, extra="forbid", strict=False)


class Amount(BaseModel):
    """Money: integer minor units and an ISO 4217 alphabetic currency. Never a float."""

    model_config = _frozen

    kind: AmountKind
    minor: int
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]


class Location(BaseModel):
    model_config = _frozen

    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] | None = None
    city: str | None = None
    postcode: str | None = None
    facility: str | None = None


class CanonicalEvent(BaseModel):
    """One status of one parcel, as one partner reported it.

    `subject` holds the parcel-level identifiers of the one parcel the event is about (they
    link); `references` holds order ids and shop numbers (they never link).
    """

    model_config = _frozen

    schema_version: Literal[1] = SCHEMA_VERSION
    event_id: str
    partner: str
    partner_kind: PartnerKind
    adapter_version: int
    subject: tuple[IdentifierText, ...] = Field(min_length=1)
    references: tuple[IdentifierText, ...] = ()
    status: Status
    milestone: Milestone
    reason: Reason | None = None
    reason_party: Party | None = None
    occurred_at: UtcDatetime
    # The partner's local UTC offset in minutes, when the partner wrote or implied one.
    local_offset_minutes: int | None = None
    offset_assumed: bool = False
    time_source: TimeSource = TimeSource.PARTNER
    received_at: UtcDatetime
    location: Location | None = None
    raw_code: str
    raw_description: str | None = None
    amounts: tuple[Amount, ...] = ()
    promised_delivery: UtcDatetime | None = None
    # Soft findings about the input, e.g. "bad_check_digit:s10:RA644000001RU".
    flags: tuple[str, ...] = ()

    def parcel_identifiers(self) -> tuple[Identifier, ...]:
        return self._parcel_identifiers

    def order_references(self) -> tuple[Identifier, ...]:
        return self._order_references

    # Parsed once per model (it is frozen): a shipment's events are folded again at every
    # message (hub/stages/stored_events.py keeps their models). Not fields: never serialised,
    # and equality and hashing ignore them.
    @cached_property
    def _parcel_identifiers(self) -> tuple[Identifier, ...]:
        return tuple(i for i in map(Identifier.parse, self.subject) if i.level is Level.PARCEL)

    @cached_property
    def _order_references(self) -> tuple[Identifier, ...]:
        return tuple(i for i in map(Identifier.parse, self.references) if i.level is Level.ORDER)


def make_event_id(partner: str, primary: str, raw_code: str, status_time: str | None, facility: str | None = None) -> str:
    """The event id (docs/architecture.md#event-id): hash of partner, primary parcel field, raw code, time as written.

    The time is hashed exactly as the partner wrote it (plus the facility where the local
    time alone is ambiguous), never the raw bytes, so a polled history that repeats an
    event in other bytes, or the same operation in two formats, yields one id.
    """
    parts = [partner, primary, raw_code, status_time or "", facility or ""]
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return f"evt_{digest[:32]}"
