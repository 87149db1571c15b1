"""Messages of many items: one item that cannot be read is skipped and counted, the rest kept.

An adapter reads each item (a history record, an operation, an entry of a list) with a
function that raises `BadItem` for that item alone; `read_items` turns it into a `bad_item`
problem, and the message comes out `partial` (adapters.base.result_of); a message whose every
item was bad is dead-lettered instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from adapters.base import AdapterError, AdapterResult, Problem, ignored, result_of
from schemas import CanonicalEvent, DeadLetterReason, Outcome

T = TypeVar("T")
R = TypeVar("R")


class BadItem(Exception):
    """One item cannot be read; the others are kept.

    `reason` is the dead-letter reason should the item be the whole message (`as_error`).
    """

    def __init__(self, message: str, reason: DeadLetterReason = DeadLetterReason.SCHEMA_MISMATCH) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason

    def as_error(self) -> AdapterError:
        return AdapterError(self.reason, self.message)


def read_items(
    items: Iterable[T],
    read: Callable[[T], R],
    where: str | Callable[[int, T], str],
    problems: list[Problem],
    *,
    catch: tuple[type[Exception], ...] = (),
) -> list[R]:
    """`read(item)` for each item, in order; an item that raises `BadItem` (or one of `catch`)
    becomes the problem `bad_item "<where>: <why>"`. `where` is a list's name (`orders` gives
    `orders[3]`) or a function of the index and the item."""
    read_so_far: list[R] = []
    for index, item in enumerate(items):
        try:
            read_so_far.append(read(item))
        except BadItem as err:
            problems.append(Problem("bad_item", f"{_where(where, index, item)}: {err}", err.reason))
        except catch as err:
            reason = err.reason if isinstance(err, AdapterError) else None
            problems.append(Problem("bad_item", f"{_where(where, index, item)}: {str(err)[:200]}", reason))
    return read_so_far


def items_result(events: list[CanonicalEvent], problems: list[Problem], *, when_empty: str) -> AdapterResult:
    """The result of a list: `ignored` (with `when_empty`) when it held nothing at all (no
    event, no bad item: soft findings such as an odd identifier ride along)."""
    if not events and not any(p.kind == "bad_item" for p in problems):
        if problems:
            return AdapterResult(Outcome.IGNORED, (), (Problem("ignored", when_empty), *problems))
        return ignored(when_empty)
    return result_of(events, problems)


def _where(where: str | Callable[[int, T], str], index: int, item: T) -> str:
    return f"{where}[{index}]" if isinstance(where, str) else where(index, item)
