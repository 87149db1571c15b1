"""Russian Post cash on delivery, `PostalOrderEventsForMail` (docs/partners/russian-post.md#cod-events).

Money-order events that do not name their parcel, which therefore comes from the
`hub-subject` header (options.subject); `SumPaymentForward` → `cod`, in kopecks. The
EventType table is docs/partners/russian-post.md#cod-event-types.
"""

from __future__ import annotations

from datetime import datetime
from xml.etree.ElementTree import Element

from adapters._shared.code_table import UNMAPPED
from adapters._shared.items import BadItem, read_items
from adapters._shared.safe_xml import children_named
from adapters._shared.subject import subject_header
from adapters.base import AdapterOptions, AdapterResult, Problem, ignored, result_of
from adapters.russian_post.codes import cod_mapping
from adapters.russian_post.operation import (
    COUNTRY,
    CURRENCY,
    NO_SUBJECT,
    Operation,
    clip,
    kopecks,
    offset_time,
    operation_event,
    read_postcode,
    unmapped_with,
    with_check_digit_problems,
)
from schemas import Amount, AmountKind, CanonicalEvent, Identifier


def read_cod(root: Element, received_at: datetime, options: AdapterOptions) -> AdapterResult:
    subject = subject_header(options, missing=NO_SUBJECT)
    assert subject is not None  # a `missing` message makes an absent header an error
    elements = children_named(root, "PostalOrderEvent")
    if not elements:
        return ignored("PostalOrderEventsForMail without events")
    problems: list[Problem] = []
    events = read_items(
        elements,
        lambda element: _cod_event(element, subject, received_at, options, problems),
        lambda _index, element: f"PostalOrderEvent {clip(element.get('Number'))}",
        problems,
    )
    return result_of(events, with_check_digit_problems([subject], problems))


def _cod_event(
    element: Element, subject: Identifier, received_at: datetime, options: AdapterOptions, problems: list[Problem]
) -> CanonicalEvent:
    event_type = (element.get("EventType") or "").strip()
    if not event_type:
        raise BadItem("no EventType")
    written = element.get("EventDateTime")
    if not written:
        raise BadItem("no EventDateTime")
    postcode = read_postcode(element.get("IndexEvent"))
    time, _wall = offset_time(written, postcode, options)
    raw_code = f"cod.{clip(event_type)}"
    mapping = cod_mapping(event_type)
    if mapping is UNMAPPED:
        mapping = unmapped_with(element.get("EventName"))
    minor = kopecks(element.get("SumPaymentForward"), "SumPaymentForward")
    country = element.get("CountryEventCode")
    operation = Operation(
        barcode=subject,
        raw_code=raw_code,
        mapping=mapping,
        time=time,
        # COD events are seen in one format only: hashed exactly as written.
        wall_time=written,
        postcode=postcode,
        facility=None,
        country=country if country and COUNTRY.fullmatch(country) else options.country,
        amounts=(Amount(kind=AmountKind.COD, minor=minor, currency=CURRENCY),) if minor else (),
    )
    return operation_event(operation, [subject], received_at, options, problems)
