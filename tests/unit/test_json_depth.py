"""The JSON nesting check (adapters/_shared/safe_json.py) says what a character-by-character
scan outside strings says, on any text: the regular expressions only make it faster."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters._shared.safe_json import _check_bracket_depth
from adapters.base import AdapterError

pytestmark = pytest.mark.unit


def scanned_too_deep(text: str, max_depth: int) -> bool:
    """The reference: one character at a time, brackets inside strings not counted."""
    depth, in_string, escaped = 0, False, False
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
                return True
        elif ch in "]}":
            depth -= 1
    return False


def checked_too_deep(text: str, max_depth: int) -> bool:
    try:
        _check_bracket_depth(text, max_depth)
    except AdapterError:
        return True
    return False


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet='[]{}"\\a\n', max_size=60), st.integers(0, 8))
def test_the_depth_check_agrees_with_a_character_scan(text, max_depth):
    assert checked_too_deep(text, max_depth) == scanned_too_deep(text, max_depth)


def test_brackets_inside_strings_do_not_nest():
    assert not checked_too_deep('{"a": "' + "[" * 50 + '"}', 32)
    assert checked_too_deep("[" * 33 + "]" * 33, 32)
