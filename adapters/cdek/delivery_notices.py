"""CDEK's promise and problem webhooks → one event each (docs/partners/cdek.md#promise-and-problem-webhooks).

- `ORDER_MODIFIED` of kind `PLANED_DELIVERY_DATE_CHANGED`: a new planned delivery date, the
  promise (`promised_delivery`); other kinds (sum, mode) are ignored with their kind.
- `DELIV_AGREEMENT`: the date and window agreed with the recipient; the promise is the end of
  the window.
- `DELIV_PROBLEM`: a delivery problem code (codes.DELIVERY_PROBLEMS) with its reason and party.

None changes the parcel's status (milestone `informational`). The order is the webhook's
`uuid` and, when given, `attributes.cdek_number` (an odd one is flagged, status.read_order).
A date without a time or zone is read in the adapter's assumed zone, the end of that day.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from pydantic import ValidationError, field_validator

from adapters._shared.code_table import CodeMapping, lookup
from adapters._shared.events import canonical_event
from adapters._shared.times import PartnerTime, in_zone, parse_iso
from adapters._shared.validation import first_error, validated
from adapters.base import AdapterError, AdapterOptions, AdapterResult, Problem, ignored, result_of
from adapters.cdek.codes import (
    DELIV_AGREEMENT,
    DELIV_PROBLEM,
    DELIVERY_PROBLEM,
    DELIVERY_PROBLEMS,
    NOTICES,
    PLANNED_DELIVERY_DATE_CHANGED,
)
from adapters.cdek.status import ADAPTER_VERSION, CdekObject, Order, int_as_text, read_order
from schemas import CanonicalEvent, DeadLetterReason

_END_OF_DAY = time(23, 59, 59)


class RawNoticeAttributes(CdekObject):
    cdek_number: str | None = None
    number: str | None = None
    # ORDER_MODIFIED
    modification_type: str | None = None
    new_value: dict[str, Any] | None = None
    # DELIV_AGREEMENT
    date_time: str | None = None
    date: str | None = None
    time_from: str | None = None
    time_to: str | None = None
    comment: str | None = None
    # DELIV_PROBLEM
    code: str | None = None
    create_date: str | None = None

    _text = field_validator("cdek_number", "number", "code", mode="before")(int_as_text)


def read_notice(
    kind: str, uuid: str | None, sent_at: str | None, attributes: dict[str, object],
    received_at: datetime, options: AdapterOptions,
) -> AdapterResult:
    notice = validated(RawNoticeAttributes, attributes)
    problems: list[Problem] = []
    promised: datetime | None = None
    description: str | None = None
    if kind == DELIV_PROBLEM:
        code = _required(notice.code, "code").strip()
        mapping = lookup(DELIVERY_PROBLEMS, code, problems, shown=f"deliv_problem:{code[:40]}", fallback=DELIVERY_PROBLEM)
        raw_code, written = f"{DELIV_PROBLEM}:{code[:40]}", notice.create_date or sent_at
    elif kind == DELIV_AGREEMENT:
        mapping, raw_code, written = NOTICES[DELIV_AGREEMENT], DELIV_AGREEMENT, notice.date_time or sent_at
        promised = _local_promise(_required(notice.date, "date"), notice.time_to, options)
        window = f"{notice.date} {notice.time_from or ''}-{notice.time_to or ''}".strip()
        description = "; ".join(filter(None, [window, (notice.comment or "").strip()[:200]]))
    else:  # ORDER_MODIFIED
        if notice.modification_type != PLANNED_DELIVERY_DATE_CHANGED:
            return ignored(f"ORDER_MODIFIED {str(notice.modification_type)[:60]}: not a tracking fact")
        value = (notice.new_value or {}).get("value")
        promised = _local_promise(_required(value if isinstance(value, str) else None, "new_value.value"), None, options)
        mapping, raw_code, written = NOTICES[PLANNED_DELIVERY_DATE_CHANGED], PLANNED_DELIVERY_DATE_CHANGED, sent_at
    order = read_order(notice.cdek_number, uuid, notice.number, False, [], options)
    written = _required(written, "date_time")
    try:
        event = _event(order, mapping, raw_code, written, parse_iso(written), promised, description, received_at, options)
    except ValidationError as err:
        raise AdapterError(DeadLetterReason.BAD_VALUE, first_error(err)) from err
    return result_of([event], order.problems + problems)


def _event(
    order: Order, mapping: CodeMapping, raw_code: str, written: str, when: PartnerTime, promised: datetime | None,
    description: str | None, received_at: datetime, options: AdapterOptions,
) -> CanonicalEvent:
    return canonical_event(
        options, received_at, adapter_version=ADAPTER_VERSION, primary=order.primary, time_text=written,
        subject=order.subject, references=order.references, mapping=mapping, raw_code=raw_code, when=when,
        description=description, promised=promised, flags=order.flags,
    )


def _local_promise(day: str, until: str | None, options: AdapterOptions) -> datetime:
    """`2024-12-13` (and `18:00:00`, the end of a window): a wall time in the assumed zone."""
    try:
        naive = datetime.combine(datetime.fromisoformat(day.strip()).date(), time.fromisoformat(until.strip()) if until else _END_OF_DAY)
    except ValueError as err:
        raise AdapterError(DeadLetterReason.BAD_VALUE, f"not a date and time: {day[:40]!r} {str(until)[:20]!r}") from err
    return in_zone(naive, options.assumed_zone, assumed=True, text=day).instant


def _required(value: str | None, name: str) -> str:
    if value is None or not str(value).strip():
        raise AdapterError(DeadLetterReason.SCHEMA_MISMATCH, f"no {name}")
    return value
