"""Wildberries `{"orders": [...]}` responses → canonical events (docs/partners/wildberries.md).

Four responses share the envelope, told apart per item:
- `POST /api/v3/orders/status`: `{id, supplierStatus, wbStatus}` without any time, so each
  is a snapshot: `occurred_at` = `received_at`, `time_source` observed, `raw_code`
  `supplierStatus/wbStatus`; the wbStatus decides unless it is `waiting` (then the
  supplierStatus does, see codes.py);
- `GET /api/v3/orders/new`: new assembly tasks, each the supplier status `new` at
  `createdAt` (UTC);
- the DBS status answer (`POST /api/marketplace/v3/dbs/orders/status/info`): the same
  snapshot keyed `orderId`, with per-item `errors`; an item that carries only errors (WB does
  not know the task) is no tracking fact: skipped with the error as a counted reason;
- the cross-border status history (`POST /api/v3/orders/status/history`): items keyed
  `orderID`, one event per `statuses[]` entry (`code`, `date` when given, else a snapshot),
  and `deliveryDate` (the planned delivery) as the promise on the latest event.

The list is partial-tolerant: an item that cannot be read is a `bad_item` problem and the
others are kept. Subject `wb_task:<id>`; no order reference (`rid`/`orderUid` have no
scheme and never link).

`order_value` = `finalPrice` (the buyer's payment after discounts, ×100 in the sale
currency `currencyCode`, ISO 4217 numeric via schemas.money.ISO_NUMERIC), on new orders
only; status responses carry no money. An unknown numeric currency is flagged, never
guessed.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from adapters._shared.code_table import UNMAPPED, CodeMapping
from adapters._shared.events import canonical_event, latest, unique_events
from adapters._shared.items import BadItem, items_result, read_items
from adapters._shared.safe_json import load_json
from adapters._shared.times import PartnerTime, parse_iso
from adapters._shared.validation import Tolerant, first_error, validated_item
from adapters.base import AdapterError, AdapterOptions, AdapterResult, Problem
from adapters.wildberries.codes import (
    DEFERS_TO_SUPPLIER,
    NEW_ORDER_CODE,
    SUPPLIER_STATUSES,
    WB_STATUSES,
    history_code,
)
from schemas import Amount, AmountKind, CanonicalEvent, DeadLetterReason, Identifier, Scheme
from schemas.identifiers import InvalidIdentifier
from schemas.money import ISO_NUMERIC, as_decimal, round_to_minor

ADAPTER_VERSION = 1

_WB_MINOR_FACTOR = Decimal(100)  # WB writes every amount "multiplied by 100" (docs/partners/wildberries.md#money)


class RawStatusItem(Tolerant):
    id: str
    supplierStatus: str | None = None
    wbStatus: str | None = None


class RawNewOrder(Tolerant):
    id: str
    createdAt: str
    finalPrice: str | None = None
    currencyCode: str | None = None


class RawHistoryItem(Tolerant):
    orderID: str
    statuses: list[Any] = []
    deliveryDate: str | None = None


class RawHistoryStatus(Tolerant):
    code: str
    date: str | None = None


def parse(raw: bytes, *, received_at: datetime, options: AdapterOptions) -> AdapterResult:
    document = load_json(raw)
    if not isinstance(document, dict) or not isinstance(document.get("orders"), list):
        raise AdapterError(DeadLetterReason.SCHEMA_MISMATCH, "a Wildberries response is {\"orders\": [...]}")
    problems: list[Problem] = []
    per_item = read_items(
        document["orders"], lambda item: _item_events(item, received_at, options, problems), "orders", problems
    )
    return items_result([e for events in per_item for e in events], problems, when_empty="no orders")


def _item_events(
    item: object, received_at: datetime, options: AdapterOptions, problems: list[Problem]
) -> list[CanonicalEvent]:
    if not isinstance(item, dict):
        raise BadItem("not an object")
    try:
        if "orderID" in item and "statuses" in item:
            return _history_events(RawHistoryItem.model_validate(item), received_at, options, problems)
        if "orderId" in item and "id" not in item:  # the DBS answer names its task `orderId`
            if _only_errors(item, problems):
                return []
            item = {**item, "id": item["orderId"]}
        if "supplierStatus" in item or "wbStatus" in item:
            return [_status_event(RawStatusItem.model_validate(item), received_at, options, problems)]
        if "createdAt" in item:
            return [_new_order_event(RawNewOrder.model_validate(item), received_at, options, problems)]
    except ValidationError as err:
        raise BadItem(first_error(err)) from err
    raise BadItem("neither a status (supplierStatus/wbStatus), an order (createdAt) nor a history (statuses)")


def _only_errors(item: dict[str, Any], problems: list[Problem]) -> bool:
    """A DBS item whose statuses are empty and whose `errors` say why: no tracking fact, counted."""
    errors = item.get("errors")
    if not errors or (item.get("supplierStatus") or item.get("wbStatus")):
        return False
    first = errors[0] if isinstance(errors, list) and errors else errors
    why = " ".join(str(first.get(k))[:60] for k in ("code", "detail") if first.get(k)) if isinstance(first, dict) else ""
    problems.append(Problem("item_error", f"task {str(item.get('orderId'))[:20]}: {why or str(first)[:60]}"))
    return True


def _history_events(
    item: RawHistoryItem, received_at: datetime, options: AdapterOptions, problems: list[Problem]
) -> list[CanonicalEvent]:
    task = _task(item.orderID)
    events: list[CanonicalEvent] = []
    for entry in item.statuses:
        status = validated_item(RawHistoryStatus, entry)
        code = status.code.strip()
        mapping = history_code(code)
        if mapping is None:
            problems.append(Problem("unknown_code", code[:60]))
        written = (status.date or "").strip() or None
        try:
            when = parse_iso(written) if written else None
        except AdapterError as err:
            raise BadItem(err.message) from err
        events.append(_event(options, received_at, task, mapping or UNMAPPED, code, time_text=written, when=when))
    events = unique_events(events)
    if events and item.deliveryDate and item.deliveryDate.strip():
        try:
            promised = parse_iso(item.deliveryDate).instant
        except AdapterError:
            promised = None
            problems.append(Problem("bad_value", f"task {task.value} deliveryDate {item.deliveryDate[:40]!r}"))
        if promised is not None:
            newest = latest(events)
            events[newest] = events[newest].model_copy(update={"promised_delivery": promised})
    return events


def _status_event(
    item: RawStatusItem, received_at: datetime, options: AdapterOptions, problems: list[Problem]
) -> CanonicalEvent:
    task = _task(item.id)
    supplier, wb = (item.supplierStatus or "").strip(), (item.wbStatus or "").strip()
    if not supplier and not wb:
        raise BadItem(f"task {task.value} has neither supplierStatus nor wbStatus")
    for code, table in ((supplier, SUPPLIER_STATUSES), (wb, WB_STATUSES)):
        if code and code not in table:
            problems.append(Problem("unknown_code", code))
    if wb and wb not in DEFERS_TO_SUPPLIER:
        mapping = WB_STATUSES.get(wb, UNMAPPED)
    elif supplier:
        mapping = SUPPLIER_STATUSES.get(supplier, UNMAPPED)
    else:
        mapping = WB_STATUSES[wb]
    return _event(options, received_at, task, mapping, f"{supplier}/{wb}", time_text=None, when=None)


def _new_order_event(
    item: RawNewOrder, received_at: datetime, options: AdapterOptions, problems: list[Problem]
) -> CanonicalEvent:
    task = _task(item.id)
    try:
        when = parse_iso(item.createdAt)
    except AdapterError as err:
        raise BadItem(err.message) from err
    flags: list[str] = []
    amounts = _order_value(item, flags)
    return _event(
        options, received_at, task, SUPPLIER_STATUSES[NEW_ORDER_CODE], NEW_ORDER_CODE,
        time_text=item.createdAt.strip(), when=when, amounts=amounts, flags=tuple(flags),
    )


def _order_value(item: RawNewOrder, flags: list[str]) -> tuple[Amount, ...]:
    if item.finalPrice is None:
        return ()
    code = (item.currencyCode or "").strip()
    currency = ISO_NUMERIC.get(int(code)) if code.isascii() and code.isdigit() and len(code) <= 4 else None
    if currency is None:
        flags.append(f"unknown_currency:{code[:8]}")
        return ()
    try:
        # ×100 is WB's convention for every currency; dividing back and rounding to the
        # currency's own minor unit keeps a zero-decimal currency right.
        minor = round_to_minor(as_decimal(item.finalPrice) / _WB_MINOR_FACTOR, currency)
    except (ValueError, ArithmeticError):
        flags.append("order_value_unreadable")
        return ()
    return (Amount(kind=AmountKind.ORDER_VALUE, minor=minor, currency=currency),)


def _event(
    options: AdapterOptions,
    received_at: datetime,
    task: Identifier,
    mapping: CodeMapping,
    raw_code: str,
    *,
    time_text: str | None,
    when: PartnerTime | None,
    amounts: tuple[Amount, ...] = (),
    flags: tuple[str, ...] = (),
) -> CanonicalEvent:
    try:
        return canonical_event(
            options, received_at, adapter_version=ADAPTER_VERSION, primary=task.value, time_text=time_text,
            subject=(task,), mapping=mapping, raw_code=raw_code, when=when, amounts=amounts, flags=flags,
        )
    except ValidationError as err:
        raise BadItem(first_error(err)) from err


def _task(raw_id: str) -> Identifier:
    try:
        return Identifier.of(Scheme.WB_TASK, raw_id)
    except InvalidIdentifier as err:
        raise BadItem(str(err)[:200]) from err
