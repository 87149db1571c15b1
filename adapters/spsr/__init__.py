"""SPSR Express (docs/partners/spsr.md): the XML invoice info answer (GetInvoiceInfo)."""

from adapters.spsr.parse import ADAPTER_VERSION, parse

__all__ = ["ADAPTER_VERSION", "parse"]
