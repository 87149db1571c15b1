"""Partner code tables as data: each code maps to a status, a milestone and maybe a reason.

An adapter keeps its table in its own `codes.py` with the source cited; a code the table
lacks maps to `UNMAPPED` (status and milestone `unknown`) and is reported as a problem,
never guessed (`lookup`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

from adapters.base import Problem
from schemas import Milestone, Party, Reason, Status

M = TypeVar("M")


@dataclass(frozen=True)
class CodeMapping:
    status: Status
    milestone: Milestone
    reason: Reason | None = None
    party: Party | None = None
    description: str = ""


UNMAPPED = CodeMapping(Status.UNKNOWN, Milestone.UNKNOWN)


# An `informational` row still names the status the code implies (a partner code never
# maps to `unknown` when it is documented); the timeline fold skips informational
# milestones when it decides the current status, so such a code changes nothing.


def lookup(
    table: Mapping[str, CodeMapping],
    key: str,
    problems: list[Problem],
    *,
    shown: str | None = None,
    fallback: CodeMapping | None = None,
) -> CodeMapping:
    """The row of `key`; for a code the table lacks, an `unknown_code` problem naming the code
    as written (`shown`, when the key is a normalised form of it) and `fallback`, the stage
    the partner itself states beside the code (Cainiao's group node, Ozon's status), else
    `UNMAPPED`. A fallback is still counted as an unknown code."""
    mapping = table.get(key, UNMAPPED)
    if mapping is UNMAPPED:
        problems.append(Problem("unknown_code", key if shown is None else shown))
        if fallback is not None:
            return fallback
    return mapping


def text_key(text: str) -> str:
    """How codes written as words compare (Boxberry names, SPSR states): trimmed,
    single-spaced, case-folded, ё read as е."""
    return " ".join(text.split()).casefold().replace("ё", "е")


def keyed(table: Mapping[str, M]) -> dict[str, M]:
    """A table of worded codes, keyed by `text_key`."""
    return {text_key(code): row for code, row in table.items()}
