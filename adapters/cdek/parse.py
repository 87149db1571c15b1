"""CDEK API v2 → canonical events (docs/partners/cdek.md): ORDER_STATUS webhooks and the order read model.

The format is told by content: an object with `type` is a webhook, one with `entity` is a
GET /v2/orders/{uuid} response.
- Webhook `ORDER_STATUS` → one event; every other webhook type (`PRINT_FORM`,
  `DOWNLOAD_PHOTO`, ...) is not a tracking message and is ignored. `occurred_at` is
  `status_date_time` (when the status was set), not `date_time` (when the webhook was sent).
- Read model → one event per `entity.statuses[]` entry, each with the same event id a
  webhook of that status gets (cdek_number, code, time as written). A response about a print
  form or barcode (entity with `url`/`orders`), or an order without statuses, is ignored.

Identity: subject is `cdek:<cdek_number>` and `cdek_uuid:<uuid>`; a return order also
carries its forward order's `cdek_uuid` (and `cdek` number when given) from
`related_entities` (`direct_order` / `return_order`), so identity links the two orders of
one parcel. The shop's `number` is a reference `shop:<partner>/<number>`.

Returns: on a return order (`is_return`), the whole journey is the way back, so every
forward status (info received, in transit, out for delivery, at a pickup point, attempt
failed) becomes `returning`, its creation `return_started`, and its delivery `returned`
with milestone `returned_to_sender`. Client returns and reverse orders are left as they are.

Reasons: the additional status (`status_reason_code` / `reason_code`, codes.REASON_CODES)
sets the reason and the party at fault, replacing a code's default reason.

Money (read model only; CDEK writes floats in currency units, read as Decimal via their text):
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

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from adapters._shared.code_table import CodeMapping, lookup
from adapters._shared.events import canonical_event, latest, unique_events
from adapters._shared.items import read_items
from adapters._shared.safe_json import load_json
from adapters._shared.times import parse_iso
from adapters._shared.validation import first_error, validated
from adapters.base import AdapterError, AdapterOptions, AdapterResult, Problem, ignored, result_of
from adapters.cdek.codes import CDEK_CURRENCIES, LINKING_RELATIONS, REASON_CODES, STATUS_CODES, canonical_code
from schemas import Amount, AmountKind, CanonicalEvent, DeadLetterReason, Identifier, Location, Milestone, Scheme, Status
from schemas.identifiers import InvalidIdentifier
from schemas.money import BadAmount, as_decimal, round_to_minor

ADAPTER_VERSION = 2


class _Tolerant(BaseModel):
    # Not adapters._shared.validation.Tolerant: a number is text only where CDEK's own SDK
    # and docs disagree on the type (`_int_as_text`); elsewhere it is a schema mismatch.
    model_config = ConfigDict(extra="ignore")


def _int_as_text(value: object) -> object:
    # The SDK DTO types cdek_number as int, the docs example as a string: accept both.
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


class RawStatusAttributes(_Tolerant):
    is_return: bool = False
    cdek_number: str | None = None
    number: str | None = None
    code: str | None = None
    status_code: str | None = None
    status_reason_code: str | None = None
    status_date_time: str
    city: str | None = None
    city_name: str | None = None
    related_entities: list[Any] = []

    _text = field_validator("cdek_number", "number", "status_code", "status_reason_code", mode="before")(_int_as_text)


class RawWebhook(_Tolerant):
    type: str
    uuid: str | None = None
    attributes: dict[str, object] = {}


class RawStatus(_Tolerant):
    code: str
    name: str | None = None
    reason_code: str | None = None
    date_time: str
    city: str | None = None

    _text = field_validator("reason_code", mode="before")(_int_as_text)


class RawOrderEntity(_Tolerant):
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
        _int_as_text
    )


class RawReadModel(_Tolerant):
    entity: dict[str, Any]
    related_entities: list[Any] = []


@dataclass
class _Order:
    """What every status of one CDEK order shares."""

    subject: tuple[str, ...]
    primary: str
    references: tuple[str, ...]
    is_return: bool
    problems: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class _Status:
    """One status as either format writes it."""

    code: str | None
    legacy_numeric: str | None
    reason_code: str | None
    time_text: str
    city: str | None


def parse(raw: bytes, *, received_at: datetime, options: AdapterOptions) -> AdapterResult:
    document = load_json(raw)
    if not isinstance(document, dict):
        raise AdapterError(DeadLetterReason.SCHEMA_MISMATCH, "a CDEK message is a JSON object")
    if "type" in document:
        return _parse_webhook(document, received_at, options)
    if "entity" in document:
        return _parse_read_model(document, received_at, options)
    if "requests" in document:
        return ignored("CDEK response without an entity (a failed request)")
    raise AdapterError(DeadLetterReason.UNKNOWN_FORMAT, "neither a CDEK webhook nor an order read model")


# --- webhook -------------------------------------------------------------------------------


def _parse_webhook(document: dict[str, Any], received_at: datetime, options: AdapterOptions) -> AdapterResult:
    webhook = validated(RawWebhook, document)
    if webhook.type != "ORDER_STATUS":
        return ignored(f"webhook type {webhook.type}")
    attributes = validated(RawStatusAttributes, webhook.attributes)
    order = _order(
        attributes.cdek_number,
        webhook.uuid,
        attributes.number,
        attributes.is_return,
        attributes.related_entities,
        options,
    )
    raw = _Status(
        attributes.code,
        attributes.status_code,
        attributes.status_reason_code,
        attributes.status_date_time,
        attributes.city or attributes.city_name,
    )
    if not (raw.code or raw.legacy_numeric):
        raise AdapterError(DeadLetterReason.SCHEMA_MISMATCH, "ORDER_STATUS without code or status_code")
    try:
        event, problems = _status_event(order, raw, (), received_at, options)
    except ValidationError as err:
        raise AdapterError(DeadLetterReason.BAD_VALUE, first_error(err)) from err
    return result_of([event], order.problems + problems)


# --- order read model ----------------------------------------------------------------------


def _parse_read_model(document: dict[str, Any], received_at: datetime, options: AdapterOptions) -> AdapterResult:
    response = validated(RawReadModel, document)
    if {"url", "orders", "copy_count"} & response.entity.keys():
        return ignored("CDEK print form or barcode response, not an order")
    entity = validated(RawOrderEntity, response.entity)
    if not entity.statuses:
        return ignored("CDEK order without statuses")
    relations = [*response.related_entities, *entity.related_entities]
    order = _order(entity.cdek_number, entity.uuid, entity.number, entity.is_return, relations, options)
    problems = order.problems
    statuses: list[tuple[_Status, str | None]] = []
    for index, item in enumerate(entity.statuses):
        try:
            status = RawStatus.model_validate(item)
        except ValidationError as err:
            problems.append(Problem("bad_item", f"statuses[{index}]: {first_error(err)}"))
            continue
        statuses.append((_Status(status.code, None, status.reason_code, status.date_time, status.city), status.name))
    order_value = _order_value(entity, problems)
    delivery_amounts = _delivery_amounts(entity, problems)

    def read(status: tuple[_Status, str | None]) -> CanonicalEvent:
        event, status_problems = _status_event(order, status[0], order_value, received_at, options, status[1])
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


# --- shared: one status of one order -------------------------------------------------------


def _order(
    cdek_number: str | None,
    uuid: str | None,
    shop_number: str | None,
    is_return: bool,
    relations: list[Any],
    options: AdapterOptions,
) -> _Order:
    problems: list[Problem] = []
    identifiers: list[str] = []
    try:
        if cdek_number:
            identifiers.append(str(Identifier.of(Scheme.CDEK, cdek_number)))
        if uuid:
            identifiers.append(str(Identifier.of(Scheme.CDEK_UUID, uuid)))
    except InvalidIdentifier as err:
        raise AdapterError(DeadLetterReason.BAD_VALUE, str(err)) from err
    if not identifiers:
        raise AdapterError(DeadLetterReason.SCHEMA_MISMATCH, "the order names neither cdek_number nor uuid")
    for relation in relations:
        for linked in _linked_identifiers(relation, problems):
            if linked not in identifiers:
                identifiers.append(linked)
    references: tuple[str, ...] = ()
    if shop_number:
        try:
            references = (str(Identifier.shop(options.partner, shop_number)),)
        except InvalidIdentifier:
            problems.append(Problem("bad_reference", f"shop number {shop_number[:60]!r}"))
    primary = cdek_number or uuid or ""
    return _Order(tuple(identifiers), primary, references, is_return, problems)


def _linked_identifiers(relation: object, problems: list[Problem]) -> list[str]:
    if not isinstance(relation, dict) or not isinstance(relation.get("type"), str):
        return []
    if relation["type"] not in LINKING_RELATIONS:
        return []
    linked = []
    for scheme, key in ((Scheme.CDEK_UUID, "uuid"), (Scheme.CDEK, "cdek_number")):
        value = relation.get(key)
        if value is None or isinstance(value, bool) or not isinstance(value, str | int):
            continue
        try:
            linked.append(str(Identifier.of(scheme, str(value))))
        except InvalidIdentifier:
            problems.append(Problem("bad_reference", f"related {relation.get('type')} {key} {str(value)[:60]!r}"))
    return linked


def _status_event(
    order: _Order,
    raw: _Status,
    amounts: tuple[Amount, ...],
    received_at: datetime,
    options: AdapterOptions,
    name: str | None = None,
) -> tuple[CanonicalEvent, list[Problem]]:
    problems: list[Problem] = []
    raw_code = raw.code or raw.legacy_numeric or ""
    mapping = lookup(STATUS_CODES, canonical_code(raw.code, raw.legacy_numeric) or "", problems, shown=raw_code)
    status, milestone = mapping.status, mapping.milestone
    reason, party = mapping.reason, mapping.party
    description = name or mapping.description or None
    if raw.reason_code:
        known = REASON_CODES.get(raw.reason_code.strip())
        if known is None:
            problems.append(Problem("unknown_code", f"reason_code:{raw.reason_code[:40]}"))
        else:
            reason, party = known.reason, known.party
            if known.overrides is not None:
                status, milestone = known.overrides
            description = "; ".join(filter(None, [description, known.description]))
    if order.is_return:
        status, milestone = _on_return_order(status, milestone)
    event = canonical_event(
        options,
        received_at,
        adapter_version=ADAPTER_VERSION,
        primary=order.primary,
        time_text=raw.time_text,
        subject=order.subject,
        references=order.references,
        mapping=CodeMapping(status, milestone, reason, party),
        raw_code=raw_code,
        when=parse_iso(raw.time_text),
        description=description,
        location=Location(city=raw.city, country=options.country) if raw.city else None,
        amounts=amounts,
    )
    return event, problems


# On a return order every forward step is a step of the way back.
_RETURN_STATUS = {
    Status.INFO_RECEIVED: Status.RETURNING,
    Status.IN_TRANSIT: Status.RETURNING,
    Status.OUT_FOR_DELIVERY: Status.RETURNING,
    Status.AVAILABLE_FOR_PICKUP: Status.RETURNING,
    Status.ATTEMPT_FAILED: Status.RETURNING,
    Status.DELIVERED: Status.RETURNED,
}
_RETURN_MILESTONE = {
    Milestone.ORDER_PLACED: Milestone.RETURN_STARTED,
    Milestone.DELIVERED: Milestone.RETURNED_TO_SENDER,
}


def _on_return_order(status: Status, milestone: Milestone) -> tuple[Status, Milestone]:
    return _RETURN_STATUS.get(status, status), _RETURN_MILESTONE.get(milestone, milestone)


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
