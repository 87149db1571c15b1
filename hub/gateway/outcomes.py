"""What became of one request: exactly one outcome each, counted and logged."""

from __future__ import annotations

from enum import StrEnum


class Outcome(StrEnum):
    # Answered 200: the record is durable (or was already).
    DELIVERED = "delivered"  # acknowledged by the broker (acks=all)
    SPOOLED = "spooled"  # fsynced to the local spool; the drainer moves it to the broker
    DUPLICATE = "duplicate"  # a hub-native webhook id this gateway already made durable
    LIVENESS = "liveness"  # AliExpress's GET probe
    # Refused: nothing written.
    UNKNOWN_PARTNER = "unknown_partner"
    SOURCE_REFUSED = "source_refused"
    BAD_TOKEN = "bad_token"
    MISSING_SIGNATURE = "missing_signature"
    BAD_SIGNATURE = "bad_signature"
    STALE_TIMESTAMP = "stale_timestamp"
    TOO_LARGE = "too_large"
    TRUNCATED = "truncated"
    SLOW_BODY = "slow_body"
    RATE_LIMITED = "rate_limited"
    # Neither the broker nor the spool took the record: the partner's error shape, never a lie.
    UNAVAILABLE = "unavailable"


ANSWERED_OK = frozenset({Outcome.DELIVERED, Outcome.SPOOLED, Outcome.DUPLICATE, Outcome.LIVENESS})

# The HTTP status of each refusal.
REFUSAL_STATUS: dict[Outcome, int] = {
    Outcome.UNKNOWN_PARTNER: 404,
    Outcome.SOURCE_REFUSED: 403,
    Outcome.BAD_TOKEN: 401,
    Outcome.MISSING_SIGNATURE: 401,
    Outcome.BAD_SIGNATURE: 401,
    Outcome.STALE_TIMESTAMP: 401,
    Outcome.TOO_LARGE: 413,
    Outcome.TRUNCATED: 400,
    Outcome.SLOW_BODY: 408,
    Outcome.RATE_LIMITED: 429,
    Outcome.UNAVAILABLE: 503,
}
