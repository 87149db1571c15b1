"""Reading partner JSON defensively: bounded size and depth, a closed reason for each failure."""

from __future__ import annotations

import json
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


def _check_bracket_depth(text: str, max_depth: int) -> None:
    """Refuse deep nesting before json.loads recurses into it (a cheap scan outside strings)."""
    depth = 0
    in_string = False
    escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > max_depth:
                raise AdapterError(DeadLetterReason.TOO_DEEP, f"nesting deeper than {max_depth}")
        elif ch in "]}":
            depth -= 1
