"""Partners' native formats: one module per format, each turning tracks into messages.

Every payload copies the shape of the partner's real example (tests/adapters/<partner>/cases/):
the same keys, types, nesting, XML namespaces and prefixes; values come from the journey.
A format module exposes `messages(...)` returning `Message`s in no particular order.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from simulator.model import Expected, Message, Step, Track


def dump_json(document: Any, *, indent: int | str | None = 2, compact: bool = False) -> bytes:
    separators = (",", ":") if compact else None
    return json.dumps(document, ensure_ascii=False, indent=indent, separators=separators).encode("utf-8")


XmlNode = tuple[str, Any] | tuple[str, dict[str, str], Any]


def xml(node: XmlNode, depth: int = 0, step: int = 2) -> str:
    """Render `(tag, text|children)` or `(tag, attributes, text|children)` with indentation.

    Text is escaped; `children` is a list of nodes; None as text is an empty element.
    """
    pad = " " * (depth * step)
    if len(node) == 3:
        tag, attributes, content = node  # type: ignore[misc]
    else:
        tag, content = node  # type: ignore[misc]
        attributes = {}
    attrs = "".join(f" {name}={quoteattr(value)}" for name, value in attributes.items())
    if isinstance(content, list):
        if not content:
            return f"{pad}<{tag}{attrs}/>"
        inner = "\n".join(xml(child, depth + 1, step) for child in content)
        return f"{pad}<{tag}{attrs}>\n{inner}\n{pad}</{tag}>"
    if content is None:
        return f"{pad}<{tag}{attrs}/>"
    return f"{pad}<{tag}{attrs}>{escape(str(content))}</{tag}>"


def unknown_codes(steps: Iterable[Step]) -> tuple[str, ...]:
    """The undocumented codes among `steps`, as the partner writes them (the ledger's codes)."""
    return tuple(s.code for s in steps if s.undocumented)


def message(
    track: Track,
    at: datetime,
    payload: bytes,
    extension: str,
    *,
    outcome: str = "normalised",
    unknown: tuple[str, ...] = (),
    subject: str | None = None,
    links: bool = False,
    steps: Iterable[Step] = (),
    pushed: bool = False,
) -> Message:
    return Message(
        at=at,
        partner=track.partner,
        payload=payload,
        extension=extension,
        expected=Expected(outcome, None, unknown),
        subject=subject,
        track=f"{track.partner}/{track.key}",
        link_group=f"link:{track.partner}:{track.key}" if links else None,
        shipments=track.shipments,
        steps=tuple(steps),
        pushed=pushed,
    )


def poll_times(track: Track, rng: random.Random, *, chance: float, lag_hours: tuple[float, float]) -> list[datetime]:
    """When a polled history is fetched: after some of its steps, always after the last one."""
    times: list[datetime] = []
    for index, step in enumerate(track.steps):
        last = index == len(track.steps) - 1
        if last or rng.random() < chance:
            times.append(step.at + timedelta(seconds=int(rng.uniform(*lag_hours) * 3600)))
    return times


def snapshots(
    track: Track, rng: random.Random, *, chance: float, lag_hours: tuple[float, float]
) -> list[tuple[datetime, list[Step]]]:
    """(poll time, steps known by then) for each poll that would show something new."""
    result: list[tuple[datetime, list[Step]]] = []
    shown = 0
    for at in poll_times(track, rng, chance=chance, lag_hours=lag_hours):
        known = [s for s in track.steps if s.at <= at]
        if len(known) > shown:
            result.append((at, known))
            shown = len(known)
    return result


def lag(rng: random.Random, low_minutes: int, high_minutes: int) -> timedelta:
    return timedelta(seconds=rng.randint(low_minutes * 60, high_minutes * 60))
