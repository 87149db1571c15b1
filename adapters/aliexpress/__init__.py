"""AliExpress Open Platform (docs/partners/aliexpress.md): order status per parcel and tracking-result details."""

from adapters.aliexpress.parse import ADAPTER_VERSION, parse

__all__ = ["ADAPTER_VERSION", "parse"]
