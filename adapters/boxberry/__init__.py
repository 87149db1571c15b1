"""Boxberry (docs/partners/boxberry.md): ListStatuses and ListStatusesFull status lists."""

from adapters.boxberry.parse import ADAPTER_VERSION, parse

__all__ = ["ADAPTER_VERSION", "parse"]
