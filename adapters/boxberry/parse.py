"""Boxberry status lists → canonical events (docs/partners/boxberry.md).

Two shapes, told apart by content: `ListStatuses` is an array of `{Date, Name, Comment?}`;
`ListStatusesFull` is an object whose `statuses[]` holds the same items, beside `sum`, `PD`,
`Weight`, `PaymentMethod`, `deliveryDate`. An object with `err`, or with `"error": true` (the
newer API's form, with a `message`), is Boxberry's error answer (unknown track number, bad
token): ignored with its text as the counted reason, not a tracking message.

Neither names its parcel: it comes from the `hub-subject` header (options.subject, any
parcel-level `scheme:VALUE`, usually `boxberry:<track>`); without it → missing_subject.

Times: every format of docs/partners/boxberry.md#date-formats (`2019-05-04T06:47:48`, `30.04.2019 15:35`,
`2020-12-26 12:23:26`) and the SDK comment's `ДД/ММ/ГГ Ч:М:C PM/AM`; none carries a zone,
so each is read in options.assumed_zone (Europe/Moscow unless the partner registry says
otherwise) with `offset_assumed`. A time that does carry an offset keeps it.

Event id: (partner, subject, Name, the status's local wall time to the minute). The two
methods write one operation at different precisions (`2019-05-01T00:56:12` and
`01.05.2019 00:56`), so hashing the text as written would give one operation two ids; the
minute is what both write.

Location: `Comment` carries the pickup point as "City (postcode, address)"; only the city
and postcode are kept, never the comment (it holds a street address).

Money: `sum` (ListStatusesFull only) is COD: before hand-over the amount to collect from
the recipient, after it the amount actually collected (gwinn/boxberry-sdk model docs);
roubles. It rides on the snapshot's latest event. Boxberry sends no order value, so there
is no `order_value`. `deliveryDate` (planned delivery date, `0001-01-01` when none) is a
bare date and is not turned into `promised_delivery`.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError

from adapters._shared.code_table import lookup
from adapters._shared.events import canonical_event, check_digit_flags, latest, unique_events
from adapters._shared.items import items_result, read_items
from adapters._shared.safe_json import load_json
from adapters._shared.subject import subject_header
from adapters._shared.times import ISO_WALL_FORMATS, RUSSIAN_WALL_FORMATS, PartnerTime, parse_partner_time
from adapters.base import AdapterError, AdapterOptions, AdapterResult, Problem, ignored
from adapters.boxberry.codes import STATUS_BY_KEY, name_key
from schemas import Amount, AmountKind, CanonicalEvent, DeadLetterReason, Identifier, Location
from schemas.identifiers import InvalidIdentifier
from schemas.money import BadAmount, as_decimal, round_to_minor

ADAPTER_VERSION = 1

# docs/partners/boxberry.md#date-formats, and the SDK comment's `ДД/ММ/ГГ Ч:М:C PM/AM`.
LOCAL_FORMATS = (*ISO_WALL_FORMATS, *RUSSIAN_WALL_FORMATS, "%d/%m/%y %I:%M:%S %p")

# "Москва (115478, Москва г, Каширское ш, д.24, строение 7)": city, then a 6-digit postcode.
_COMMENT_PLACE = re.compile(r"^\s*(?P<city>[^(),\d]{2,60}?)\s*\(\s*(?P<postcode>\d{6})\s*,")


def parse(raw: bytes, *, received_at: datetime, options: AdapterOptions) -> AdapterResult:
    document = load_json(raw)
    items, cod = _items_and_cod(document)
    if items is None:
        return ignored(f"Boxberry error answer, not a status list: {_error_text(document)}")
    subject = subject_header(options, missing="a Boxberry status list needs the hub-subject header")
    assert subject is not None  # a `missing` message makes an absent header an error
    problems: list[Problem] = []
    events = unique_events(read_items(
        items,
        lambda item: _event(item, subject, received_at, options, problems),
        lambda index, _item: f"[{index}]",
        problems,
        catch=(AdapterError, ValidationError, InvalidIdentifier, OverflowError),
    ))
    if cod is not None and events:
        events = _with_cod(events, cod, problems)
    return items_result(events, problems, when_empty="Boxberry status list without statuses")


def _items_and_cod(document: Any) -> tuple[list[Any] | None, Any]:
    """The status items of either shape (None for an error answer) and the Full shape's `sum`."""
    if isinstance(document, list):
        if document and all(_is_error(i) and "Name" not in i for i in document):
            return None, None
        return document, None
    if isinstance(document, dict):
        if isinstance(document.get("statuses"), list):
            return document["statuses"], document.get("sum")
        if _is_error(document):
            return None, None
    raise AdapterError(DeadLetterReason.UNKNOWN_FORMAT, "neither a ListStatuses array nor a ListStatusesFull object")


def _is_error(item: object) -> bool:
    """`{"err": "…"}` or `{"error": true, "message": "…"}` (a `false` error flag is no error)."""
    return isinstance(item, dict) and ("err" in item or item.get("error") not in (None, False, "", 0))


def _error_text(document: Any) -> str:
    first = document[0] if isinstance(document, list) and document else document
    text = first.get("err") or first.get("message") or first.get("error") if isinstance(first, dict) else None
    return str(text)[:100] if text not in (None, True) else "no text"


def _event(
    item: object, subject: Identifier, received_at: datetime, options: AdapterOptions, problems: list[Problem]
) -> CanonicalEvent:
    if not isinstance(item, dict):
        raise AdapterError(DeadLetterReason.SCHEMA_MISMATCH, "a status is an object")
    name, date = item.get("Name"), item.get("Date")
    if not isinstance(name, str) or not name.strip() or not isinstance(date, str):
        raise AdapterError(DeadLetterReason.SCHEMA_MISMATCH, "a status needs Name and Date strings")
    raw_code = " ".join(name.split())
    mapping = lookup(STATUS_BY_KEY, name_key(name), problems, shown=raw_code[:200])
    when = parse_partner_time(date, LOCAL_FORMATS, options.assumed_zone, assumed=True)
    return canonical_event(
        options,
        received_at,
        adapter_version=ADAPTER_VERSION,
        primary=str(subject),
        time_text=_wall_minute(when),
        subject=(subject,),
        mapping=mapping,
        raw_code=raw_code,
        when=when,
        location=_location(item.get("Comment"), options),
        flags=check_digit_flags([subject]),
    )


def _wall_minute(when: PartnerTime) -> str:
    local = when.instant + timedelta(minutes=when.local_offset_minutes or 0)
    return local.strftime("%Y-%m-%dT%H:%M")


def _location(comment: object, options: AdapterOptions) -> Location | None:
    match = _COMMENT_PLACE.match(comment) if isinstance(comment, str) else None
    if match is None:
        return None
    return Location(city=match["city"].strip(), postcode=match["postcode"], country=options.country)


def _with_cod(events: list[CanonicalEvent], value: Any, problems: list[Problem]) -> list[CanonicalEvent]:
    try:
        amount = as_decimal(value)
        if abs(amount) > 10**15:
            raise BadAmount(f"{value!r} out of range")
        cod = Amount(kind=AmountKind.COD, minor=round_to_minor(amount, "RUB"), currency="RUB")
    except (BadAmount, ArithmeticError) as err:
        problems.append(Problem("bad_amount", f"sum: {str(err)[:100]}"))
        return events
    target = latest(events)
    return [e.model_copy(update={"amounts": (cod,)}) if i == target else e for i, e in enumerate(events)]
