"""Ozon pushes and posting responses → canonical events (docs/partners/ozon.md).

Two shapes arrive on the Ozon topic:
- a push notification (`message_type`): TYPE_STATE_CHANGED and TYPE_POSTING_CANCELLED read
  `new_state` (a substatus-style value) at `changed_state_date`; TYPE_NEW_POSTING is the
  posting placed at `in_process_at`; TYPE_DELIVERY_DATE_CHANGED is a new promise to the
  buyer (`promised_delivery` = the end of the new window; no time of the change is given,
  so it is observed, and its event id hashes the new window); TYPE_CUTOFF_DATE_CHANGED (the
  seller's hand-over deadline, not a promise), TYPE_PING and the non-logistics types are
  ignored;
- a posting read model (`result`: one posting, `result.postings[]` or a list): a snapshot
  of `status` and `substatus` with no time of its own, so `occurred_at` is `received_at`
  and `time_source` observed. `raw_code` is `status/substatus`; the substatus decides when
  the table has it, else the status.

Identifiers: subject `ozon_posting:<posting_number>`, plus the carrier's parcel when the
posting's `tracking_number` fits exactly one carrier scheme (s10, rp, cdek, boxberry,
else cainiao), never guessed: an ambiguous or unknown number is flagged instead;
references `ozon_order:<order_number>` when the payload gives it (never derived).

`order_value` = Σ `products[].price` × `products[].quantity` (decimal strings in the
products' `currency_code`, roubles when absent, docs/partners/ozon.md#money) on the read model. Pushes carry no
prices and no amounts.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from adapters.base import AdapterError, AdapterOptions, AdapterResult, Problem, ignored, result_of
from adapters.code_table import UNMAPPED, CodeMapping
from adapters.ozon.codes import (
    CUTOFF_DATE_CHANGED,
    NON_LOGISTICS_PUSH_TYPES,
    PING,
    PUSH_TYPES,
    STATE_CHANGED,
    STATUSES,
    SUBSTATUSES,
)
from adapters.partner_times import PartnerTime, parse_iso
from adapters.safe_json import load_json
from schemas import Amount, AmountKind, CanonicalEvent, DeadLetterReason, Identifier, Scheme, TimeSource, make_event_id
from schemas.enums import REASON_PARTY
from schemas.identifiers import InvalidIdentifier, candidates
from schemas.money import as_decimal, round_to_minor

ADAPTER_VERSION = 1

# Carrier schemes a posting's tracking_number may name, by preference; cainiao only when no
# preferred scheme fits (Ozon Global parcels from China).
PREFERRED_CARRIER_SCHEMES: tuple[Scheme, ...] = (Scheme.S10, Scheme.RP, Scheme.CDEK, Scheme.BOXBERRY)
FALLBACK_CARRIER_SCHEMES: tuple[Scheme, ...] = (Scheme.CAINIAO,)
# When `delivery_method.tpl_provider` names a carrier, the number must fit that carrier.
PROVIDER_SCHEMES: dict[str, frozenset[Scheme]] = {
    "почта россии": frozenset({Scheme.S10, Scheme.RP}),
    "russian post": frozenset({Scheme.S10, Scheme.RP}),
    "сдэк": frozenset({Scheme.CDEK}),
    "cdek": frozenset({Scheme.CDEK}),
    "boxberry": frozenset({Scheme.BOXBERRY}),
    "cainiao": frozenset({Scheme.CAINIAO}),
}
DEFAULT_CURRENCY = "RUB"  # docs/partners/ozon.md#money: Ozon prices are roubles; older responses omit currency_code
_MAX_FLAG_VALUE = 64


class _Tolerant(BaseModel):
    model_config = ConfigDict(extra="ignore", coerce_numbers_to_str=True)


class RawPush(_Tolerant):
    message_type: str
    posting_number: str | None = None
    new_state: str | None = None
    changed_state_date: str | None = None
    in_process_at: str | None = None
    new_delivery_date_begin: str | None = None
    new_delivery_date_end: str | None = None
    reason: Any = None


class RawProduct(_Tolerant):
    price: str | None = None
    quantity: int | None = None
    currency_code: str | None = None


class RawPosting(_Tolerant):
    posting_number: str
    order_number: str | None = None
    status: str | None = None
    substatus: str | None = None
    tracking_number: str | None = None
    products: Any = None
    delivery_method: Any = None


class _BadItem(Exception):
    def __init__(self, reason: DeadLetterReason, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


def parse(raw: bytes, *, received_at: datetime, options: AdapterOptions) -> AdapterResult:
    document = load_json(raw)
    if not isinstance(document, dict):
        raise AdapterError(DeadLetterReason.SCHEMA_MISMATCH, "an Ozon message is a JSON object")
    if "message_type" in document:
        return _push(document, received_at, options)
    if "result" in document:
        return _read_model(document["result"], received_at, options)
    raise AdapterError(DeadLetterReason.UNKNOWN_FORMAT, "neither a push (message_type) nor a response (result)")


# --- push notifications (docs/partners/ozon.md#push-notifications) -----------------------


def _push(document: dict[str, Any], received_at: datetime, options: AdapterOptions) -> AdapterResult:
    try:
        push = RawPush.model_validate(document)
    except ValidationError as err:
        raise AdapterError(DeadLetterReason.SCHEMA_MISMATCH, _first_error(err)) from err
    kind = push.message_type
    if kind == PING:
        return ignored("TYPE_PING")
    if kind == CUTOFF_DATE_CHANGED:
        return ignored("TYPE_CUTOFF_DATE_CHANGED: the seller's hand-over deadline, no parcel state")
    if kind in NON_LOGISTICS_PUSH_TYPES:
        return ignored(f"push type {kind}")
    if kind != STATE_CHANGED and kind not in PUSH_TYPES:
        raise AdapterError(DeadLetterReason.UNKNOWN_FORMAT, f"unknown push type {kind[:60]!r}")
    if not push.posting_number:
        raise AdapterError(DeadLetterReason.SCHEMA_MISMATCH, f"{kind} without posting_number")
    posting = _identifier(Scheme.OZON_POSTING, push.posting_number)
    problems: list[Problem] = []
    promised = None
    description: str | None = None
    if kind == STATE_CHANGED:
        raw_code = _required(push.new_state, "new_state")
        mapping = _lookup(SUBSTATUSES, raw_code, problems)
        written = _required(push.changed_state_date, "changed_state_date")
        when = parse_iso(written)
    elif kind == "TYPE_POSTING_CANCELLED":
        # The push type says cancelled whatever `new_state` spells; an unknown new_state is
        # still reported.
        raw_code = push.new_state or kind
        mapping = SUBSTATUSES.get(raw_code) or PUSH_TYPES[kind]
        if push.new_state and raw_code not in SUBSTATUSES:
            problems.append(Problem("unknown_code", raw_code))
        written = _required(push.changed_state_date, "changed_state_date")
        when = parse_iso(written)
        message = push.reason.get("message") if isinstance(push.reason, dict) else None
        description = message.strip()[:200] if isinstance(message, str) and message.strip() else None
    elif kind == "TYPE_NEW_POSTING":
        raw_code, mapping = kind, PUSH_TYPES[kind]
        written = _required(push.in_process_at, "in_process_at")
        when = parse_iso(written)
    else:  # TYPE_DELIVERY_DATE_CHANGED: no time of the change itself, only the new window
        raw_code, mapping = kind, PUSH_TYPES[kind]
        end = push.new_delivery_date_end or push.new_delivery_date_begin
        promised = parse_iso(_required(end, "new_delivery_date_end")).instant
        written = f"{push.new_delivery_date_begin or ''}/{push.new_delivery_date_end or ''}"
        when = None
    try:
        event = _event(
            options,
            received_at,
            event_id=make_event_id(options.partner, posting.value, raw_code, written),
            subject=(posting,),
            references=(),
            mapping=mapping,
            raw_code=raw_code,
            when=when,
            description=description,
            promised=promised,
        )
    except (ValidationError, ValueError) as err:
        raise AdapterError(DeadLetterReason.BAD_VALUE, str(err)[:200]) from err
    return result_of([event], problems)


# --- posting read model (docs/partners/ozon.md#posting-read-model) -----------------------


def _read_model(result: object, received_at: datetime, options: AdapterOptions) -> AdapterResult:
    if isinstance(result, dict) and isinstance(result.get("postings"), list):
        return _posting_list(result["postings"], received_at, options)
    if isinstance(result, list):
        return _posting_list(result, received_at, options)
    if not isinstance(result, dict):
        raise AdapterError(DeadLetterReason.SCHEMA_MISMATCH, "result is neither a posting nor a list of postings")
    problems: list[Problem] = []
    try:
        event = _posting_event(result, received_at, options, problems)
    except _BadItem as err:
        raise AdapterError(err.reason, err.message) from err
    return result_of([event], problems)


def _posting_list(postings: list[Any], received_at: datetime, options: AdapterOptions) -> AdapterResult:
    events: list[CanonicalEvent] = []
    problems: list[Problem] = []
    for index, posting in enumerate(postings):
        try:
            events.append(_posting_event(posting, received_at, options, problems))
        except _BadItem as err:
            problems.append(Problem("bad_item", f"postings[{index}]: {err.message}"))
    if not events and not problems:
        return ignored("no postings")
    return result_of(events, problems)


def _posting_event(
    document: object, received_at: datetime, options: AdapterOptions, problems: list[Problem]
) -> CanonicalEvent:
    if not isinstance(document, dict):
        raise _BadItem(DeadLetterReason.SCHEMA_MISMATCH, "a posting is a JSON object")
    try:
        posting = RawPosting.model_validate(document)
    except ValidationError as err:
        raise _BadItem(DeadLetterReason.SCHEMA_MISMATCH, _first_error(err)) from err
    try:
        posting_id = Identifier.of(Scheme.OZON_POSTING, posting.posting_number)
    except InvalidIdentifier as err:
        raise _BadItem(DeadLetterReason.BAD_VALUE, str(err)) from err
    status, substatus = (posting.status or "").strip(), (posting.substatus or "").strip()
    if not status and not substatus:
        raise _BadItem(DeadLetterReason.SCHEMA_MISMATCH, f"posting {posting_id.value} has no status")
    raw_code = f"{status}/{substatus}" if status and substatus else status or substatus
    mapping = _posting_mapping(status, substatus, problems)
    flags: list[str] = []
    subject = [posting_id]
    carrier = _carrier_parcel(posting, flags)
    if carrier is not None:
        subject.append(carrier)
    references = []
    if posting.order_number:
        try:
            references.append(Identifier.of(Scheme.OZON_ORDER, posting.order_number))
        except InvalidIdentifier:
            flags.append(f"bad_order_number:{posting.order_number.strip()[:_MAX_FLAG_VALUE]}")
    amounts = _order_value(posting.products, flags)
    try:
        return _event(
            options,
            received_at,
            event_id=make_event_id(options.partner, posting_id.value, raw_code, None),
            subject=tuple(subject),
            references=tuple(references),
            mapping=mapping,
            raw_code=raw_code,
            when=None,
            amounts=amounts,
            flags=tuple(flags),
        )
    except (ValidationError, ValueError) as err:
        raise _BadItem(DeadLetterReason.BAD_VALUE, str(err)[:200]) from err


def _posting_mapping(status: str, substatus: str, problems: list[Problem]) -> CodeMapping:
    """The substatus when the table knows it (it is finer), else the status; unknowns reported."""
    if substatus and substatus in SUBSTATUSES:
        if status and status not in STATUSES:
            problems.append(Problem("unknown_code", status))
        return SUBSTATUSES[substatus]
    if substatus:
        problems.append(Problem("unknown_code", substatus))
    if status and status in STATUSES:
        return STATUSES[status]
    if status:
        problems.append(Problem("unknown_code", status))
    return UNMAPPED


def _carrier_parcel(posting: RawPosting, flags: list[str]) -> Identifier | None:
    """The carrier's parcel a tracking_number names, when exactly one carrier scheme fits."""
    number = (posting.tracking_number or "").strip()
    if not number:
        return None
    shown = number[:_MAX_FLAG_VALUE]
    try:
        fits = candidates(number) if ":" not in number else []
    except InvalidIdentifier:
        fits = []
    chosen = None
    for group in (PREFERRED_CARRIER_SCHEMES, FALLBACK_CARRIER_SCHEMES):
        in_group = [i for i in fits if i.scheme in group]
        if len(in_group) > 1:
            flags.append(f"tracking_number_ambiguous:{shown}")
            return None
        if in_group:
            chosen = in_group[0]
            break
    if chosen is None:
        flags.append(f"tracking_number_unrecognised:{shown}")
        return None
    method = posting.delivery_method if isinstance(posting.delivery_method, dict) else {}
    provider = str(method.get("tpl_provider") or "").lower()
    for name, schemes in PROVIDER_SCHEMES.items():
        if name in provider and chosen.scheme not in schemes:
            flags.append(f"tracking_number_mismatch:{shown}")
            return None
    if chosen.check_digit_valid is False:
        flags.append(f"bad_check_digit:{chosen}")
    return chosen


