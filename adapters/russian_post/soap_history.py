"""Russian Post single access, `getOperationHistory` (docs/partners/russian-post.md#historyrecord-single-access).

One `historyRecord` per operation, times with offsets, `FinanceParameters` in kopecks:
`Payment` → `cod`, `Value` → `declared`, `MassRate` (total postage) → `delivery_fee`,
`CustomDuty` → `duty`. A record without a barcode of its own is the history's parcel, or
the `hub-subject` header's when no record names one.
"""

from __future__ import annotations

from datetime import datetime
from xml.etree.ElementTree import Element

from adapters._shared.code_table import UNMAPPED
from adapters._shared.items import BadItem, read_items
from adapters._shared.safe_xml import children_named, first_child, text_at
from adapters._shared.subject import subject_header
from adapters.base import AdapterOptions, AdapterResult, Problem, ignored, result_of
from adapters.russian_post.codes import operation_mapping
from adapters.russian_post.operation import (
    COUNTRY,
    CURRENCY,
    NO_SUBJECT,
    Operation,
    barcode_or_none,
    clip,
    kopecks,
    offset_time,
    operation_event,
    raw_code_of,
    read_barcode,
    read_postcode,
    unmapped_with,
    with_check_digit_problems,
)
from schemas import Amount, AmountKind, Identifier

_FINANCE_KINDS = (
    ("Payment", AmountKind.COD),
    ("Value", AmountKind.DECLARED),
    ("MassRate", AmountKind.DELIVERY_FEE),
    ("CustomDuty", AmountKind.DUTY),
)


def read_history(root: Element, received_at: datetime, options: AdapterOptions) -> AdapterResult:
    records = children_named(root, "historyRecord")
    if not records:
        return ignored("operation history without records")
    written = [text_at(record, "ItemParameters", "Barcode") for record in records]
    seen: list[Identifier] = []
    for text in written:
        identifier = barcode_or_none(text)
        if identifier is not None and identifier not in seen:
            seen.append(identifier)
    fallback = seen[0] if seen else subject_header(options, missing=None if any(written) else NO_SUBJECT)
    problems: list[Problem] = []
    events = read_items(
        zip(records, written, strict=True),
        lambda numbered: operation_event(_history_operation(*numbered, fallback, options), seen, received_at, options, problems),
        lambda _index, _record: "historyRecord",
        problems,
    )
    return result_of(events, with_check_digit_problems(seen, problems))


def _history_operation(
    record: Element, barcode_text: str | None, fallback: Identifier | None, options: AdapterOptions
) -> Operation:
    barcode = read_barcode(barcode_text) if barcode_text else fallback
    if barcode is None:
        raise BadItem("no barcode")
    oper_type = text_at(record, "OperationParameters", "OperType", "Id")
    if not oper_type:
        raise BadItem("no OperType")
    oper_attr = text_at(record, "OperationParameters", "OperAttr", "Id")
    date_text = text_at(record, "OperationParameters", "OperDate")
    if not date_text:
        raise BadItem("no OperDate")
    postcode = read_postcode(text_at(record, "AddressParameters", "OperationAddress", "Index"))
    time, wall = offset_time(date_text, postcode, options)
    mapping = operation_mapping(oper_type, oper_attr)
    if mapping is UNMAPPED:
        names = [text_at(record, "OperationParameters", name, "Name") for name in ("OperType", "OperAttr")]
        mapping = unmapped_with(" / ".join(n for n in names if n))
    country = text_at(record, "AddressParameters", "CountryOper", "Code2A")
    return Operation(
        barcode=barcode,
        raw_code=raw_code_of(oper_type, oper_attr),
        mapping=mapping,
        time=time,
        wall_time=wall,
        postcode=postcode,
        facility=clip(text_at(record, "AddressParameters", "OperationAddress", "Description")),
        country=country if country and COUNTRY.fullmatch(country) else options.country,
        amounts=_finance(first_child(record, "FinanceParameters")),
    )


def _finance(block: Element | None) -> tuple[Amount, ...]:
    if block is None:
        return ()
    amounts = []
    for name, kind in _FINANCE_KINDS:
        minor = kopecks(text_at(block, name), name)
        if minor:
            amounts.append(Amount(kind=kind, minor=minor, currency=CURRENCY))
    return tuple(amounts)
