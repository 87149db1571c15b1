"""A stand-in for Wildberries `POST /api/v3/orders/status` (docs/partners/wildberries.md#status-model).

Keeps the documented limit as a token bucket on the injected clock (one token every 200 ms, a
burst of 20, a 4xx costs ten) and answers 429 when it is empty: each 429 is a violation. More
than 1,000 ids is a 400 (and a violation); a wrong token is a 401.
"""

from __future__ import annotations

import json

from aiohttp import web

from hub.pollers.clock import Clock
from hub.pollers.limits import WILDBERRIES
from hub.pollers.pacing import TokenBucket
from hub.pollers.standins.serving import Recorded, Served


class WildberriesStandIn(Served):
    def __init__(self, clock: Clock, statuses: dict[int, tuple[str, str]], *, token: str = "token",
                 malformed_first: int = 0) -> None:
        app = web.Application()
        app.router.add_post("/api/v3/orders/status", self._handle)
        super().__init__(app)
        self.clock, self.statuses, self.token = clock, statuses, token
        self.bucket = TokenBucket(clock, refill_every=WILDBERRIES.refill_every, burst=WILDBERRIES.burst)
        self.recorded = Recorded()
        self.malformed_left = malformed_first  # answer this many requests with a broken body

    async def _handle(self, request: web.Request) -> web.Response:
        now = self.clock.now()
        if self.bucket.wait_for_token() > 0:
            self.recorded.violations.append(f"request at {now} over the limit")
            self.recorded.requests.append((now, "orders/status", "429"))
            return web.json_response({"title": "too many requests"}, status=429)
        self.bucket.charge(1)
        if request.headers.get("Authorization") != self.token:
            self.bucket.charge(WILDBERRIES.client_error_cost - 1)
            return web.json_response({"title": "unauthorized"}, status=401)
        ids = (await request.json()).get("orders", [])
        self.recorded.requests.append((now, "orders/status", ",".join(map(str, ids))))
        if len(ids) > WILDBERRIES.ids_per_request:
            self.recorded.violations.append(f"{len(ids)} ids in one request")
            self.bucket.charge(WILDBERRIES.client_error_cost - 1)
            return web.json_response({"title": "too many ids"}, status=400)
        if self.malformed_left:
            self.malformed_left -= 1
            return web.Response(body=b'{"orders": [{"id": ', content_type="application/json")
        orders = [{"id": i, "isCancellable": False, "supplierStatus": self.statuses[i][0], "wbStatus": self.statuses[i][1]}
                  for i in ids if i in self.statuses]
        return web.Response(body=json.dumps({"orders": orders}).encode(), content_type="application/json")
