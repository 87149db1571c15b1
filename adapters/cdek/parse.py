"""CDEK API v2 → canonical events (docs/partners/cdek.md): ORDER_STATUS webhooks and the order read model.

The format is told by content: an object with `type` is a webhook (`webhook.py`), one with
`entity` is a GET /v2/orders/{uuid} response (`read_model.py`); a response with only
`requests` is a failed request, ignored. What both share (one status of one order → one
event, identity, returns, reasons) is `status.py`.
"""

from __future__ import annotations

from datetime import datetime

from adapters._shared.safe_json import load_json
from adapters.base import AdapterError, AdapterOptions, AdapterResult, ignored
from adapters.cdek.read_model import read_model_response
from adapters.cdek.status import ADAPTER_VERSION
from adapters.cdek.webhook import read_webhook
from schemas import DeadLetterReason

__all__ = ["ADAPTER_VERSION", "parse"]


def parse(raw: bytes, *, received_at: datetime, options: AdapterOptions) -> AdapterResult:
    document = load_json(raw)
    if not isinstance(document, dict):
        raise AdapterError(DeadLetterReason.SCHEMA_MISMATCH, "a CDEK message is a JSON object")
    if "type" in document:
        return read_webhook(document, received_at, options)
    if "entity" in document:
        return read_model_response(document, received_at, options)
    if "requests" in document:
        return ignored("CDEK response without an entity (a failed request)")
    raise AdapterError(DeadLetterReason.UNKNOWN_FORMAT, "neither a CDEK webhook nor an order read model")
