"""SPSR Express invoice info (XML, `DataEditManagment/GetInvoiceInfo` v1.1) → events (docs/partners/spsr.md).

The answer holds one or more `Invoice` elements (under `GetInvoiceInfo`, in SPSR's
`http://spsr.ru/webapi/...` namespace); each field is an attribute of `Invoice`, as the
PHP client reads them (a child element of the same name is read too). One event per
invoice: its current state `CurState`.

- Parcel: `ShipmentNumber` (`spsr:` identifier); when absent, the `hub-subject` header.
- Shop reference: `ShipRefNum` (the client's order number) → `shop:<partner>/<number>`.
  `OrderNumber` is a courier-call order, not the shop's, and is not kept.
- Time: `DeliveryDT` for `Доставлено` / `Не доставлено`, local time without zone (its exact
  format is not documented; ISO and `dd.MM.yyyy HH:mm[:ss]` are read) → options.assumed_zone
  with `offset_assumed`. `Обработка` has no time: occurred_at is received_at with
  time_source `observed`, and the event id hashes no time, so every poll of the same
  state gives one event.
- Money, roubles: `order_value` = `DeclaredSum` (объявленная ценность, the declared value
  of the contents: the one value every invoice carries, prepaid or not); `cod` =
  `CODGoodsSum` + `CODDeliverySum` (what the recipient pays on delivery: goods plus
  delivery). `InsuranceSum` has no canonical kind and is not kept.
- No location or personal data: `Shipper`, `Receiver` and `Pieces` are not read.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from xml.etree.ElementTree import Element

from pydantic import ValidationError

from adapters._shared.code_table import lookup
from adapters._shared.events import canonical_event, check_digit_flags
from adapters._shared.items import read_items
from adapters._shared.safe_xml import children_named, load_xml, local_name
from adapters._shared.subject import subject_header
from adapters._shared.times import ISO_WALL_FORMATS, RUSSIAN_WALL_FORMATS, parse_partner_time
from adapters.base import AdapterError, AdapterOptions, AdapterResult, Problem, ignored, result_of
from adapters.spsr.codes import STATE_BY_KEY, UNTIMED_STATE, state_key
from schemas import Amount, AmountKind, CanonicalEvent, DeadLetterReason, Identifier, Scheme
from schemas.identifiers import InvalidIdentifier
from schemas.money import BadAmount, as_decimal, round_to_minor

ADAPTER_VERSION = 1

# DeliveryDT's format is undocumented (docs/partners/spsr.md#timestamps): ISO and dd.MM.yyyy are read.
LOCAL_FORMATS = (*ISO_WALL_FORMATS, *RUSSIAN_WALL_FORMATS)


def parse(raw: bytes, *, received_at: datetime, options: AdapterOptions) -> AdapterResult:
    root = load_xml(raw)
    invoices = children_named(root, "Invoice")
    if not invoices:
        if children_named(root, "Error") or children_named(root, "error"):
            return ignored("SPSR error answer without an invoice")
        raise AdapterError(DeadLetterReason.UNKNOWN_FORMAT, f"no Invoice in <{local_name(root)[:40]}>")
    problems: list[Problem] = []
    if len(invoices) == 1:  # the invoice is the message: what breaks it dead-letters the message
        try:
            return result_of([_event(invoices[0], received_at, options, problems)], problems)
        except (ValidationError, InvalidIdentifier) as err:
            raise AdapterError(DeadLetterReason.BAD_VALUE, str(err)[:200]) from err
    events = read_items(
        invoices, lambda invoice: _event(invoice, received_at, options, problems), "Invoice", problems,
        catch=(AdapterError, ValidationError, InvalidIdentifier),
    )
    return result_of(events, problems)


def _event(invoice: Element, received_at: datetime, options: AdapterOptions, problems: list[Problem]) -> CanonicalEvent:
    subject, odd = _subject(_field(invoice, "ShipmentNumber"), options)
    state = _field(invoice, "CurState")
    if not state:
        raise AdapterError(DeadLetterReason.SCHEMA_MISMATCH, "Invoice without CurState")
    raw_code = " ".join(state.split())
    mapping = lookup(STATE_BY_KEY, state_key(state), problems, shown=raw_code[:200])
    written = _field(invoice, "DeliveryDT")
    if state_key(state) == state_key(UNTIMED_STATE) or not written:
        written = None
    when = parse_partner_time(written, LOCAL_FORMATS, options.assumed_zone, assumed=True) if written else None
    return canonical_event(
        options,
        received_at,
        adapter_version=ADAPTER_VERSION,
        primary=subject.value,
        time_text=written,
        subject=(subject,),
        references=_references(_field(invoice, "ShipRefNum"), options, problems),
        mapping=mapping,
        raw_code=raw_code,
        when=when,
        amounts=_amounts(invoice, problems),
        # A number SPSR wrote has no check digit; one from the header may.
        flags=check_digit_flags([subject]) + odd,
    )


def _field(invoice: Element, name: str) -> str | None:
    """An Invoice field: its attribute, else a direct child element's text; stripped, None if empty."""
    value = invoice.get(name)
    if value is None:
        child = invoice.find(name)
        value = child.text if child is not None else None
    value = (value or "").strip()
    return value or None


def _subject(shipment_number: str | None, options: AdapterOptions) -> tuple[Identifier, tuple[str, ...]]:
    """ShipmentNumber, else the header; an odd ShipmentNumber is flagged and the header carries
    the event, and only with no header at all is the invoice refused (issue 17)."""
    if shipment_number:
        try:
            return Identifier.of(Scheme.SPSR, shipment_number), ()
        except InvalidIdentifier as err:
            header = subject_header(options, missing=None)
            if header is None:
                raise AdapterError(DeadLetterReason.BAD_VALUE, str(err)) from err
            return header, (f"odd_identifier:ShipmentNumber:{shipment_number[:40]}",)
    subject = subject_header(options, missing="Invoice without ShipmentNumber and no hub-subject")
    assert subject is not None  # a `missing` message makes an absent header an error
    return subject, ()

def _references(ship_ref: str | None, options: AdapterOptions, problems: list[Problem]) -> tuple[str, ...]:
    if not ship_ref:
        return ()
    try:
        return (str(Identifier.shop(options.partner, ship_ref)),)
    except InvalidIdentifier:
        problems.append(Problem("bad_reference", f"ShipRefNum {ship_ref[:60]!r}"))
        return ()


def _amounts(invoice: Element, problems: list[Problem]) -> tuple[Amount, ...]:
    amounts: list[Amount] = []
    declared = _sum(invoice, ("DeclaredSum",), problems)
    if declared is not None:
        amounts.append(Amount(kind=AmountKind.ORDER_VALUE, minor=round_to_minor(declared, "RUB"), currency="RUB"))
    cod = _sum(invoice, ("CODGoodsSum", "CODDeliverySum"), problems)
    if cod is not None:
        amounts.append(Amount(kind=AmountKind.COD, minor=round_to_minor(cod, "RUB"), currency="RUB"))
    return tuple(amounts)


def _sum(invoice: Element, names: tuple[str, ...], problems: list[Problem]) -> Decimal | None:
    """The sum of the named fields that are present; None when none is, or one is not a number."""
    total: Decimal | None = None
    for name in names:
        text = _field(invoice, name)
        if text is None:
            continue
        try:
            value = as_decimal(text)
            if abs(value) > 10**15:
                raise BadAmount(f"{text[:40]!r} out of range")
        except (BadAmount, ArithmeticError) as err:
            problems.append(Problem("bad_amount", f"{name}: {str(err)[:100]}"))
            return None
        total = value if total is None else total + value
    return total
