"""A token bucket on the pollers' clock: a partner's request rate, burst and the cost of an error."""

from __future__ import annotations

from hub.pollers.clock import Clock

EPSILON = 1e-6


class TokenBucket:
    """`burst` tokens at most, one more every `refill_every` seconds; a request takes one.

    `charge` takes more after the fact (Wildberries counts a 4xx as 10 requests); the bucket
    may go below zero, and then the next request waits until it has refilled to one.
    """

    def __init__(self, clock: Clock, *, refill_every: float, burst: int) -> None:
        self._clock = clock
        self._refill_every = refill_every
        self._burst = float(burst)
        self._tokens = float(burst)
        self._at = clock.now()

    def _refill(self) -> None:
        now = self._clock.now()
        self._tokens = min(self._burst, self._tokens + (now - self._at) / self._refill_every)
        self._at = now

    def wait_for_token(self) -> float:
        """Seconds until a request may go (0 when it may go now)."""
        self._refill()
        # The tolerance absorbs float rounding at epoch magnitudes (a microsecond is the clock's grain there).
        return 0.0 if self._tokens >= 1 - EPSILON else max((1 - self._tokens) * self._refill_every, 1e-6)

    async def take(self) -> None:
        while (wait := self.wait_for_token()) > 0:
            await self._clock.sleep(wait)
        self._tokens -= 1

    def charge(self, tokens: float) -> None:
        self._refill()
        self._tokens -= tokens
