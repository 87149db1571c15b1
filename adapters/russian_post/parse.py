"""Russian Post tracking responses → canonical events (docs/partners/russian-post.md).

Three formats, told apart by their content:
- single access `getOperationHistory` (docs/partners/russian-post.md#historyrecord-single-access):
  one `historyRecord` per operation, times with offsets, `FinanceParameters` in kopecks;
- batch `answerByTicket` (docs/partners/russian-post.md#batch-operation): `Item`s with
  `Operation` attributes, local times without offset (the zone comes from the office
  postcode, `postcode_zones`, else the assumed zone with `offset_assumed`); an item with an
  `Error` ("Сообщение не найдено") is a bad item, counted, and the message is partial;
- cash on delivery `PostalOrderEventsForMail` (docs/partners/russian-post.md#cod-events):
  money-order events that do not name their parcel, which therefore comes from the
  `hub-subject` header (options.subject).

A SOAP fault, or a batch answer that is only an error (say "response not ready"), carries
no tracking data: ignored.

`raw_code` is `OperType.OperAttr` ("8.2"; "9" when no attribute is written) and
`cod.EventType` ("cod.1") for COD events. The event id hashes the barcode, that code, the
operation's local wall time without offset in one form (`2015-09-16T13:45:00`) and the
office postcode, so the same operation read through the single and the batch format has
one id. A history that shows another barcode for the same item (renumbering, 8.26) names
every barcode in each event's subject.

Money, integer kopecks (RUB): `Payment` → `cod`, `Value` → `declared`, `MassRate` (total
postage) → `delivery_fee`, `CustomDuty` → `duty`; COD `SumPaymentForward` → `cod`. Russian
Post carries no `order_value`: it never sees the order; zero amounts mean "none" and are
left out. Names of sender and recipient (`Sndr`, `Rcpn`) are never read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from xml.etree.ElementTree import Element

from pydantic import ValidationError

from adapters._shared.code_table import UNMAPPED, CodeMapping
from adapters._shared.events import canonical_event, check_digit_flags
from adapters._shared.items import BadItem, read_items
from adapters._shared.safe_xml import children_named, load_xml, local_name
from adapters._shared.subject import subject_header
from adapters._shared.times import RUSSIAN_WALL_FORMATS, PartnerTime, aware, in_zone, read_iso
from adapters._shared.validation import first_error
from adapters.base import AdapterError, AdapterOptions, AdapterResult, Problem, ignored, result_of
from adapters.russian_post.codes import cod_mapping, operation_mapping, operation_raw_code
from adapters.russian_post.postcode_zones import zone_for_postcode
from schemas import Amount, AmountKind, CanonicalEvent, DeadLetterReason, Identifier, Location, Scheme, Status
from schemas.identifiers import InvalidIdentifier

ADAPTER_VERSION = 1
CURRENCY = "RUB"
BATCH_TIME_FORMATS = RUSSIAN_WALL_FORMATS  # dd.MM.yyyy HH:mm:ss, local time of the office
_MAX_TEXT = 200
_NO_SUBJECT = "no hub-subject header naming the parcel"
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_FINANCE_KINDS = (
    ("Payment", AmountKind.COD),
    ("Value", AmountKind.DECLARED),
    ("MassRate", AmountKind.DELIVERY_FEE),
    ("CustomDuty", AmountKind.DUTY),
)


class _Format(Enum):
    SINGLE = "getOperationHistory"
    BATCH = "answerByTicket"
    COD = "PostalOrderEventsForMail"
    FAULT = "SOAP fault"


_MARKERS: dict[str, _Format] = {
    "Fault": _Format.FAULT,
    "getOperationHistoryResponse": _Format.SINGLE,
    "OperationHistoryData": _Format.SINGLE,
    "historyRecord": _Format.SINGLE,
    "answerByTicketResponse": _Format.BATCH,
    "Item": _Format.BATCH,
    "PostalOrderEventsForMailResponse": _Format.COD,
    "PostalOrderEventsForMaiOutput": _Format.COD,  # sic, the spec's spelling (docs/partners/russian-post.md#cod-events)
    "PostalOrderEventsForMailOutput": _Format.COD,
    "PostalOrderEvent": _Format.COD,
}


@dataclass(frozen=True)
class _Operation:
    """One operation of either tracking format, read and checked."""

    barcode: Identifier
    raw_code: str
    mapping: CodeMapping
    time: PartnerTime
    wall_time: str  # local wall clock without offset: the event id's time
    postcode: str | None
    facility: str | None
    country: str | None
    amounts: tuple[Amount, ...] = ()


def parse(raw: bytes, *, received_at: datetime, options: AdapterOptions) -> AdapterResult:
    root = load_xml(raw)
    found = _detect(root)
    if found is _Format.SINGLE:
        return _history(root, received_at, options)
    if found is _Format.BATCH:
        return _batch(root, received_at, options)
    if found is _Format.COD:
        return _cod(root, received_at, options)
    if found is _Format.FAULT:
        texts = (_clip(e.text) for e in root.iter() if local_name(e) in ("Text", "faultstring", "Reason"))
        reason = next((text for text in texts if text), None)
        return ignored(f"SOAP fault: {reason or 'no reason given'}")
    raise AdapterError(DeadLetterReason.UNKNOWN_FORMAT, f"not a Russian Post response (root {_clip(local_name(root))})")


def _detect(root: Element) -> _Format | None:
    for element in root.iter():
        found = _MARKERS.get(local_name(element))
        if found is not None:
            return found
    return None


# --- single access: getOperationHistory ---------------------------------------------------


def _history(root: Element, received_at: datetime, options: AdapterOptions) -> AdapterResult:
    records = children_named(root, "historyRecord")
    if not records:
        return ignored("operation history without records")
    written = [_text(record, "ItemParameters", "Barcode") for record in records]
    seen: list[Identifier] = []
    for text in written:
        identifier = _barcode_or_none(text)
        if identifier is not None and identifier not in seen:
            seen.append(identifier)
    fallback = seen[0] if seen else subject_header(options, missing=None if any(written) else _NO_SUBJECT)
    problems: list[Problem] = []
    events = read_items(
        zip(records, written, strict=True),
        lambda numbered: _event(_history_operation(*numbered, fallback, options), seen, received_at, options, problems),
        lambda _index, _record: "historyRecord",
        problems,
    )
    return result_of(events, _with_check_digit_problems(seen, problems))


def _history_operation(
    record: Element, barcode_text: str | None, fallback: Identifier | None, options: AdapterOptions
) -> _Operation:
    barcode = _barcode(barcode_text) if barcode_text else fallback
    if barcode is None:
        raise BadItem("no barcode")
    oper_type = _text(record, "OperationParameters", "OperType", "Id")
    if not oper_type:
        raise BadItem("no OperType")
    oper_attr = _text(record, "OperationParameters", "OperAttr", "Id")
    date_text = _text(record, "OperationParameters", "OperDate")
    if not date_text:
        raise BadItem("no OperDate")
    postcode = _postcode(_text(record, "AddressParameters", "OperationAddress", "Index"))
    time, wall = _single_time(date_text, postcode, options)
    mapping = operation_mapping(oper_type, oper_attr)
    if mapping is UNMAPPED:
        names = [_text(record, "OperationParameters", name, "Name") for name in ("OperType", "OperAttr")]
        mapping = _unmapped_with(" / ".join(n for n in names if n))
    country = _text(record, "AddressParameters", "CountryOper", "Code2A")
    return _Operation(
        barcode=barcode,
        raw_code=_raw_code(oper_type, oper_attr),
        mapping=mapping,
        time=time,
        wall_time=wall,
        postcode=postcode,
        facility=_clip(_text(record, "AddressParameters", "OperationAddress", "Description")),
        country=country if country and _COUNTRY.fullmatch(country) else options.country,
        amounts=_finance(_child(record, "FinanceParameters")),
    )


def _single_time(text: str, postcode: str | None, options: AdapterOptions) -> tuple[PartnerTime, str]:
    """`2015-07-09T18:08:00.000+03:00`: the instant, and the wall time without offset."""
    try:
        value = read_iso(text)
    except AdapterError as err:
        raise BadItem(f"time {_clip(text)!r} is not an ISO time") from err
    wall = value.replace(tzinfo=None, microsecond=0).isoformat(timespec="seconds")
    if value.tzinfo is None:  # the spec always writes an offset; read a bare time like the batch's
        return _local_time(value, postcode, options), wall
    try:
        return aware(value, text), wall
    except AdapterError as err:  # year 1 or 9999 shifted out of datetime's range
        raise BadItem(f"time {_clip(text)!r} out of range") from err


def _finance(block: Element | None) -> tuple[Amount, ...]:
    if block is None:
        return ()
    amounts = []
    for name, kind in _FINANCE_KINDS:
        minor = _kopecks(_text(block, name), name)
        if minor:
            amounts.append(Amount(kind=kind, minor=minor, currency=CURRENCY))
    return tuple(amounts)


# --- batch access: answerByTicket ---------------------------------------------------------


def _batch(root: Element, received_at: datetime, options: AdapterOptions) -> AdapterResult:
    items = children_named(root, "Item")
    if not items:
        error = next((e for e in root.iter() if local_name(e).lower() == "error"), None)
        if error is not None:
            return ignored(f"answerByTicket error {_clip(error.get('ErrorTypeID'))}: {_clip(error.get('ErrorName'))}")
        return ignored("answerByTicket without items")
    events: list[CanonicalEvent] = []
    problems: list[Problem] = []
    barcodes: list[Identifier] = []
    for item in items:
        events += _batch_item(item, barcodes, received_at, options, problems)
    return result_of(events, _with_check_digit_problems(barcodes, problems))


def _batch_item(
    item: Element, barcodes: list[Identifier], received_at: datetime, options: AdapterOptions, problems: list[Problem]
) -> list[CanonicalEvent]:
    """The operations of one barcode; its errors (12: no info for the barcode,
    docs/partners/russian-post.md#batch-error-codes) are bad items, the other barcodes kept."""
    barcode_text = item.get("Barcode")
    label = _clip(barcode_text) or "item without Barcode"
    for error in (child for child in item if local_name(child).lower() == "error"):
        detail = f"error {_clip(error.get('ErrorTypeID'))} {_clip(error.get('ErrorName'))}"
        problems.append(Problem("bad_item", f"{label}: {detail}"))
    operations = [child for child in item if local_name(child) == "Operation"]
    if not operations:
        return []
    try:
        barcode = _barcode(barcode_text)
    except BadItem as err:
        problems.append(Problem("bad_item", f"{label}: {err}"))
        return []
    if barcode not in barcodes:
        barcodes.append(barcode)
    return read_items(
        operations,
        lambda element: _event(_batch_operation(element, barcode, options), [barcode], received_at, options, problems),
        lambda _index, _element: label,
        problems,
    )


def _batch_operation(element: Element, barcode: Identifier, options: AdapterOptions) -> _Operation:
    oper_type = element.get("OperTypeID")
    if not oper_type or not oper_type.strip():
        raise BadItem("Operation without OperTypeID")
    oper_attr = element.get("OperCtgID")
    date_text = element.get("DateOper")
    if not date_text:
        raise BadItem("Operation without DateOper")
    naive = _batch_wall_time(date_text)
    postcode = _postcode(element.get("IndexOper"))
    mapping = operation_mapping(oper_type, oper_attr)
    if mapping is UNMAPPED:
        mapping = _unmapped_with(element.get("OperName"))
    return _Operation(
        barcode=barcode,
        raw_code=_raw_code(oper_type, oper_attr),
        mapping=mapping,
        time=_local_time(naive, postcode, options),
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
    raise BadItem(f"DateOper {_clip(text)!r} is not dd.MM.yyyy HH:mm:ss")


# --- cash on delivery: PostalOrderEventsForMail -------------------------------------------


def _cod(root: Element, received_at: datetime, options: AdapterOptions) -> AdapterResult:
    subject = subject_header(options, missing=_NO_SUBJECT)
    assert subject is not None  # a `missing` message makes an absent header an error
    elements = children_named(root, "PostalOrderEvent")
    if not elements:
        return ignored("PostalOrderEventsForMail without events")
    problems: list[Problem] = []
    events = read_items(
        elements,
        lambda element: _cod_event(element, subject, received_at, options, problems),
        lambda _index, element: f"PostalOrderEvent {_clip(element.get('Number'))}",
        problems,
    )
    return result_of(events, _with_check_digit_problems([subject], problems))


def _cod_event(
    element: Element, subject: Identifier, received_at: datetime, options: AdapterOptions, problems: list[Problem]
) -> CanonicalEvent:
    event_type = (element.get("EventType") or "").strip()
    if not event_type:
        raise BadItem("no EventType")
    written = element.get("EventDateTime")
    if not written:
        raise BadItem("no EventDateTime")
    postcode = _postcode(element.get("IndexEvent"))
    time, _wall = _single_time(written, postcode, options)
    raw_code = f"cod.{_clip(event_type)}"
    mapping = cod_mapping(event_type)
    if mapping is UNMAPPED:
        mapping = _unmapped_with(element.get("EventName"))
    minor = _kopecks(element.get("SumPaymentForward"), "SumPaymentForward")
    country = element.get("CountryEventCode")
    operation = _Operation(
        barcode=subject,
        raw_code=raw_code,
        mapping=mapping,
        time=time,
        # COD events are seen in one format only: hashed exactly as written.
        wall_time=written,
        postcode=postcode,
        facility=None,
        country=country if country and _COUNTRY.fullmatch(country) else options.country,
        amounts=(Amount(kind=AmountKind.COD, minor=minor, currency=CURRENCY),) if minor else (),
    )
    return _event(operation, [subject], received_at, options, problems)


# --- shared -------------------------------------------------------------------------------


def _event(
    operation: _Operation, barcodes: list[Identifier], received_at: datetime, options: AdapterOptions,
    problems: list[Problem],
) -> CanonicalEvent:
    subject = [operation.barcode, *(b for b in barcodes if b != operation.barcode)]
    location = None
    if operation.postcode or operation.facility or operation.country:
        location = Location(country=operation.country, postcode=operation.postcode, facility=operation.facility)
    try:
        event = canonical_event(
            options,
            received_at,
            adapter_version=ADAPTER_VERSION,
            primary=operation.barcode.value,
            time_text=operation.wall_time,
            facility=operation.postcode,
            subject=subject,
            mapping=operation.mapping,
            raw_code=operation.raw_code,
            when=operation.time,
            location=location,
            amounts=operation.amounts,
            flags=check_digit_flags(subject),
        )
    except ValidationError as err:
        raise BadItem(first_error(err)[:_MAX_TEXT]) from err
    if operation.mapping.status is Status.UNKNOWN:
        problems.append(Problem("unknown_code", operation.raw_code))
    return event


def _local_time(naive: datetime, postcode: str | None, options: AdapterOptions) -> PartnerTime:
    """A wall time without offset, in the office's zone when its postcode says, else assumed."""
    zone = zone_for_postcode(postcode)
    try:
        return in_zone(naive, zone or options.assumed_zone, assumed=zone is None, text=naive.isoformat())
    except AdapterError as err:  # year 1 or 9999 shifted out of datetime's range
        raise BadItem(f"time {_clip(naive.isoformat())!r} out of range") from err


def _barcode_or_none(text: str | None) -> Identifier | None:
    try:
        return _barcode(text) if text else None
    except BadItem:
        return None


def _barcode(text: str | None) -> Identifier:
    """A barcode as S10 (13 characters) or Russian Post's 14 digits; check digits are only flagged."""
    if not text or not text.strip():
        raise BadItem("no barcode")
    for scheme in (Scheme.RP, Scheme.S10):
        try:
            return Identifier.of(scheme, text)
        except InvalidIdentifier:
            continue
    raise BadItem(f"barcode {_clip(text)!r} is neither S10 nor a 14-digit barcode")


def _with_check_digit_problems(identifiers: list[Identifier], problems: list[Problem]) -> list[Problem]:
    return problems + [Problem("bad_check_digit", str(i)) for i in identifiers if i.check_digit_valid is False]


def _kopecks(text: str | None, name: str) -> int:
    """An integer amount in kopecks; 0 when absent."""
    if text is None or not text.strip():
        return 0
    stripped = text.strip()
    if len(stripped) > 18 or not stripped.isascii() or not stripped.isdigit():
        raise BadItem(f"{name} {_clip(stripped)!r} is not an amount in kopecks")
    return int(stripped)


def _raw_code(oper_type: str, oper_attr: str | None) -> str:
    code = operation_raw_code(oper_type, oper_attr)
    if len(code) > 40:
        raise BadItem("operation code too long")
    return code


def _unmapped_with(partner_text: str | None) -> CodeMapping:
    return CodeMapping(UNMAPPED.status, UNMAPPED.milestone, description=_clip(partner_text) or "")


def _postcode(text: str | None) -> str | None:
    stripped = (text or "").strip()
    return stripped if stripped and len(stripped) <= 16 else None


def _child(element: Element, name: str) -> Element | None:
    return next((child for child in element if local_name(child) == name), None)


def _text(element: Element, *path: str) -> str | None:
    """The stripped text at a path of child names (namespaces ignored); None when absent or empty."""
    current: Element | None = element
    for name in path:
        current = _child(current, name) if current is not None else None
    text = current.text.strip() if current is not None and current.text else ""
    return text or None


def _clip(text: str | None) -> str | None:
    return text.strip()[:_MAX_TEXT] if text else None
