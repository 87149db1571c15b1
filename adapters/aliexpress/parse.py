"""AliExpress order and tracking-result responses → canonical events (docs/partners/aliexpress.md).

Accepted with or without the TOP envelope, and with TOP's wrapped lists (`top.py`); told
apart by content:
- an order (`order_status`, `logistics_status`, `logistics_info_list`, ...): `orders.py`,
  one event per parcel the order names;
- a `querytrackingresult` response (`details[]`): `tracking_result.py`, one event per
  detail, for the parcel the `hub-subject` header names.
An `error_response` is ignored. `event.py` builds the event of either.
"""

from __future__ import annotations

from datetime import datetime

from adapters._shared.safe_json import load_json
from adapters.aliexpress.event import ADAPTER_VERSION
from adapters.aliexpress.orders import read_order
from adapters.aliexpress.top import ORDER_KEYS, unwrap
from adapters.aliexpress.tracking_result import read_tracking_result
from adapters.base import AdapterError, AdapterOptions, AdapterResult, ignored
from schemas import DeadLetterReason

__all__ = ["ADAPTER_VERSION", "parse"]


def parse(raw: bytes, *, received_at: datetime, options: AdapterOptions) -> AdapterResult:
    document = load_json(raw)
    if not isinstance(document, dict):
        raise AdapterError(DeadLetterReason.SCHEMA_MISMATCH, "an AliExpress response is a JSON object")
    if isinstance(document.get("error_response"), dict):
        return ignored("AliExpress error_response")
    body = unwrap(document)
    if "details" in body or "result_success" in body:
        return read_tracking_result(body, received_at, options)
    if any(key in body for key in ORDER_KEYS):
        return read_order(body, received_at, options)
    raise AdapterError(DeadLetterReason.UNKNOWN_FORMAT, "neither an order nor a tracking result")
