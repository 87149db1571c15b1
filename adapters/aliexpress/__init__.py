"""AliExpress Open Platform (PARTNERS.md §6.1): order status per parcel and tracking-result details."""

from adapters.aliexpress.parse import ADAPTER_VERSION, parse

__all__ = ["ADAPTER_VERSION", "parse"]
