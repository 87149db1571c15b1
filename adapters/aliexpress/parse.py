"""AliExpress order and tracking-result responses → canonical events (docs/partners/aliexpress.md).

Accepted with or without the TOP envelope (`{"<api>_response": {"result"|"target": …}}`),
and with TOP's wrapped lists (`{"logistics_info_list": {"aeop_order_logistics_info": [...]}}`):
- an order (`order_status`, `logistics_status`, `order_amount`, `gmt_create`,
  `logistics_info_list[{logistics_no, logistics_service}]`): one event per parcel the order
  names, subject the parcel (s10 or cainiao by its shape), references
  `aliexpress_order:<id>` (the payload's `id`/`order_id`, else the `hub-subject` header).
  Never a merge: two parcels are two events. An order naming no parcel is ignored;
- a `querytrackingresult` response (`details[]`): one event per detail, for the parcel the
  `hub-subject` header names. `signed_name` and `address` are personal data: never read.

Times. Order times carry no zone; the TOP SDK documents `gmt_modified` as US Pacific time,
so order times are read in America/Los_Angeles, and `gmt_create` (undocumented) is
assumed to share it (`offset_assumed`). An order event's time is `gmt_modified` when given;
`gmt_create` only for PLACE_ORDER_SUCCESS (the status it is the time of); otherwise the
order is a snapshot (`occurred_at` = `received_at`, observed). Tracking `event_date` is
assumed to be China time (Asia/Shanghai, where Cainiao renders its times), flagged
`offset_assumed`. A time written with an offset (ISO, or TOP's `yyyyMMddHHmmssSSS±hhmm`)
is read as written.

`order_value` = `order_amount` (a `{amount, currency_code}` money object, or a decimal
string with the order's `currency_code`), split over the parcels the order names by
largest remainder (schemas.money.split_largest_remainder), equal weights.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any

from pydantic import ValidationError

from adapters._shared.code_table import UNMAPPED, CodeMapping, lookup
from adapters._shared.events import canonical_event, check_digit_flags
from adapters._shared.items import BadItem, read_items
from adapters._shared.safe_json import load_json
from adapters._shared.subject import subject_header
from adapters._shared.times import PartnerTime, aware, parse_partner_time
from adapters._shared.validation import Tolerant, first_error, validated, validated_item
from adapters.aliexpress.codes import DEFERS_TO_LOGISTICS, DETAIL_CODES, LOGISTICS_STATUSES, ORDER_STATUSES, PLACED
from adapters.base import AdapterError, AdapterOptions, AdapterResult, Problem, ignored, result_of
from schemas import Amount, AmountKind, CanonicalEvent, DeadLetterReason, Identifier, Level, Scheme
from schemas.identifiers import InvalidIdentifier
from schemas.money import major_to_minor, split_largest_remainder

ADAPTER_VERSION = 1

ORDER_TIME_ZONE = "America/Los_Angeles"  # TOP SDK: gmt_modified "it's US pacific time"
TRACKING_TIME_ZONE = "Asia/Shanghai"  # assumed: Cainiao's own times are UTC+8 (docs/partners/cainiao.md#time-semantics)
PARCEL_SCHEMES: tuple[Scheme, ...] = (Scheme.S10, Scheme.CAINIAO)
_LOCAL_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%m/%d/%Y %H:%M:%S")
_TOP_TIME = re.compile(r"^(\d{14})(\d{3})([+-])(\d{2})(\d{2})$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_ORDER_KEYS = ("order_status", "logistics_status", "logistics_info_list", "logistic_info_list")
_MAX_UNWRAP = 4


class RawOrder(Tolerant):
    id: str | None = None
    order_id: str | None = None
    order_status: str | None = None
    logistics_status: str | None = None
    gmt_create: str | None = None
    gmt_modified: str | None = None
    order_amount: Any = None
    currency_code: str | None = None


class RawDetail(Tolerant):
    status: str | None = None
    event_date: str | None = None
    event_desc: str | None = None


def parse(raw: bytes, *, received_at: datetime, options: AdapterOptions) -> AdapterResult:
    document = load_json(raw)
    if not isinstance(document, dict):
        raise AdapterError(DeadLetterReason.SCHEMA_MISMATCH, "an AliExpress response is a JSON object")
    if isinstance(document.get("error_response"), dict):
        return ignored("AliExpress error_response")
    body = _unwrap(document)
    if "details" in body or "result_success" in body:
        return _tracking_result(body, received_at, options)
    if any(key in body for key in _ORDER_KEYS):
        return _order(body, received_at, options)
    raise AdapterError(DeadLetterReason.UNKNOWN_FORMAT, "neither an order nor a tracking result")


def _unwrap(document: dict[str, Any]) -> dict[str, Any]:
    """Step through the TOP envelope (`…_response`) and a `result`/`target` member."""
    node = document
    for _ in range(_MAX_UNWRAP):
        if "details" in node or any(key in node for key in _ORDER_KEYS):
            return node
        inner = next((v for k, v in node.items() if isinstance(v, dict) and _is_wrapper(k)), None)
        if inner is None:
            return node
        node = inner
    return node


def _is_wrapper(key: str) -> bool:
    return key.endswith("_response") or key in ("result", "target")


def _top_list(value: object) -> list[Any]:
    """A list as TOP writes it: plain, or wrapped as `{"<item_type>": [...]}` (or one item)."""
    if isinstance(value, list):
        return value
    if isinstance(value, dict) and len(value) == 1:
        (inner,) = value.values()
        if isinstance(inner, list):
            return inner
        if isinstance(inner, dict):
            return [inner]
    return []


# --- orders --------------------------------------------------------------------------


def _order(body: dict[str, Any], received_at: datetime, options: AdapterOptions) -> AdapterResult:
    order = validated(RawOrder, body)
    order_id = _order_identifier(order, options)
    order_code, logistics_code = (order.order_status or "").strip(), (order.logistics_status or "").strip()
    if not order_code and not logistics_code:
        raise AdapterError(DeadLetterReason.SCHEMA_MISMATCH, "order without order_status or logistics_status")
    problems: list[Problem] = []
    mapping = _order_mapping(order_code, logistics_code, problems)
    raw_code = f"{order_code}/{logistics_code}"
    when, written = _order_time(order, order_code)
    entries = _top_list(body.get("logistics_info_list", body.get("logistic_info_list")))
    numbers = _unique_numbers(entries, problems)
    if not numbers:
        if any(p.kind == "bad_item" for p in problems):
            return result_of([], problems)
        return ignored("order names no parcel")
    flags: list[str] = []
    shares = _order_value_shares(order, len(numbers), flags)

    def parcel_event(numbered: tuple[int, str]) -> CanonicalEvent:
        index, number = numbered
        parcel = _parcel(number)
        return _event(
            options, received_at, parcel, raw_code, written, when, mapping,
            references=(order_id,),
            amounts=(shares[index],) if shares else (),
            flags=tuple(flags) + check_digit_flags([parcel]),
        )

    events = read_items(enumerate(numbers), parcel_event, "logistics_info_list", problems)
    return result_of(events, problems)


def _order_identifier(order: RawOrder, options: AdapterOptions) -> Identifier:
    written = order.id or order.order_id
    if written:
        try:
            return Identifier.of(Scheme.ALIEXPRESS_ORDER, written)
        except InvalidIdentifier as err:
            raise AdapterError(DeadLetterReason.BAD_VALUE, str(err)[:200]) from err
    header = subject_header(options, missing=None, parcel=False)
    if header is None or header.scheme is not Scheme.ALIEXPRESS_ORDER:
        raise AdapterError(DeadLetterReason.MISSING_SUBJECT, "order id neither in the payload nor in hub-subject")
    return header


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
        return _read_time(order.gmt_modified, ORDER_TIME_ZONE, assumed=False), order.gmt_modified.strip()
    if order_code == PLACED and order.gmt_create and order.gmt_create.strip():
        return _read_time(order.gmt_create, ORDER_TIME_ZONE, assumed=True), order.gmt_create.strip()
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
    if order.order_amount is None:
        return []
    money = order.order_amount
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


# --- tracking result -----------------------------------------------------------------


def _tracking_result(body: dict[str, Any], received_at: datetime, options: AdapterOptions) -> AdapterResult:
    if body.get("result_success") is False:
        detail = body.get("error_desc")
        return ignored(f"tracking query failed: {str(detail)[:100] if detail else 'no error_desc'}")
    parcel = subject_header(options, missing=None, parcel=False)
    if parcel is None or parcel.level is not Level.PARCEL:
        raise AdapterError(DeadLetterReason.MISSING_SUBJECT, "tracking details need a parcel in hub-subject")
    details = _top_list(body.get("details"))
    if not details:
        return ignored("no tracking details")
    flags = check_digit_flags([parcel])
    problems: list[Problem] = []
    events = read_items(
        details, lambda detail: _detail_event(detail, parcel, flags, received_at, options, problems), "details", problems
    )
    return result_of(events, problems)


def _detail_event(
    detail: object,
    parcel: Identifier,
    flags: tuple[str, ...],
    received_at: datetime,
    options: AdapterOptions,
    problems: list[Problem],
) -> CanonicalEvent:
    parsed = validated_item(RawDetail, detail)
    code = (parsed.status or "").strip()
    written = (parsed.event_date or "").strip()
    if not code or not written:
        raise BadItem("detail without status or event_date")
    try:
        when = _read_time(written, TRACKING_TIME_ZONE, assumed=True)
    except AdapterError as err:
        raise BadItem(err.message) from err
    mapping = lookup(DETAIL_CODES, code, problems)
    description = (parsed.event_desc or "").strip()[:300] or None
    return _event(options, received_at, parcel, code, written, when, mapping, description=description, flags=flags)


# --- shared --------------------------------------------------------------------------


def _read_time(text: str, zone: str, *, assumed: bool) -> PartnerTime:
    """A time with an offset as written (ISO, or TOP's compact form); without one, a wall time in `zone`."""
    stripped = text.strip()
    top = _TOP_TIME.match(stripped)
    if top:
        digits, millis, sign, hours, minutes = top.groups()
        try:
            naive = datetime.strptime(digits, "%Y%m%d%H%M%S").replace(microsecond=int(millis) * 1000)
            offset = (int(hours) * 60 + int(minutes)) * (-1 if sign == "-" else 1)
            return aware(naive.replace(tzinfo=timezone(timedelta(minutes=offset))), stripped)
        except (ValueError, AdapterError) as err:
            raise AdapterError(DeadLetterReason.BAD_VALUE, f"unrecognised time {stripped[:40]!r}") from err
    return parse_partner_time(stripped, _LOCAL_FORMATS, zone, assumed=assumed)


def _event(
    options: AdapterOptions,
    received_at: datetime,
    parcel: Identifier,
    raw_code: str,
    written: str | None,
    when: PartnerTime | None,
    mapping: CodeMapping,
    *,
    references: tuple[Identifier, ...] = (),
    description: str | None = None,
    amounts: tuple[Amount, ...] = (),
    flags: tuple[str, ...] = (),
) -> CanonicalEvent:
    """An event about one parcel; `written` is its time as AliExpress wrote it (None for a snapshot)."""
    try:
        return canonical_event(
            options, received_at, adapter_version=ADAPTER_VERSION, primary=parcel.value, time_text=written,
            subject=(parcel,), references=references, mapping=mapping, raw_code=raw_code, when=when,
            description=description, amounts=amounts, flags=flags,
        )
    except ValidationError as err:
        raise BadItem(first_error(err)) from err
