"""AliExpress `querytrackingresult` answers (docs/partners/aliexpress.md#tracking-results).

One event per `details[]` entry, for the parcel the `hub-subject` header names; the
`status` codes are Cainiao's (codes.DETAIL_CODES). `event_date` is assumed to be China time
(Asia/Shanghai, where Cainiao renders its times), flagged `offset_assumed`; a time written
with an offset is read as written. `signed_name` and `address` are personal data: never read.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from adapters._shared.code_table import lookup
from adapters._shared.events import check_digit_flags
from adapters._shared.items import BadItem, read_items
from adapters._shared.subject import subject_header
from adapters._shared.validation import Tolerant, validated_item
from adapters.aliexpress.codes import DETAIL_CODES
from adapters.aliexpress.event import parcel_event
from adapters.aliexpress.top import read_time, top_list
from adapters.base import AdapterError, AdapterOptions, AdapterResult, Problem, ignored, result_of
from schemas import CanonicalEvent, DeadLetterReason, Identifier, Level

TRACKING_TIME_ZONE = "Asia/Shanghai"  # assumed: Cainiao's own times are UTC+8 (docs/partners/cainiao.md#time-semantics)


class RawDetail(Tolerant):
    status: str | None = None
    event_date: str | None = None
    event_desc: str | None = None


def read_tracking_result(body: dict[str, Any], received_at: datetime, options: AdapterOptions) -> AdapterResult:
    if body.get("result_success") is False:
        detail = body.get("error_desc")
        return ignored(f"tracking query failed: {str(detail)[:100] if detail else 'no error_desc'}")
    parcel = subject_header(options, missing=None, parcel=False)
    if parcel is None or parcel.level is not Level.PARCEL:
        raise AdapterError(DeadLetterReason.MISSING_SUBJECT, "tracking details need a parcel in hub-subject")
    details = top_list(body.get("details"))
    if not details:
        return ignored("no tracking details")
    flags = check_digit_flags([parcel])
    problems: list[Problem] = []
    events = read_items(
        details, lambda detail: _detail_event(detail, parcel, flags, received_at, options, problems), "details", problems
    )
    return result_of(events, problems)


def _detail_event(
    detail: object,
    parcel: Identifier,
    flags: tuple[str, ...],
    received_at: datetime,
    options: AdapterOptions,
    problems: list[Problem],
) -> CanonicalEvent:
    parsed = validated_item(RawDetail, detail)
    code = (parsed.status or "").strip()
    written = (parsed.event_date or "").strip()
    if not code or not written:
        raise BadItem("detail without status or event_date")
    try:
        when = read_time(written, TRACKING_TIME_ZONE, assumed=True)
    except AdapterError as err:
        raise BadItem(err.message) from err
    mapping = lookup(DETAIL_CODES, code, problems)
    description = (parsed.event_desc or "").strip()[:300] or None
    return parcel_event(options, received_at, parcel, code, written, when, mapping, description=description, flags=flags)
