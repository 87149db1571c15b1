"""The hub-native format (docs/hub-native-format.md): for partners without a format of their own."""

from adapters.hub_native.parse import ADAPTER_VERSION, FORMAT, parse

__all__ = ["ADAPTER_VERSION", "FORMAT", "parse"]