def _order_value(products: object, flags: list[str]) -> tuple[Amount, ...]:
    """Σ price × quantity in the products' one currency; an unreadable product means no amount."""
    if not products:
        return ()
    if not isinstance(products, list):
        flags.append("order_value_unreadable")
        return ()
    total = Decimal(0)
    currencies: set[str] = set()
    try:
        for item in products:
            product = RawProduct.model_validate(item)
            if product.price is None or product.quantity is None or product.quantity < 0:
                raise ValueError("product without price or quantity")
            total += as_decimal(product.price) * product.quantity
            currencies.add((product.currency_code or "").strip() or DEFAULT_CURRENCY)
        if len(currencies) != 1:
            flags.append("order_value_mixed_currencies")
            return ()
        (currency,) = currencies
        return (Amount(kind=AmountKind.ORDER_VALUE, minor=round_to_minor(total, currency), currency=currency),)
    except (ValidationError, ValueError, ArithmeticError):
        flags.append("order_value_unreadable")
        return ()


# --- shared --------------------------------------------------------------------------


def _event(
    options: AdapterOptions,
    received_at: datetime,
    *,
    event_id: str,
    subject: tuple[Identifier, ...],
    references: tuple[Identifier, ...],
    mapping: CodeMapping,
    raw_code: str,
    when: PartnerTime | None,
    description: str | None = None,
    promised: datetime | None = None,
    amounts: tuple[Amount, ...] = (),
    flags: tuple[str, ...] = (),
) -> CanonicalEvent:
    return CanonicalEvent(
        event_id=event_id,
        partner=options.partner,
        partner_kind=options.partner_kind,
        adapter_version=ADAPTER_VERSION,
        subject=tuple(map(str, subject)),
        references=tuple(map(str, references)),
        status=mapping.status,
        milestone=mapping.milestone,
        reason=mapping.reason,
        reason_party=mapping.party or (REASON_PARTY[mapping.reason] if mapping.reason else None),
        occurred_at=when.instant if when else received_at,
        local_offset_minutes=when.local_offset_minutes if when else None,
        time_source=TimeSource.PARTNER if when else TimeSource.OBSERVED,
        received_at=received_at,
        raw_code=raw_code,
        raw_description=description or mapping.description or None,
        amounts=amounts,
        promised_delivery=promised,
        flags=flags,
    )


def _lookup(table: dict[str, CodeMapping], code: str, problems: list[Problem]) -> CodeMapping:
    mapping = table.get(code, UNMAPPED)
    if mapping is UNMAPPED:
        problems.append(Problem("unknown_code", code))
    return mapping


def _identifier(scheme: Scheme, raw: str) -> Identifier:
    try:
        return Identifier.of(scheme, raw)
    except InvalidIdentifier as err:
        raise AdapterError(DeadLetterReason.BAD_VALUE, str(err)[:200]) from err


def _required(value: str | None, name: str) -> str:
    if value is None or not value.strip():
        raise AdapterError(DeadLetterReason.SCHEMA_MISMATCH, f"no {name}")
    return value


def _first_error(err: ValidationError) -> str:
    first = err.errors()[0]
    return f"{'.'.join(map(str, first['loc']))}: {first['msg']}"
