"""The contract every adapter keeps: its options, its result and its error."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from schemas import CanonicalEvent, DeadLetterReason, Outcome, PartnerKind


@dataclass(frozen=True)
class AdapterOptions:
    """What an adapter knows besides the bytes: who sent them, and what the publisher said."""

    partner: str
    partner_kind: PartnerKind
    # The `hub-subject` header (`scheme:VALUE`), for formats that do not name their parcel.
    subject: str | None = None
    # The zone assumed for a partner's local times that carry no offset (flagged on the event).
    assumed_zone: str = "Europe/Moscow"
    # The partner's country, for legs and locations, when the partner has one.
    country: str | None = None


@dataclass(frozen=True)
class Problem:
    """A soft finding: an unknown code kept as `unknown`, a bad item skipped, a bad check digit."""

    kind: str  # unknown_code | bad_item | bad_check_digit | odd_identifier | ...
    detail: str
    # For a bad item: the dead-letter reason, should every item of the message be bad.
    reason: DeadLetterReason | None = None


@dataclass(frozen=True)
class AdapterResult:
    outcome: Outcome
    events: tuple[CanonicalEvent, ...] = ()
    problems: tuple[Problem, ...] = ()

    @property
    def unknown_codes(self) -> tuple[str, ...]:
        return tuple(p.detail for p in self.problems if p.kind == "unknown_code")

    @property
    def bad_items(self) -> int:
        return sum(1 for p in self.problems if p.kind == "bad_item")


def ignored(detail: str) -> AdapterResult:
    """Not a tracking message (CDEK PRINT_FORM, Ozon TYPE_PING): counted, no events."""
    return AdapterResult(Outcome.IGNORED, (), (Problem("ignored", detail),))


def result_of(events: list[CanonicalEvent], problems: list[Problem]) -> AdapterResult:
    """Normalised, or partial when some items were bad and skipped.

    A message that yields no event while some of its items were bad had only bad items: it
    is dead-lettered (the reason of its first bad item), never counted partial with nothing
    in it, so that it can be replayed after a fix.
    """
    bad = [p for p in problems if p.kind == "bad_item"]
    if bad and not events:
        first = bad[0]
        more = f" (and {len(bad) - 1} more bad items)" if len(bad) > 1 else ""
        raise AdapterError(first.reason or DeadLetterReason.SCHEMA_MISMATCH, f"every item was bad: {first.detail}{more}"[:300])
    outcome = Outcome.PARTIAL if any(p.kind == "bad_item" for p in problems) else Outcome.NORMALISED
    return AdapterResult(outcome, tuple(events), tuple(problems))


@dataclass
class AdapterError(Exception):
    """The message as a whole cannot be read; it goes to the dead-letter topic with `reason`."""

    reason: DeadLetterReason
    message: str
    error_type: str = field(default="AdapterError")

    def __str__(self) -> str:
        return f"{self.reason.value}: {self.message}"


class ParseFn(Protocol):
    def __call__(self, raw: bytes, *, received_at: datetime, options: AdapterOptions) -> AdapterResult: ...


@dataclass(frozen=True)
class Parser:
    """An adapter as the registry knows it."""

    name: str
    version: int
    parse: ParseFn
