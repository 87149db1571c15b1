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

from pydantic import ValidationError

from adapters._shared.code_table import UNMAPPED, CodeMapping, lookup
from adapters._shared.events import canonical_event, check_digit_flags
from adapters._shared.items import BadItem, items_result, read_items
from adapters._shared.safe_json import load_json
from adapters._shared.times import PartnerTime, parse_iso
from adapters._shared.validation import Tolerant, validated, validated_item
from adapters.base import AdapterError, AdapterOptions, AdapterResult, Problem, ignored, result_of
from adapters.ozon.codes import (
    CUTOFF_DATE_CHANGED,
    NON_LOGISTICS_PUSH_TYPES,
    PING,
    PUSH_TYPES,
    STATE_CHANGED,
    STATUSES,
    SUBSTATUSES,
)
from schemas import Amount, AmountKind, CanonicalEvent, DeadLetterReason, Identifier, Scheme
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


class RawPush(Tolerant):
    message_type: str
    posting_number: str | None = None
    new_state: str | None = None
    changed_state_date: str | None = None
    in_process_at: str | None = None
    new_delivery_date_begin: str | None = None
    new_delivery_date_end: str | None = None
    reason: Any = None


class RawProduct(Tolerant):
    price: str | None = None
    quantity: int | None = None
    currency_code: str | None = None


class RawPosting(Tolerant):
    posting_number: str
    order_number: str | None = None
    status: str | None = None
    substatus: str | None = None
    tracking_number: str | None = None
    products: Any = None
    delivery_method: Any = None


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
    push = validated(RawPush, document)
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
        mapping = lookup(SUBSTATUSES, raw_code, problems)
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
            options, received_at, posting, (posting,), (), mapping, raw_code, written, when,
            description=description, promised=promised,
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
    except BadItem as err:
        raise err.as_error() from err
    return result_of([event], problems)


def _posting_list(postings: list[Any], received_at: datetime, options: AdapterOptions) -> AdapterResult:
    problems: list[Problem] = []
    events = read_items(
        postings, lambda posting: _posting_event(posting, received_at, options, problems), "postings", problems
    )
    return items_result(events, problems, when_empty="no postings")


def _posting_event(
    document: object, received_at: datetime, options: AdapterOptions, problems: list[Problem]
) -> CanonicalEvent:
    posting = validated_item(RawPosting, document, "a posting is a JSON object")
    try:
        posting_id = Identifier.of(Scheme.OZON_POSTING, posting.posting_number)
    except InvalidIdentifier as err:
        raise BadItem(str(err), DeadLetterReason.BAD_VALUE) from err
    status, substatus = (posting.status or "").strip(), (posting.substatus or "").strip()
    if not status and not substatus:
        raise BadItem(f"posting {posting_id.value} has no status")
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
            options, received_at, posting_id, subject, references, mapping, raw_code, None, None,
            amounts=amounts, flags=tuple(flags),
        )
    except ValueError as err:  # pydantic's ValidationError among them
        raise BadItem(str(err)[:200], DeadLetterReason.BAD_VALUE) from err


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
    flags.extend(check_digit_flags([chosen]))
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
    posting: Identifier,
    subject: list[Identifier] | tuple[Identifier, ...],
    references: list[Identifier] | tuple[Identifier, ...],
    mapping: CodeMapping,
    raw_code: str,
    written: str | None,
    when: PartnerTime | None,
    *,
    description: str | None = None,
    promised: datetime | None = None,
    amounts: tuple[Amount, ...] = (),
    flags: tuple[str, ...] = (),
) -> CanonicalEvent:
    """An event about one posting; `written` is its time as Ozon wrote it (None for a snapshot)."""
    return canonical_event(
        options, received_at, adapter_version=ADAPTER_VERSION, primary=posting.value, time_text=written,
        subject=subject, references=references, mapping=mapping, raw_code=raw_code, when=when,
        description=description, promised=promised, amounts=amounts, flags=flags,
    )


def _identifier(scheme: Scheme, raw: str) -> Identifier:
    try:
        return Identifier.of(scheme, raw)
    except InvalidIdentifier as err:
        raise AdapterError(DeadLetterReason.BAD_VALUE, str(err)[:200]) from err


def _required(value: str | None, name: str) -> str:
    if value is None or not value.strip():
        raise AdapterError(DeadLetterReason.SCHEMA_MISMATCH, f"no {name}")
    return value
