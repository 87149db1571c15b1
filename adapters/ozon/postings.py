"""The Ozon FBS posting read model (docs/partners/ozon.md#posting-read-model).

`result` holds one posting, `result.postings[]` or a list of them. Each is a snapshot of
`status` and `substatus` with no time of its own, so `occurred_at` is `received_at` and
`time_source` observed. `raw_code` is `status/substatus`; the substatus decides when the
table has it, else the status.

Identifiers: subject `ozon_posting:<posting_number>`, plus the carrier's parcel when the
posting's `tracking_number` fits exactly one carrier scheme (s10, rp, cdek, boxberry,
else cainiao), never guessed: an ambiguous or unknown number is flagged instead;
references `ozon_order:<order_number>` when the payload gives it (never derived).

`order_value` = Σ `products[].price` × `products[].quantity` (decimal strings in the
products' `currency_code`, roubles when absent; in the current FBS list a price is an
object `{amount, currency}`, docs/partners/ozon.md#money).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from adapters._shared.code_table import UNMAPPED, CodeMapping
from adapters._shared.items import BadItem, items_result, read_items
from adapters._shared.validation import Tolerant, validated_item
from adapters.base import AdapterError, AdapterOptions, AdapterResult, Problem, result_of
from adapters.ozon.codes import STATUSES, SUBSTATUSES
from adapters.ozon.event import posting_event
from adapters.ozon.tracking_number import carrier_parcel
from schemas import Amount, AmountKind, CanonicalEvent, DeadLetterReason, Identifier, Scheme
from schemas.identifiers import InvalidIdentifier
from schemas.money import as_decimal, round_to_minor

DEFAULT_CURRENCY = "RUB"  # docs/partners/ozon.md#money: Ozon prices are roubles; older responses omit currency_code
_MAX_FLAG_VALUE = 64


class RawProduct(Tolerant):
    price: str | dict[str, Any] | None = None
    quantity: int | None = None
    currency_code: str | None = None

    def amount_and_currency(self) -> tuple[object, str | None]:
        """The price and its currency: `"279.0000"` with `currency_code`, or `{amount, currency}`."""
        if isinstance(self.price, dict):
            currency = self.price.get("currency") or self.price.get("currency_code") or self.currency_code
            return self.price.get("amount"), str(currency) if currency else None
        return self.price, self.currency_code


class RawPosting(Tolerant):
    posting_number: str
    order_number: str | None = None
    status: str | None = None
    substatus: str | None = None
    tracking_number: str | None = None
    products: Any = None
    delivery_method: Any = None


def read_postings(result: object, received_at: datetime, options: AdapterOptions) -> AdapterResult:
    if isinstance(result, dict) and isinstance(result.get("postings"), list):
        return _posting_list(result["postings"], received_at, options)
    if isinstance(result, list):
        return _posting_list(result, received_at, options)
    if not isinstance(result, dict):
        raise AdapterError(DeadLetterReason.SCHEMA_MISMATCH, "result is neither a posting nor a list of postings")
    problems: list[Problem] = []
    try:
        event = _read_posting(result, received_at, options, problems)
    except BadItem as err:
        raise err.as_error() from err
    return result_of([event], problems)


def _posting_list(postings: list[Any], received_at: datetime, options: AdapterOptions) -> AdapterResult:
    problems: list[Problem] = []
    events = read_items(
        postings, lambda posting: _read_posting(posting, received_at, options, problems), "postings", problems
    )
    return items_result(events, problems, when_empty="no postings")


def _read_posting(
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
    method = posting.delivery_method if isinstance(posting.delivery_method, dict) else {}
    carrier = carrier_parcel(posting.tracking_number, str(method.get("tpl_provider") or ""), flags)
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
        return posting_event(
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
            price, currency_code = product.amount_and_currency()
            if price is None or product.quantity is None or product.quantity < 0:
                raise ValueError("product without price or quantity")
            total += as_decimal(price) * product.quantity
            currencies.add((currency_code or "").strip() or DEFAULT_CURRENCY)
        if len(currencies) != 1:
            flags.append("order_value_mixed_currencies")
            return ()
        (currency,) = currencies
        return (Amount(kind=AmountKind.ORDER_VALUE, minor=round_to_minor(total, currency), currency=currency),)
    except (ValidationError, ValueError, ArithmeticError):
        flags.append("order_value_unreadable")
        return ()
