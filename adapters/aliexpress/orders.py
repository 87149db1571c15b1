"""AliExpress orders (docs/partners/aliexpress.md#order-status): one event per parcel the order names.

An order (`order_status`, `logistics_status`, `order_amount`, `gmt_create`,
`logistics_info_list[{logistics_no, logistics_service}]`) names its parcels: each is an
event, subject the parcel (s10 or cainiao by its shape), references `aliexpress_order:<id>`
(the payload's `id`/`order_id`, else the `hub-subject` header). The dropshipping order answer
(`aliexpress.trade.ds.order.get`) names no order id at all: without a header the events
stand on their parcels alone (flagged `order_id_unknown`); an order id that fits no pattern is
flagged, never a reason to drop the parcels. Never a merge: two parcels are two events. An
order naming no parcel is ignored.

Times. Order times carry no zone; the TOP SDK documents `gmt_modified` as US Pacific time,
so order times are read in America/Los_Angeles, and `gmt_create` (undocumented) is
assumed to share it (`offset_assumed`). An order event's time is `gmt_modified` when given;
`gmt_create` only for PLACE_ORDER_SUCCESS (the status it is the time of); otherwise the
order is a snapshot (`occurred_at` = `received_at`, observed). A time written with an
offset is read as written.

`order_value` = `order_amount` (a `{amount, currency_code}` money object, or a decimal
string with the order's `currency_code`), else the dropshipping answer's `user_order_amount`
(what the buyer was charged, in the pay currency), split over the parcels the order names by
largest remainder (schemas.money.split_largest_remainder), equal weights
(docs/partners/aliexpress.md#money).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from adapters._shared.code_table import UNMAPPED, CodeMapping
from adapters._shared.events import check_digit_flags
from adapters._shared.items import BadItem, read_items
from adapters._shared.subject import subject_header
from adapters._shared.times import PartnerTime
from adapters._shared.validation import Tolerant, validated
from adapters.aliexpress.codes import DEFERS_TO_LOGISTICS, LOGISTICS_STATUSES, ORDER_STATUSES, PLACED
from adapters.aliexpress.event import parcel_event
from adapters.aliexpress.top import read_time, top_list
from adapters.base import AdapterError, AdapterOptions, AdapterResult, Problem, ignored, result_of
from schemas import Amount, AmountKind, CanonicalEvent, DeadLetterReason, Identifier, Scheme
from schemas.identifiers import InvalidIdentifier
from schemas.money import major_to_minor, split_largest_remainder

ORDER_TIME_ZONE = "America/Los_Angeles"  # TOP SDK: gmt_modified "it's US pacific time"
PARCEL_SCHEMES: tuple[Scheme, ...] = (Scheme.S10, Scheme.CAINIAO)
_CURRENCY = re.compile(r"^[A-Z]{3}$")


class RawOrder(Tolerant):
    id: str | None = None
    order_id: str | None = None
    order_status: str | None = None
    logistics_status: str | None = None
    gmt_create: str | None = None
    gmt_modified: str | None = None
    order_amount: Any = None
    user_order_amount: Any = None
    currency_code: str | None = None


def read_order(body: dict[str, Any], received_at: datetime, options: AdapterOptions) -> AdapterResult:
    order = validated(RawOrder, body)
    flags: list[str] = []
    order_id = _order_identifier(order, options, flags)
    order_code, logistics_code = (order.order_status or "").strip(), (order.logistics_status or "").strip()
    if not order_code and not logistics_code:
        raise AdapterError(DeadLetterReason.SCHEMA_MISMATCH, "order without order_status or logistics_status")
    problems: list[Problem] = []
    mapping = _order_mapping(order_code, logistics_code, problems)
    raw_code = f"{order_code}/{logistics_code}"
    when, written = _order_time(order, order_code)
    entries = top_list(body.get("logistics_info_list", body.get("logistic_info_list")))
    numbers = _unique_numbers(entries, problems)
    if not numbers:
        if any(p.kind == "bad_item" for p in problems):
            return result_of([], problems)
        return ignored("order names no parcel")
    shares = _order_value_shares(order, len(numbers), flags)

    def event_of(numbered: tuple[int, str]) -> CanonicalEvent:
        index, number = numbered
        parcel = _parcel(number)
        return parcel_event(
            options, received_at, parcel, raw_code, written, when, mapping,
            references=(order_id,) if order_id else (),
            amounts=(shares[index],) if shares else (),
            flags=tuple(flags) + check_digit_flags([parcel]),
        )

    events = read_items(enumerate(numbers), event_of, "logistics_info_list", problems)
    return result_of(events, problems)


def _order_identifier(order: RawOrder, options: AdapterOptions, flags: list[str]) -> Identifier | None:
    """The order id: the payload's, else the header's; an odd or missing one is flagged (the
    parcels, not the order, are what the events are about)."""
    written = (order.id or order.order_id or "").strip()
    if written:
        try:
            return Identifier.of(Scheme.ALIEXPRESS_ORDER, written)
        except InvalidIdentifier:
            flags.append(f"odd_identifier:order_id:{written[:40]}")
    header = subject_header(options, missing=None, parcel=False)
    if header is not None and header.scheme is Scheme.ALIEXPRESS_ORDER:
        return header
    if not written:
        flags.append("order_id_unknown")
    return None


def _order_mapping(order_code: str, logistics_code: str, problems: list[Problem]) -> CodeMapping:
    """The order status decides, except FINISH (see codes.py): then the logistics status."""
    for code, table in ((order_code, ORDER_STATUSES), (logistics_code, LOGISTICS_STATUSES)):
        if code and code not in table:
            problems.append(Problem("unknown_code", code))
    if order_code and not (order_code in DEFERS_TO_LOGISTICS and logistics_code):
        return ORDER_STATUSES.get(order_code, UNMAPPED)
    return LOGISTICS_STATUSES.get(logistics_code, UNMAPPED)


def _order_time(order: RawOrder, order_code: str) -> tuple[PartnerTime | None, str | None]:
    if order.gmt_modified and order.gmt_modified.strip():
        return read_time(order.gmt_modified, ORDER_TIME_ZONE, assumed=False), order.gmt_modified.strip()
    if order_code == PLACED and order.gmt_create and order.gmt_create.strip():
        return read_time(order.gmt_create, ORDER_TIME_ZONE, assumed=True), order.gmt_create.strip()
    return None, None


def _unique_numbers(entries: list[Any], problems: list[Problem]) -> list[str]:
    """The logistics numbers an order names, once each, in order (a repeat is the same parcel)."""
    numbers: list[str] = []
    for index, entry in enumerate(entries):
        number = entry.get("logistics_no") if isinstance(entry, dict) else None
        if isinstance(number, int) and not isinstance(number, bool):
            number = str(number)
        if not isinstance(number, str) or not number.strip():
            problems.append(Problem("bad_item", f"logistics_info_list[{index}]: no logistics_no"))
            continue
        key = re.sub(r"[\s\-]", "", number).upper()
        if key not in numbers:
            numbers.append(key)
    return numbers


def _order_value_shares(order: RawOrder, parts: int, flags: list[str]) -> list[Amount]:
    """`order_amount` in minor units, split over `parts` parcels; an unreadable amount is flagged."""
    money = order.order_amount if order.order_amount is not None else order.user_order_amount
    if money is None:
        return []
    if isinstance(money, list) and len(money) == 1:
        money = money[0]
    if isinstance(money, dict):
        amount, currency = money.get("amount"), money.get("currency_code") or money.get("currency")
    else:
        amount, currency = money, order.currency_code
    if not isinstance(currency, str) or not _CURRENCY.match(currency.strip()):
        flags.append("order_value_without_currency")
        return []
    currency = currency.strip()
    try:
        total = major_to_minor(amount, currency)
    except (ValueError, ArithmeticError):
        flags.append("order_value_unreadable")
        return []
    return [
        Amount(kind=AmountKind.ORDER_VALUE, minor=share, currency=currency)
        for share in split_largest_remainder(total, [1] * parts)
    ]


def _parcel(number: str) -> Identifier:
    for scheme in PARCEL_SCHEMES:
        try:
            return Identifier.of(scheme, number)
        except InvalidIdentifier:
            continue
    raise BadItem(f"logistics_no {number[:40]!r} fits neither s10 nor cainiao")
