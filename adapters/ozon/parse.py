"""Ozon pushes and posting responses → canonical events (docs/partners/ozon.md).

Two shapes arrive on the Ozon topic, told apart by content:
- a push notification (`message_type`): `push.py`;
- a posting read model (`result`: one posting, `result.postings[]` or a list; or the current
  FBS list, top-level `postings[]` with `cursor` and `has_next`): `postings.py`.
Both name a posting: subject `ozon_posting:<posting_number>` (docs/partners/ozon.md#identifiers);
`event.py` builds the event of either.
"""

from __future__ import annotations

from datetime import datetime

from adapters._shared.safe_json import load_json
from adapters.base import AdapterError, AdapterOptions, AdapterResult
from adapters.ozon.event import ADAPTER_VERSION
from adapters.ozon.postings import read_postings
from adapters.ozon.push import read_push
from schemas import DeadLetterReason

__all__ = ["ADAPTER_VERSION", "parse"]


def parse(raw: bytes, *, received_at: datetime, options: AdapterOptions) -> AdapterResult:
    document = load_json(raw)
    if not isinstance(document, dict):
        raise AdapterError(DeadLetterReason.SCHEMA_MISMATCH, "an Ozon message is a JSON object")
    if "message_type" in document:
        return read_push(document, received_at, options)
    if "result" in document:
        return read_postings(document["result"], received_at, options)
    if isinstance(document.get("postings"), list):  # the current FBS list: no `result` wrapper
        return read_postings(document, received_at, options)
    raise AdapterError(DeadLetterReason.UNKNOWN_FORMAT, "neither a push (message_type) nor a response (result, postings)")
