"""Cainiao global tracking JSON (docs/partners/cainiao.md): one event per `detailList` entry."""

from adapters.cainiao.parse import ADAPTER_VERSION, parse

__all__ = ["ADAPTER_VERSION", "parse"]
