"""CDEK API v2 (docs/partners/cdek.md): ORDER_STATUS webhooks and the GET /v2/orders/{uuid} read model."""

from adapters.cdek.parse import ADAPTER_VERSION, parse

__all__ = ["ADAPTER_VERSION", "parse"]
