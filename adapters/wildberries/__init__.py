"""Wildberries Marketplace API, FBS assembly tasks (docs/partners/wildberries.md): new orders and status polls."""

from adapters.wildberries.parse import ADAPTER_VERSION, parse

__all__ = ["ADAPTER_VERSION", "parse"]
