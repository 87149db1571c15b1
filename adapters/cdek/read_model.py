"""The CDEK order read model, GET /v2/orders/{uuid} (docs/partners/cdek.md#order-read-model).

One event per `entity.statuses[]` entry, each with the same event id a webhook of that
status gets (cdek_number, code, time as written). A response about a print form or barcode
(entity with `url`/`orders`), or an order without statuses, is ignored
(docs/partners/cdek.md#a-print-form-is-not-an-order).

Money (CDEK writes floats in currency units, read as Decimal via their text):
- `order_value` = Σ `packages[].items[].cost` × `amount`, in `items_cost_currency` (RUB when
  absent): the goods' value, which CDEK calls the declared value; it rides on every event.
- `cod` = `delivery_detail.payment_sum`, COD actually taken, in `recipient_currency` (RUB
  when absent); `delivery_fee` = `delivery_detail.delivery_sum`, the tariff cost, assumed RUB
  (CDEK names no currency for it [I]). Both ride on the delivered event (delivery_detail is
  "информация о вручении"), or on the latest event when no status is a delivery.
- `delivery_detail.total_sum` ("Итоговая стоимость заказа") is CDEK's total charge for the
  service (tariff plus extra services less discounts, beside `delivery_vat_*` and
  `delivery_discount_*`), not the goods' value; it is not emitted, since `delivery_sum`
  already is the delivery fee.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import ValidationError, field_validator

from adapters._shared.events import latest, unique_events
from adapters._shared.items import read_items
from adapters._shared.validation import first_error, validated
from adapters.base import AdapterError, AdapterOptions, AdapterResult, Problem, ignored, result_of
from adapters.cdek.codes import CDEK_CURRENCIES
from adapters.cdek.status import CdekObject, StatusLine, int_as_text, read_order, status_event
from schemas import Amount, AmountKind, CanonicalEvent, Milestone, Status
from schemas.identifiers import InvalidIdentifier
from schemas.money import BadAmount, as_decimal, round_to_minor


class RawStatus(CdekObject):
    code: str
    name: str | None = None
    reason_code: str | None = None
    date_time: str
    city: str | None = None

    _text = field_validator("reason_code", mode="before")(int_as_text)


class RawOrderEntity(CdekObject):
    uuid: str | None = None
    cdek_number: str | None = None
    number: str | None = None
    is_return: bool = False
    statuses: list[Any] = []
    related_entities: list[Any] = []
    packages: list[Any] = []
    delivery_detail: dict[str, Any] | list[Any] | None = None
    items_cost_currency: str | None = None
    recipient_currency: str | None = None

    _text = field_validator("cdek_number", "number", "items_cost_currency", "recipient_currency", mode="before")(
        int_as_text
    )


class RawReadModel(CdekObject):
    entity: dict[str, Any]
    related_entities: list[Any] = []


def read_model_response(document: dict[str, Any], received_at: datetime, options: AdapterOptions) -> AdapterResult:
    response = validated(RawReadModel, document)
    if {"url", "orders", "copy_count"} & response.entity.keys():
        return ignored("CDEK print form or barcode response, not an order")
    entity = validated(RawOrderEntity, response.entity)
    if not entity.statuses:
        return ignored("CDEK order without statuses")
    relations = [*response.related_entities, *entity.related_entities]
    order = read_order(entity.cdek_number, entity.uuid, entity.number, entity.is_return, relations, options)
    problems = order.problems
    statuses: list[tuple[StatusLine, str | None]] = []
    for index, item in enumerate(entity.statuses):
        try:
            status = RawStatus.model_validate(item)
        except ValidationError as err:
            problems.append(Problem("bad_item", f"statuses[{index}]: {first_error(err)}"))
            continue
        statuses.append((StatusLine(status.code, None, status.reason_code, status.date_time, status.city), status.name))
    order_value = _order_value(entity, problems)
    delivery_amounts = _delivery_amounts(entity, problems)

    def read(status: tuple[StatusLine, str | None]) -> CanonicalEvent:
        event, status_problems = status_event(order, status[0], order_value, received_at, options, status[1])
        problems.extend(status_problems)
        return event

    built = read_items(statuses, read, "statuses", problems, catch=(AdapterError, ValidationError, InvalidIdentifier))
    return result_of(_with_delivery_amounts(unique_events(built), delivery_amounts), problems)


def _order_value(entity: RawOrderEntity, problems: list[Problem]) -> tuple[Amount, ...]:
    currency = _currency(entity.items_cost_currency, problems)
    total = Decimal(0)
    seen = False
    items = [
        item
        for package in entity.packages
        if isinstance(package, dict) and isinstance(package.get("items"), list)
        for item in package["items"]
        if isinstance(item, dict) and item.get("cost") is not None
    ]
    try:
        for item in items:
            total += as_decimal(item["cost"]) * as_decimal(item.get("amount", 1))
            seen = True
    except (BadAmount, ArithmeticError) as err:
        problems.append(Problem("bad_amount", f"packages items: {str(err)[:200]}"))
        return ()
    if not seen or currency is None:
        return ()
    return _amount(AmountKind.ORDER_VALUE, total, currency, problems)


def _delivery_amounts(entity: RawOrderEntity, problems: list[Problem]) -> tuple[Amount, ...]:
    detail = entity.delivery_detail
    if isinstance(detail, list):  # the SDK DTO types it as a list, the API sends an object
        detail = next((d for d in detail if isinstance(d, dict)), None)
    if not detail:
        return ()
    amounts: list[Amount] = []
    recipient_currency = _currency(entity.recipient_currency, problems)
    for key, kind, currency in (
        ("payment_sum", AmountKind.COD, recipient_currency),
        ("delivery_sum", AmountKind.DELIVERY_FEE, "RUB"),
    ):
        if detail.get(key) is None or currency is None:
            continue
        try:
            amounts.extend(_amount(kind, as_decimal(detail[key]), currency, problems))
        except (BadAmount, ArithmeticError) as err:
            problems.append(Problem("bad_amount", f"delivery_detail.{key}: {err}"))
    return tuple(amounts)


def _with_delivery_amounts(events: list[CanonicalEvent], amounts: tuple[Amount, ...]) -> list[CanonicalEvent]:
    if not amounts or not events:
        return events
    delivered = [i for i, e in enumerate(events) if _is_delivery(e)]
    targets = delivered or [latest(events)]
    return [
        e.model_copy(update={"amounts": e.amounts + amounts}) if i in targets else e for i, e in enumerate(events)
    ]


def _is_delivery(event: CanonicalEvent) -> bool:
    return event.milestone in (Milestone.DELIVERED, Milestone.RETURNED_TO_SENDER) and event.status in (
        Status.DELIVERED,
        Status.RETURNED,
    )


def _currency(value: str | None, problems: list[Problem]) -> str | None:
    if value is None or not str(value).strip():
        return "RUB"
    text = str(value).strip()
    if text in CDEK_CURRENCIES:
        return CDEK_CURRENCIES[text]
    if len(text) == 3 and text.isascii() and text.isalpha():
        return text.upper()
    problems.append(Problem("bad_amount", f"currency {text[:20]!r}"))
    return None


def _amount(kind: AmountKind, value: Decimal, currency: str, problems: list[Problem]) -> tuple[Amount, ...]:
    if abs(value) > Decimal("1e15"):
        problems.append(Problem("bad_amount", f"{kind.value} {value!s:.40} out of range"))
        return ()
    return (Amount(kind=kind, minor=round_to_minor(value, currency), currency=currency),)
