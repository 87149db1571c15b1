"""Ozon Seller API (docs/partners/ozon.md): push notifications and the FBS posting read model."""

from adapters.ozon.parse import ADAPTER_VERSION, parse

__all__ = ["ADAPTER_VERSION", "parse"]
