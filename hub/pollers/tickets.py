"""Russian Post batch tickets: when to ask for the answer, when a ticket is gone. Pure.

docs/partners/russian-post.md#batch-access; the limits are in `limits.RussianPostLimits`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from hub.pollers.limits import RUSSIAN_POST, RussianPostLimits


@dataclass(frozen=True)
class Ticket:
    ticket: str
    identifiers: tuple[str, ...]  # scheme:VALUE of the barcodes asked about
    issued_at: float
    next_ask_at: float

    def to_json(self) -> dict:
        return {"ticket": self.ticket, "identifiers": list(self.identifiers), "issued_at": self.issued_at,
                "next_ask_at": self.next_ask_at}

    @classmethod
    def from_json(cls, data: dict) -> Ticket:
        return cls(data["ticket"], tuple(data["identifiers"]), float(data["issued_at"]), float(data["next_ask_at"]))


def issued(ticket: str, identifiers: list[str], now: float, limits: RussianPostLimits = RUSSIAN_POST) -> Ticket:
    return Ticket(ticket, tuple(identifiers), now, now + limits.first_answer_after)


def asked_again_later(ticket: Ticket, now: float, limits: RussianPostLimits = RUSSIAN_POST) -> Ticket:
    """Not ready (error 6), or no usable answer: ask again no sooner than the spacing allows."""
    return replace(ticket, next_ask_at=max(ticket.next_ask_at, now + limits.answer_spacing))


def expired(ticket: Ticket, now: float, limits: RussianPostLimits = RUSSIAN_POST) -> bool:
    """The answer is kept 32 hours: after that, asking is pointless (error 17)."""
    return now >= ticket.issued_at + limits.ticket_kept
