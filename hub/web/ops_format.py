"""How the ops figures read as text: counts, percentages, days, durations, ages; escaped for HTML.

Shared by the /ops page, its charts and `hub ops` in a terminal.
"""

from __future__ import annotations

import html
from typing import Any


def escape(value: Any) -> str:
    return html.escape(str(value), quote=True)


def format_count(n: float | int | None) -> str:
    return "–" if n is None else f"{int(n):,}".replace(",", "\u202f")


def format_percent(ratio: float | None) -> str:
    return "–" if ratio is None else f"{ratio * 100:.1f}%"


def format_days(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def format_seconds(value: float | None) -> str:
    if value is None:
        return "–"
    if value < 1:
        return f"{value * 1000:.0f} ms"
    if value < 120:
        return f"{value:.1f} s"
    if value < 7200:
        return f"{value / 60:.0f} min"
    return f"{value / 3600:.1f} h"


def format_age(seconds: float) -> str:
    seconds = max(0.0, seconds)
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.0f} h"
    return f"{seconds / 86400:.0f} d"


def clip(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"
