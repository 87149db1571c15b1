"""CDEK webhooks (docs/partners/cdek.md#order_status-webhook).

`ORDER_STATUS` → one event; `ORDER_MODIFIED`, `DELIV_AGREEMENT` and `DELIV_PROBLEM` carry a
promise or a problem (`delivery_notices.py`); every other webhook type (`PRINT_FORM`,
`DOWNLOAD_PHOTO`, ...) is not a tracking message and is ignored (docs/partners/cdek.md#other-webhook-types).
`occurred_at` is `status_date_time` (when the status was set), not `date_time` (when the
webhook was sent). Webhooks carry no money.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ValidationError, field_validator

from adapters._shared.validation import first_error, validated
from adapters.base import AdapterError, AdapterOptions, AdapterResult, ignored, result_of
from adapters.cdek.codes import DELIV_AGREEMENT, DELIV_PROBLEM, ORDER_MODIFIED
from adapters.cdek.delivery_notices import read_notice
from adapters.cdek.status import CdekObject, StatusLine, int_as_text, read_order, status_event
from schemas import DeadLetterReason


class RawStatusAttributes(CdekObject):
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

    _text = field_validator("cdek_number", "number", "status_code", "status_reason_code", mode="before")(int_as_text)


class RawWebhook(CdekObject):
    type: str
    uuid: str | None = None
    date_time: str | None = None
    attributes: dict[str, object] = {}


def read_webhook(document: dict[str, Any], received_at: datetime, options: AdapterOptions) -> AdapterResult:
    webhook = validated(RawWebhook, document)
    if webhook.type in (ORDER_MODIFIED, DELIV_AGREEMENT, DELIV_PROBLEM):
        return read_notice(webhook.type, webhook.uuid, webhook.date_time, webhook.attributes, received_at, options)
    if webhook.type != "ORDER_STATUS":
        return ignored(f"webhook type {webhook.type}")
    attributes = validated(RawStatusAttributes, webhook.attributes)
    order = read_order(
        attributes.cdek_number,
        webhook.uuid,
        attributes.number,
        attributes.is_return,
        attributes.related_entities,
        options,
    )
    raw = StatusLine(
        attributes.code,
        attributes.status_code,
        attributes.status_reason_code,
        attributes.status_date_time,
        attributes.city or attributes.city_name,
    )
    if not (raw.code or raw.legacy_numeric):
        raise AdapterError(DeadLetterReason.SCHEMA_MISMATCH, "ORDER_STATUS without code or status_code")
    try:
        event, problems = status_event(order, raw, (), received_at, options)
    except ValidationError as err:
        raise AdapterError(DeadLetterReason.BAD_VALUE, first_error(err)) from err
    return result_of([event], order.problems + problems)
