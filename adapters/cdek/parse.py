"""CDEK webhooks → canonical events (PARTNERS.md §3.1).

`ORDER_STATUS` becomes one event; every other webhook type (`PRINT_FORM`, `DOWNLOAD_PHOTO`,
...) is not a tracking message and is ignored. `occurred_at` is `status_date_time` (when
the status was set), not `date_time` (when the webhook was sent).
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from adapters.base import AdapterError, AdapterOptions, AdapterResult, Problem, ignored, result_of
from adapters.cdek.codes import STATUS_CODES, canonical_code
from adapters.code_table import UNMAPPED
from adapters.partner_times import parse_iso
from adapters.safe_json import load_json
from schemas import CanonicalEvent, DeadLetterReason, Identifier, Location, Milestone, Scheme, Status, make_event_id
from schemas.enums import REASON_PARTY
from schemas.identifiers import InvalidIdentifier

ADAPTER_VERSION = 1


class _Tolerant(BaseModel):
    model_config = ConfigDict(extra="ignore")


class RawStatusAttributes(_Tolerant):
    is_return: bool = False
    cdek_number: str | None = None
    number: str | None = None
    code: str | None = None
    status_code: str | None = None
    status_reason_code: str | None = None
    status_date_time: str
    city: str | None = None

    @field_validator("cdek_number", "number", "status_code", "status_reason_code", mode="before")
    @classmethod
    def _text(cls, value: object) -> object:
        # The SDK DTO types cdek_number as int, the docs example as a string: accept both.
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


class RawWebhook(_Tolerant):
    type: str
    uuid: str | None = None
    attributes: dict[str, object] = {}


def parse(raw: bytes, *, received_at: datetime, options: AdapterOptions) -> AdapterResult:
    document = load_json(raw)
    if not isinstance(document, dict):
        raise AdapterError(DeadLetterReason.SCHEMA_MISMATCH, "a CDEK webhook is a JSON object")
    try:
        webhook = RawWebhook.model_validate(document)
    except ValidationError as err:
        raise AdapterError(DeadLetterReason.SCHEMA_MISMATCH, _first_error(err)) from err
    if webhook.type != "ORDER_STATUS":
        return ignored(f"webhook type {webhook.type}")
    try:
        attributes = RawStatusAttributes.model_validate(webhook.attributes)
    except ValidationError as err:
        raise AdapterError(DeadLetterReason.SCHEMA_MISMATCH, _first_error(err)) from err
    return result_of(*_status_event(webhook, attributes, received_at, options))


def _status_event(
    webhook: RawWebhook, attributes: RawStatusAttributes, received_at: datetime, options: AdapterOptions
) -> tuple[list[CanonicalEvent], list[Problem]]:
    problems: list[Problem] = []
    subject = _subject(webhook, attributes)
    code = canonical_code(attributes.code, attributes.status_code)
    raw_code = attributes.code or attributes.status_code or ""
    if not raw_code:
        raise AdapterError(DeadLetterReason.SCHEMA_MISMATCH, "ORDER_STATUS without code or status_code")
    mapping = STATUS_CODES.get(code or "", UNMAPPED)
    if mapping is UNMAPPED:
        problems.append(Problem("unknown_code", raw_code))
    status, milestone = mapping.status, mapping.milestone
    # A return order's delivery is the parcel arriving back at the shop.
    if attributes.is_return and status is Status.DELIVERED:
        status, milestone = Status.RETURNED, Milestone.RETURNED_TO_SENDER
    when = parse_iso(attributes.status_date_time)
    primary = attributes.cdek_number or webhook.uuid or ""
    references = (str(Identifier.shop(options.partner, attributes.number)),) if attributes.number else ()
    event = CanonicalEvent(
        event_id=make_event_id(options.partner, primary, raw_code, attributes.status_date_time),
        partner=options.partner,
        partner_kind=options.partner_kind,
        adapter_version=ADAPTER_VERSION,
        subject=subject,
        references=references,
        status=status,
        milestone=milestone,
        reason=mapping.reason,
        reason_party=mapping.party or (REASON_PARTY[mapping.reason] if mapping.reason else None),
        occurred_at=when.instant,
        local_offset_minutes=when.local_offset_minutes,
        received_at=received_at,
        location=Location(city=attributes.city, country=options.country) if attributes.city else None,
        raw_code=raw_code,
        raw_description=mapping.description or None,
    )
    return [event], problems


def _subject(webhook: RawWebhook, attributes: RawStatusAttributes) -> tuple[str, ...]:
    identifiers = []
    try:
        if attributes.cdek_number:
            identifiers.append(str(Identifier.of(Scheme.CDEK, attributes.cdek_number)))
        if webhook.uuid:
            identifiers.append(str(Identifier.of(Scheme.CDEK_UUID, webhook.uuid)))
    except InvalidIdentifier as err:
        raise AdapterError(DeadLetterReason.BAD_VALUE, str(err)) from err
    if not identifiers:
        raise AdapterError(DeadLetterReason.SCHEMA_MISMATCH, "ORDER_STATUS names neither cdek_number nor uuid")
    return tuple(identifiers)


def _first_error(err: ValidationError) -> str:
    first = err.errors()[0]
    return f"{'.'.join(map(str, first['loc']))}: {first['msg']}"
