"""Russian Post tracking API (docs/partners/russian-post.md): single access, batch access and COD events."""

from adapters.russian_post.parse import ADAPTER_VERSION, parse

__all__ = ["ADAPTER_VERSION", "parse"]
