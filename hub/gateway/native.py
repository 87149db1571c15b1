"""Hub-native webhooks (warehouses, pickup points): Standard Webhooks 1.0 signatures and a
five-minute replay window. Answers are ours to define (docs/gateway.md#hub-native):
`{"status": "accepted"}` or `{"status": "duplicate"}`, else `{"error": "<outcome>"}`.

A webhook id already made durable by this gateway within the window is answered as a
duplicate and not written again. The memory is per process: behind a load balancer a retry
may reach another gateway and be written twice, which the hub's event ids absorb.
"""

from __future__ import annotations

import json
import time
from collections import OrderedDict

from aiohttp import web

from hub.gateway.auth import REPLAY_WINDOW_SECONDS, AuthMethod, check_standard_webhook
from hub.gateway.incoming import Incoming, PartnerRoute
from hub.gateway.outcomes import REFUSAL_STATUS, Outcome
from hub.gateway.partner_access import PartnerAccess

ACCEPTED = b'{"status": "accepted"}'
DUPLICATE = b'{"status": "duplicate"}'
JSON = "application/json"


def authenticate(access: PartnerAccess, incoming: Incoming) -> Outcome | None:
    return check_standard_webhook(access.webhook_secrets, incoming.headers, incoming.body, incoming.received_at.timestamp())


def accepted(incoming: Incoming) -> web.Response:  # noqa: ARG001 - every partner route answers from the request
    return web.Response(status=200, body=ACCEPTED, content_type=JSON)


def duplicate() -> web.Response:
    return web.Response(status=200, body=DUPLICATE, content_type=JSON)


def refused(outcome: Outcome) -> web.Response:
    return web.Response(status=REFUSAL_STATUS[outcome], body=json.dumps({"error": outcome.value}).encode(), content_type=JSON)


ROUTE = PartnerRoute(AuthMethod.STANDARD_WEBHOOKS, authenticate, accepted, refused)


class SeenWebhooks:
    """Webhook ids made durable in the last replay window (a signature older than that is refused anyway)."""

    # A signature is good 5 min either side of its timestamp, so a replay can come 10 min after the first.
    def __init__(self, window: float = 2 * REPLAY_WINDOW_SECONDS, clock=time.monotonic) -> None:
        self._window = window
        self._clock = clock
        self._seen: OrderedDict[tuple[str, str], float] = OrderedDict()

    def _forget_old(self) -> None:
        horizon = self._clock() - self._window
        while self._seen and next(iter(self._seen.values())) < horizon:
            self._seen.popitem(last=False)

    def seen(self, partner: str, webhook_id: str) -> bool:
        self._forget_old()
        return (partner, webhook_id) in self._seen

    def remember(self, partner: str, webhook_id: str) -> None:
        self._seen[(partner, webhook_id)] = self._clock()
        self._seen.move_to_end((partner, webhook_id))
