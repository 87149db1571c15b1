"""Cainiao global tracking JSON (PARTNERS.md §6.2-6.4): one event per `detailList` entry."""

from adapters.cainiao.parse import ADAPTER_VERSION, parse

__all__ = ["ADAPTER_VERSION", "parse"]
