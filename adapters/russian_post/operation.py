"""One Russian Post operation, whatever format it came in, and its canonical event.

`raw_code` is `OperType.OperAttr` ("8.2"; "9" when no attribute is written) and
`cod.EventType` ("cod.1") for COD events. The event id hashes the barcode, that code, the
operation's local wall time without offset in one form (`2015-09-16T13:45:00`) and the
office postcode, so the same operation read through the single and the batch format has
one id (docs/partners/russian-post.md#reading-the-codes). A history that shows another
barcode for the same item (renumbering, 8.26) names every barcode in each event's subject.

Money, integer kopecks (RUB); Russian Post carries no `order_value`: it never sees the
order; zero amounts mean "none" and are left out. Names of sender and recipient (`Sndr`,
`Rcpn`) are never read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from pydantic import ValidationError

from adapters._shared.code_table import UNMAPPED, CodeMapping
from adapters._shared.events import canonical_event, check_digit_flags
from adapters._shared.items import BadItem
from adapters._shared.times import PartnerTime, aware, in_zone, read_iso
from adapters._shared.validation import first_error
from adapters.base import AdapterError, AdapterOptions, Problem
from adapters.russian_post.codes import operation_raw_code
from adapters.russian_post.postcode_zones import zone_for_postcode
from schemas import Amount, CanonicalEvent, Identifier, Location, Scheme, Status
from schemas.identifiers import InvalidIdentifier

ADAPTER_VERSION = 1
CURRENCY = "RUB"
MAX_TEXT = 200
NO_SUBJECT = "no hub-subject header naming the parcel"
COUNTRY = re.compile(r"^[A-Z]{2}$")


@dataclass(frozen=True)
class Operation:
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


def operation_event(
    operation: Operation, barcodes: list[Identifier], received_at: datetime, options: AdapterOptions,
    problems: list[Problem],
) -> CanonicalEvent:
    """The operation's event, naming every barcode the message showed for the item; an
    operation code the table lacks is reported (`unknown_code`)."""
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
        raise BadItem(first_error(err)[:MAX_TEXT]) from err
    if operation.mapping.status is Status.UNKNOWN:
        problems.append(Problem("unknown_code", operation.raw_code))
    return event


def offset_time(text: str, postcode: str | None, options: AdapterOptions) -> tuple[PartnerTime, str]:
    """`2015-07-09T18:08:00.000+03:00`: the instant, and the wall time without offset."""
    try:
        value = read_iso(text)
    except AdapterError as err:
        raise BadItem(f"time {clip(text)!r} is not an ISO time") from err
    wall = value.replace(tzinfo=None, microsecond=0).isoformat(timespec="seconds")
    if value.tzinfo is None:  # the spec always writes an offset; read a bare time like the batch's
        return local_time(value, postcode, options), wall
    try:
        return aware(value, text), wall
    except AdapterError as err:  # year 1 or 9999 shifted out of datetime's range
        raise BadItem(f"time {clip(text)!r} out of range") from err


def local_time(naive: datetime, postcode: str | None, options: AdapterOptions) -> PartnerTime:
    """A wall time without offset, in the office's zone when its postcode says, else assumed."""
    zone = zone_for_postcode(postcode)
    try:
        return in_zone(naive, zone or options.assumed_zone, assumed=zone is None, text=naive.isoformat())
    except AdapterError as err:  # year 1 or 9999 shifted out of datetime's range
        raise BadItem(f"time {clip(naive.isoformat())!r} out of range") from err


def barcode_or_none(text: str | None) -> Identifier | None:
    """The barcode, or None for one that is missing or unreadable (the record says so later)."""
    try:
        return read_barcode(text) if text else None
    except BadItem:
        return None


def read_barcode(text: str | None) -> Identifier:
    """A barcode as S10 (13 characters) or Russian Post's 14 digits; check digits are only flagged."""
    if not text or not text.strip():
        raise BadItem("no barcode")
    for scheme in (Scheme.RP, Scheme.S10):
        try:
            return Identifier.of(scheme, text)
        except InvalidIdentifier:
            continue
    raise BadItem(f"barcode {clip(text)!r} is neither S10 nor a 14-digit barcode")


def with_check_digit_problems(identifiers: list[Identifier], problems: list[Problem]) -> list[Problem]:
    """The problems, and one `bad_check_digit` per barcode whose digit is wrong (flagged, still linked)."""
    return problems + [Problem("bad_check_digit", str(i)) for i in identifiers if i.check_digit_valid is False]


def kopecks(text: str | None, name: str) -> int:
    """An integer amount in kopecks; 0 when absent."""
    if text is None or not text.strip():
        return 0
    stripped = text.strip()
    if len(stripped) > 18 or not stripped.isascii() or not stripped.isdigit():
        raise BadItem(f"{name} {clip(stripped)!r} is not an amount in kopecks")
    return int(stripped)


def raw_code_of(oper_type: str, oper_attr: str | None) -> str:
    """`OperType.OperAttr` as codes.operation_raw_code writes it; an absurdly long one is a bad item."""
    code = operation_raw_code(oper_type, oper_attr)
    if len(code) > 40:
        raise BadItem("operation code too long")
    return code


def unmapped_with(partner_text: str | None) -> CodeMapping:
    """`unknown`, described by the partner's own name for the operation."""
    return CodeMapping(UNMAPPED.status, UNMAPPED.milestone, description=clip(partner_text) or "")


def read_postcode(text: str | None) -> str | None:
    """The office postcode as written, or None when absent or implausibly long."""
    stripped = (text or "").strip()
    return stripped if stripped and len(stripped) <= 16 else None


def clip(text: str | None) -> str | None:
    """Partner text, stripped and cut to MAX_TEXT, for details and descriptions."""
    return text.strip()[:MAX_TEXT] if text else None
