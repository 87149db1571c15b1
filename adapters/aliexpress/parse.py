"""AliExpress order and tracking-result responses → canonical events (docs/partners/aliexpress.md).

Accepted with or without the TOP envelope, and with TOP's wrapped lists (`top.py`); told
apart by content:
- an order (`order_status`, `logistics_status`, `logistics_info_list`, ...): `orders.py`,
  one event per parcel the order names;
- a `querytrackingresult` response (`details[]`): `tracking_result.py`, one event per
  detail, for the parcel the `hub-subject` header names.
A page of orders (`result.target_list.<dto>[]`) is read order by order, one bad order skipped
and counted. An `error_response` is ignored. `event.py` builds the event of either.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from adapters._shared.items import BadItem, items_result, read_items
from adapters._shared.safe_json import load_json
from adapters.aliexpress.event import ADAPTER_VERSION
from adapters.aliexpress.orders import read_order
from adapters.aliexpress.top import ORDER_KEYS, unwrap, unwrap_all
from adapters.aliexpress.tracking_result import read_tracking_result
from adapters.base import AdapterError, AdapterOptions, AdapterResult, Problem, ignored
from schemas import CanonicalEvent, DeadLetterReason

__all__ = ["ADAPTER_VERSION", "parse"]


def parse(raw: bytes, *, received_at: datetime, options: AdapterOptions) -> AdapterResult:
    document = load_json(raw)
    if not isinstance(document, dict):
        raise AdapterError(DeadLetterReason.SCHEMA_MISMATCH, "an AliExpress response is a JSON object")
    error = document.get("error_response")
    if isinstance(error, dict):
        why = " ".join(str(error[k])[:60] for k in ("code", "sub_code", "msg") if error.get(k))
        return ignored(f"AliExpress error_response {why}".strip())
    page = unwrap_all(document)
    if page is not None:
        return _read_page(page, received_at, options)
    body = unwrap(document)
    if "details" in body or "result_success" in body:
        return read_tracking_result(body, received_at, options)
    if any(key in body for key in ORDER_KEYS):
        return read_order(body, received_at, options)
    raise AdapterError(DeadLetterReason.UNKNOWN_FORMAT, "neither an order nor a tracking result")


def _read_page(page: list[Any], received_at: datetime, options: AdapterOptions) -> AdapterResult:
    """Each order of a page; an order that cannot be read is one bad item."""
    problems: list[Problem] = []

    def read(item: Any) -> list[CanonicalEvent]:
        if not isinstance(item, dict) or not any(key in item for key in ORDER_KEYS):
            raise BadItem("not an order")
        try:
            result = read_order(item, received_at, options)
        except AdapterError as err:
            raise BadItem(err.message, err.reason) from err
        problems.extend(p for p in result.problems if p.kind != "ignored")
        return list(result.events)

    events = [event for events in read_items(page, read, "target_list", problems) for event in events]
    return items_result(events, problems, when_empty="a page of orders naming no parcel")
