"""Adapter name → parser: the one place that says which adapters exist.

`run_adapter` is how the hub calls an adapter: whatever escapes a parser that is not an
`AdapterError` is a bug in the adapter and comes back as `internal_error`, so one bad
message never stops the worker.
"""

from __future__ import annotations

from datetime import datetime

from adapters import cdek
from adapters.base import AdapterError, AdapterOptions, AdapterResult, Parser
from schemas import DeadLetterReason

PARSERS: dict[str, Parser] = {
    "cdek": Parser("cdek", cdek.ADAPTER_VERSION, cdek.parse),
}


def run_adapter(name: str, raw: bytes, *, received_at: datetime, options: AdapterOptions) -> AdapterResult:
    parser = PARSERS[name]
    try:
        return parser.parse(raw, received_at=received_at, options=options)
    except AdapterError:
        raise
    except Exception as err:  # noqa: BLE001 - any escape is an adapter bug, dead-lettered
        raise AdapterError(DeadLetterReason.INTERNAL_ERROR, f"{type(err).__name__}: {err}"[:300], type(err).__name__) from err
