"""Reading partner JSON defensively: bounded size and depth, a closed reason for each failure."""

from __future__ import annotations

import json
import re
from typing import Any

from adapters.base import AdapterError
from schemas import DeadLetterReason

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 32


def load_json(raw: bytes, *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH) -> Any:
    if len(raw) > max_bytes:
        raise AdapterError(DeadLetterReason.TOO_LARGE, f"{len(raw)} bytes, limit {max_bytes}")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise AdapterError(DeadLetterReason.BAD_ENCODING, f"not UTF-8 at byte {err.start}") from err
    _check_bracket_depth(text, max_depth)
    try:
        return json.loads(text, parse_float=str, parse_constant=_reject_constant)
    except (json.JSONDecodeError, ValueError) as err:
        raise AdapterError(DeadLetterReason.NOT_JSON, str(err)[:200]) from err


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


# A JSON string (quotes, and any escaped character inside; one left open runs to the end):
# brackets in it do not nest.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


def _check_bracket_depth(text: str, max_depth: int) -> None:
    """Refuse deep nesting before json.loads recurses into it (a scan of the brackets outside strings)."""
    if text.count("[") + text.count("{") <= max_depth:
        return  # too few openings to nest that deep, wherever they are
    depth = 0
    # The regular expressions do the character scan; only the brackets are looked at here.
    for bracket in _BRACKET.findall(_STRING.sub("", text)):
        if bracket in "[{":
            depth += 1
            if depth > max_depth:
                raise AdapterError(DeadLetterReason.TOO_DEEP, f"nesting deeper than {max_depth}")
        else:
            depth -= 1
