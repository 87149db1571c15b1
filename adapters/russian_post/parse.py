"""Russian Post tracking responses → canonical events (docs/partners/russian-post.md).

Three formats, told apart by their content, each read by a module of its own:
- single access `getOperationHistory` (docs/partners/russian-post.md#historyrecord-single-access):
  `soap_history.py`;
- batch `answerByTicket` (docs/partners/russian-post.md#batch-operation): `batch_ticket.py`;
- cash on delivery `PostalOrderEventsForMail` (docs/partners/russian-post.md#cod-events):
  `cod_events.py`.
What they share (an operation and its event, barcodes, kopecks, XML text) is `operation.py`.

A SOAP fault, or a batch answer that is only an error (say "response not ready"), carries
no tracking data: ignored.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from xml.etree.ElementTree import Element

from adapters._shared.safe_xml import load_xml, local_name
from adapters.base import AdapterError, AdapterOptions, AdapterResult, ignored
from adapters.russian_post.batch_ticket import read_batch
from adapters.russian_post.cod_events import read_cod
from adapters.russian_post.operation import ADAPTER_VERSION, clip
from adapters.russian_post.soap_history import read_history
from schemas import DeadLetterReason

__all__ = ["ADAPTER_VERSION", "parse"]


class _Format(Enum):
    SINGLE = "getOperationHistory"
    BATCH = "answerByTicket"
    COD = "PostalOrderEventsForMail"
    FAULT = "SOAP fault"


_MARKERS: dict[str, _Format] = {
    "Fault": _Format.FAULT,
    "getOperationHistoryResponse": _Format.SINGLE,
    "OperationHistoryData": _Format.SINGLE,
    "historyRecord": _Format.SINGLE,
    "answerByTicketResponse": _Format.BATCH,
    "Item": _Format.BATCH,
    "PostalOrderEventsForMailResponse": _Format.COD,
    "PostalOrderEventsForMaiOutput": _Format.COD,  # sic, the spec's spelling (docs/partners/russian-post.md#cod-events)
    "PostalOrderEventsForMailOutput": _Format.COD,
    "PostalOrderEvent": _Format.COD,
}


def parse(raw: bytes, *, received_at: datetime, options: AdapterOptions) -> AdapterResult:
    root = load_xml(raw)
    found = _detect(root)
    if found is _Format.SINGLE:
        return read_history(root, received_at, options)
    if found is _Format.BATCH:
        return read_batch(root, received_at, options)
    if found is _Format.COD:
        return read_cod(root, received_at, options)
    if found is _Format.FAULT:
        texts = (clip(e.text) for e in root.iter() if local_name(e) in ("Text", "faultstring", "Reason"))
        reason = next((text for text in texts if text), None)
        return ignored(f"SOAP fault: {reason or 'no reason given'}")
    raise AdapterError(DeadLetterReason.UNKNOWN_FORMAT, f"not a Russian Post response (root {clip(local_name(root))})")


def _detect(root: Element) -> _Format | None:
    for element in root.iter():
        found = _MARKERS.get(local_name(element))
        if found is not None:
            return found
    return None
