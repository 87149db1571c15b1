"""Adapter name → parser: the one place that says which adapters exist.

`run_adapter` is how the hub calls an adapter: whatever escapes a parser that is not an
`AdapterError` is a bug in the adapter and comes back as `internal_error`, so one bad
message never stops the worker.
"""

from __future__ import annotations

from datetime import datetime

from adapters import aliexpress, boxberry, cainiao, cdek, hub_native, ozon, russian_post, spsr, wildberries
from adapters.base import AdapterError, AdapterOptions, AdapterResult, Parser
from schemas import DeadLetterReason

PARSERS: dict[str, Parser] = {
    "cdek": Parser("cdek", cdek.ADAPTER_VERSION, cdek.parse),
    "boxberry": Parser("boxberry", boxberry.ADAPTER_VERSION, boxberry.parse),
    "spsr": Parser("spsr", spsr.ADAPTER_VERSION, spsr.parse),
    "hub_native": Parser("hub_native", hub_native.ADAPTER_VERSION, hub_native.parse),
    "russian_post": Parser("russian_post", russian_post.ADAPTER_VERSION, russian_post.parse),
    "ozon": Parser("ozon", ozon.ADAPTER_VERSION, ozon.parse),
    "wildberries": Parser("wildberries", wildberries.ADAPTER_VERSION, wildberries.parse),
    "aliexpress": Parser("aliexpress", aliexpress.ADAPTER_VERSION, aliexpress.parse),
    "cainiao": Parser("cainiao", cainiao.ADAPTER_VERSION, cainiao.parse),
}


def run_adapter(name: str, raw: bytes, *, received_at: datetime, options: AdapterOptions) -> AdapterResult:
    parser = PARSERS[name]
    try:
        return parser.parse(raw, received_at=received_at, options=options)
    except AdapterError:
        raise
    except Exception as err:  # noqa: BLE001 - any escape is an adapter bug, dead-lettered
        raise AdapterError(DeadLetterReason.INTERNAL_ERROR, f"{type(err).__name__}: {err}"[:300], type(err).__name__) from err
