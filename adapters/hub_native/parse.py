"""Hub-native events → canonical events (docs/hub-native-format.md).

One JSON object per message, `"format": "hub-native/1"`, naming its parcel, its event (a
Milestone value), and the time with its offset. Every overseas warehouse operator and
pickup-point network is its own partner with its own topic; all use this adapter, with
options.country as the operator's country when a message gives no location country.

- subject: `parcel`, plus `handover_to` on a `handed_over` event, so identity links the two
  carriers' numbers of one parcel; references: `order` (an order or shop identifier).
- status from the event through codes.EVENTS; `"direction": "return"` turns forward
  statuses into `returning` and a delivery into `returned` / `returned_to_sender`.
- event id: (partner, parcel, event, occurred_at as written, event_ref).
- amounts: decimal strings in major units with an ISO 4217 currency, never more fraction
  digits than the currency has. `order_value` is whatever the operator sends as kind
  `order_value`; the format adds no meaning of its own.

Our own format is read strictly: a wrong shape is schema_mismatch, a value that breaks its
pattern (identifier, time, amount) is bad_value, another `format` is unknown_format. An
event name the table lacks (a newer format version) is kept as `unknown`, as with any code.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from adapters._shared.code_table import CodeMapping
from adapters._shared.events import canonical_event, check_digit_flags
from adapters._shared.safe_json import load_json
from adapters._shared.times import parse_iso
from adapters._shared.validation import first_error
from adapters.base import AdapterError, AdapterOptions, AdapterResult, Problem, result_of
from adapters.hub_native.codes import EVENTS, RETURN_MILESTONE, RETURN_STATUS
from schemas import Amount, AmountKind, DeadLetterReason, Identifier, Level, Location, Milestone, Party, Reason, Status
from schemas.identifiers import InvalidIdentifier
from schemas.money import MINOR_DIGITS, as_decimal, round_to_minor

ADAPTER_VERSION = 1
FORMAT = "hub-native/1"

_Text = Annotated[str, Field(min_length=1, max_length=200)]
_AMOUNT = re.compile(r"^[0-9]{1,15}(\.[0-9]{1,4})?$")
# The schema's occurred_at: ISO 8601 with a "T", seconds optional, and an offset or Z.
_OCCURRED_AT = re.compile(
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?(Z|[+-][0-9]{2}:?[0-9]{2})$"
)


class _Strict(BaseModel):
    # Unknown fields are ignored so a later hub-native/1 may add optional ones.
    model_config = ConfigDict(extra="ignore")


class RawLocation(_Strict):
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] | None = None
    city: _Text | None = None
    postcode: Annotated[str, Field(min_length=1, max_length=20)] | None = None
    facility: _Text | None = None


class RawAmount(_Strict):
    kind: Literal["order_value", "cod", "declared", "delivery_fee", "duty"]
    amount: Annotated[str, Field(pattern=_AMOUNT.pattern)]
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]

    @field_validator("amount", mode="before")
    @classmethod
    def _number_as_text(cls, value: object) -> object:
        # The schema asks for a string; a JSON number is tolerated and read through its text
        # (safe_json hands fractions over as text already), never as a binary float.
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


class RawHubEvent(_Strict):
    format: Literal["hub-native/1"]
    parcel: _Text
    event: Annotated[str, Field(min_length=1, max_length=64)]
    occurred_at: Annotated[str, Field(max_length=64, pattern=_OCCURRED_AT.pattern)]
    event_ref: Annotated[str, Field(min_length=1, max_length=128)] | None = None
    direction: Literal["forward", "return"] = "forward"
    handover_to: _Text | None = None
    location: RawLocation | None = None
    amounts: Annotated[list[RawAmount], Field(max_length=20)] = []
    reason: Reason | None = None
    reason_party: Party | None = None
    order: _Text | None = None


def parse(raw: bytes, *, received_at: datetime, options: AdapterOptions) -> AdapterResult:
    document = load_json(raw)
    if not isinstance(document, dict):
        raise AdapterError(DeadLetterReason.SCHEMA_MISMATCH, "a hub-native event is a JSON object")
    if document.get("format") != FORMAT:
        raise AdapterError(DeadLetterReason.UNKNOWN_FORMAT, f"format is not {FORMAT!r}")
    message = _validate(document)
    problems: list[Problem] = []

    parcel = _identifier(message.parcel, "parcel", Level.PARCEL)
    subject = [parcel]
    milestone = Milestone(message.event) if message.event in EVENTS else None
    if milestone is Milestone.HANDED_OVER:
        if message.handover_to is None:
            raise AdapterError(DeadLetterReason.SCHEMA_MISMATCH, "handed_over needs handover_to")
        other = _identifier(message.handover_to, "handover_to", Level.PARCEL)
        if other != parcel:
            subject.append(other)
    elif message.handover_to is not None:
        raise AdapterError(DeadLetterReason.BAD_VALUE, "handover_to belongs to handed_over events only")
    references: tuple[Identifier, ...] = ()
    if message.order is not None:
        references = (_identifier(message.order, "order", Level.ORDER, Level.SHOP),)

    if milestone is None:
        problems.append(Problem("unknown_code", message.event))
        status, final_milestone, implied_reason = Status.UNKNOWN, Milestone.UNKNOWN, None
    else:
        row = EVENTS[milestone]
        status, final_milestone, implied_reason = row.status, milestone, row.reason
        if message.direction == "return":
            status = RETURN_STATUS.get(status, status)
            final_milestone = RETURN_MILESTONE.get(final_milestone, final_milestone)
    mapping = CodeMapping(status, final_milestone, message.reason or implied_reason, message.reason_party)

    when = parse_iso(message.occurred_at)
    try:
        event = canonical_event(
            options,
            received_at,
            adapter_version=ADAPTER_VERSION,
            primary=str(parcel),
            time_text=message.occurred_at,
            facility=message.event_ref,
            subject=subject,
            references=references,
            mapping=mapping,
            raw_code=message.event,
            when=when,
            location=_location(message.location, options),
            amounts=tuple(_amount(a) for a in message.amounts),
            flags=check_digit_flags(subject),
        )
    except ValidationError as err:
        raise AdapterError(DeadLetterReason.BAD_VALUE, first_error(err)) from err
    return result_of([event], problems)


def _validate(document: dict[str, object]) -> RawHubEvent:
    try:
        return RawHubEvent.model_validate(document)
    except ValidationError as err:
        first = err.errors()[0]
        reason = (
            DeadLetterReason.BAD_VALUE
            if first["type"] in ("string_pattern_mismatch", "enum", "literal_error", "string_too_long")
            else DeadLetterReason.SCHEMA_MISMATCH
        )
        raise AdapterError(reason, first_error(err)) from err


def _identifier(text: str, field: str, *levels: Level) -> Identifier:
    try:
        identifier = Identifier.parse(text.strip())
    except InvalidIdentifier as err:
        raise AdapterError(DeadLetterReason.BAD_VALUE, f"{field}: {err}") from err
    if identifier.level not in levels:
        level = identifier.level.value
        raise AdapterError(DeadLetterReason.BAD_VALUE, f"{field}: {identifier} is a {level} identifier")
    return identifier


def _location(location: RawLocation | None, options: AdapterOptions) -> Location | None:
    country = (location.country if location else None) or options.country
    if location is None and country is None:
        return None
    if location is None:
        return Location(country=country)
    return Location(country=country, city=location.city, postcode=location.postcode, facility=location.facility)


def _amount(raw: RawAmount) -> Amount:
    value = as_decimal(raw.amount)
    digits = MINOR_DIGITS.get(raw.currency, 2)
    if -value.as_tuple().exponent > digits:  # type: ignore[operator]
        detail = f"{raw.amount} has more than {digits} decimals for {raw.currency}"
        raise AdapterError(DeadLetterReason.BAD_VALUE, detail)
    return Amount(kind=AmountKind(raw.kind), minor=round_to_minor(value, raw.currency), currency=raw.currency)
