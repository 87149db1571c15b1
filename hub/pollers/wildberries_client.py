"""Wildberries `POST /api/v3/orders/status` (docs/partners/wildberries.md#status-model), within its rate limit.

One token bucket per seller account (300 a minute, a burst of 20); a 4xx answer costs ten
requests. The token goes in `Authorization`.
"""

from __future__ import annotations

import json

import aiohttp

from hub.pollers.answers import Answer, Outcome
from hub.pollers.clock import Clock
from hub.pollers.credentials import PartnerCredentials
from hub.pollers.limits import WILDBERRIES, WildberriesLimits
from hub.pollers.pacing import TokenBucket

PATH = "/api/v3/orders/status"


def read_status_answer(body: bytes) -> Answer:
    try:
        document = json.loads(body)
    except ValueError:
        return Answer(Outcome.MALFORMED, body, "not JSON", publish=True)
    if isinstance(document, dict) and isinstance(document.get("orders"), list):
        return Answer(Outcome.ANSWERED, body, publish=True)
    return Answer(Outcome.MALFORMED, body, "no orders list", publish=True)


class WildberriesClient:
    def __init__(self, session: aiohttp.ClientSession, credentials: PartnerCredentials, clock: Clock,
                 limits: WildberriesLimits = WILDBERRIES) -> None:
        self._session, self._credentials, self.limits = session, credentials, limits
        self.bucket = TokenBucket(clock, refill_every=limits.refill_every, burst=limits.burst)

    async def statuses(self, ids: list[int]) -> Answer:
        if not 1 <= len(ids) <= self.limits.ids_per_request:
            raise ValueError(f"a status request takes 1 to {self.limits.ids_per_request} ids, not {len(ids)}")
        await self.bucket.take()
        url = self._credentials.url.rstrip("/") + PATH
        headers = {"Authorization": self._credentials.token, "Content-Type": "application/json"}
        try:
            async with self._session.post(url, data=json.dumps({"orders": ids}), headers=headers) as response:
                body = await response.read()
                status = response.status
        except (aiohttp.ClientError, TimeoutError) as err:
            return Answer(Outcome.UNREACHABLE, detail=type(err).__name__)
        if 400 <= status < 500:
            self.bucket.charge(self.limits.client_error_cost - 1)
        if status == 200:
            return read_status_answer(body)
        return Answer(Outcome.RATE_LIMITED if status == 429 else Outcome.HTTP_ERROR, body, f"HTTP {status}")
