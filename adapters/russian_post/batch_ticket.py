"""Russian Post batch access, `answerByTicket` (docs/partners/russian-post.md#batch-operation).

`Item`s with `Operation` attributes, local times without offset: the zone comes from the
office postcode (`postcode_zones`), else the assumed zone with `offset_assumed`. An item
with an `Error` ("Сообщение не найдено") is a bad item, counted, and the message is partial.
"""

from __future__ import annotations

from datetime import datetime
from xml.etree.ElementTree import Element

from adapters._shared.code_table import UNMAPPED
from adapters._shared.items import BadItem, read_items
from adapters._shared.safe_xml import children_named, local_name
from adapters._shared.times import RUSSIAN_WALL_FORMATS
from adapters.base import AdapterOptions, AdapterResult, Problem, ignored, result_of
from adapters.russian_post.codes import operation_mapping
from adapters.russian_post.operation import (
    Operation,
    clip,
    local_time,
    operation_event,
    raw_code_of,
    read_barcode,
    read_postcode,
    unmapped_with,
    with_check_digit_problems,
)
from schemas import CanonicalEvent, Identifier

BATCH_TIME_FORMATS = RUSSIAN_WALL_FORMATS  # dd.MM.yyyy HH:mm:ss, local time of the office


def read_batch(root: Element, received_at: datetime, options: AdapterOptions) -> AdapterResult:
    items = children_named(root, "Item")
    if not items:
        error = next((e for e in root.iter() if local_name(e).lower() == "error"), None)
        if error is not None:
            return ignored(f"answerByTicket error {clip(error.get('ErrorTypeID'))}: {clip(error.get('ErrorName'))}")
        return ignored("answerByTicket without items")
    events: list[CanonicalEvent] = []
    problems: list[Problem] = []
    barcodes: list[Identifier] = []
    for item in items:
        events += _batch_item(item, barcodes, received_at, options, problems)
    return result_of(events, with_check_digit_problems(barcodes, problems))


def _batch_item(
    item: Element, barcodes: list[Identifier], received_at: datetime, options: AdapterOptions, problems: list[Problem]
) -> list[CanonicalEvent]:
    """The operations of one barcode; its errors (12: no info for the barcode,
    docs/partners/russian-post.md#batch-error-codes) are bad items, the other barcodes kept."""
    barcode_text = item.get("Barcode")
    label = clip(barcode_text) or "item without Barcode"
    for error in (child for child in item if local_name(child).lower() == "error"):
        detail = f"error {clip(error.get('ErrorTypeID'))} {clip(error.get('ErrorName'))}"
        problems.append(Problem("bad_item", f"{label}: {detail}"))
    operations = item.findall("Operation")
    if not operations:
        return []
    try:
        barcode = read_barcode(barcode_text)
    except BadItem as err:
        problems.append(Problem("bad_item", f"{label}: {err}"))
        return []
    if barcode not in barcodes:
        barcodes.append(barcode)
    return read_items(
        operations,
        lambda element: operation_event(_batch_operation(element, barcode, options), [barcode], received_at, options, problems),
        lambda _index, _element: label,
        problems,
    )


def _batch_operation(element: Element, barcode: Identifier, options: AdapterOptions) -> Operation:
    oper_type = element.get("OperTypeID")
    if not oper_type or not oper_type.strip():
        raise BadItem("Operation without OperTypeID")
    oper_attr = element.get("OperCtgID")
    date_text = element.get("DateOper")
    if not date_text:
        raise BadItem("Operation without DateOper")
    naive = _batch_wall_time(date_text)
    postcode = read_postcode(element.get("IndexOper"))
    mapping = operation_mapping(oper_type, oper_attr)
    if mapping is UNMAPPED:
        mapping = unmapped_with(element.get("OperName"))
    return Operation(
        barcode=barcode,
        raw_code=raw_code_of(oper_type, oper_attr),
        mapping=mapping,
        time=local_time(naive, postcode, options),
        wall_time=naive.isoformat(timespec="seconds"),
        postcode=postcode,
        facility=None,
        country=options.country,
    )


def _batch_wall_time(text: str) -> datetime:
    stripped = text.strip()
    for fmt in BATCH_TIME_FORMATS:
        try:
            return datetime.strptime(stripped, fmt)
        except ValueError:
            continue
    raise BadItem(f"DateOper {clip(text)!r} is not dd.MM.yyyy HH:mm:ss")
