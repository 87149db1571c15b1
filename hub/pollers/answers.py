"""What a partner's answer was, as the clients report it: one vocabulary for every partner."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Outcome(StrEnum):
    ANSWERED = "answered"  # an answer with tracking data (or a ticket)
    NOT_READY = "not_ready"  # Russian Post error 6: ask again later
    EXPIRED = "expired"  # Russian Post error 17: the ticket is gone
    PARTNER_ERROR = "partner_error"  # the partner's own error answer (Boxberry `err`, a SOAP fault)
    MALFORMED = "malformed"  # a 200 whose body cannot be read
    RATE_LIMITED = "rate_limited"  # 429
    HTTP_ERROR = "http_error"  # another 4xx or 5xx
    UNREACHABLE = "unreachable"  # no answer at all (connection, timeout)


@dataclass(frozen=True)
class Answer:
    outcome: Outcome
    body: bytes = b""
    detail: str = ""
    ticket: str | None = None  # getTicket's ticket id
    # Published raw to the partner topic (the adapter reads it, or dead-letters it if unreadable).
    publish: bool = False

    @property
    def failed(self) -> bool:
        return self.outcome not in (Outcome.ANSWERED, Outcome.NOT_READY)

    @property
    def unanswered(self) -> bool:
        """No readable answer came back at all: the partner, not one parcel, is in trouble."""
        return self.outcome in (Outcome.RATE_LIMITED, Outcome.HTTP_ERROR, Outcome.UNREACHABLE)


class TooSoon(RuntimeError):
    """A request the partner's limits do not allow yet; the client refuses to send it."""
