"""AliExpress open-platform message push: `Authorization: hex(HMAC-SHA256(app_secret, app_key + body))`,
401 on a mismatch; a GET is a liveness probe. Answers carry no body."""

from __future__ import annotations

from aiohttp import web

from hub.gateway.auth import AuthMethod, check_aliexpress
from hub.gateway.incoming import Incoming, PartnerRoute
from hub.gateway.outcomes import REFUSAL_STATUS, Outcome
from hub.gateway.partner_access import PartnerAccess


def authenticate(access: PartnerAccess, incoming: Incoming) -> Outcome | None:
    assert access.app_key is not None and access.app_secret is not None
    return check_aliexpress(access.app_key, access.app_secret, incoming.body, incoming.headers.get("authorization"))


def accepted(incoming: Incoming) -> web.Response:  # noqa: ARG001 - every partner route answers from the request
    return web.Response(status=200, body=b"")


def refused(outcome: Outcome) -> web.Response:
    return web.Response(status=REFUSAL_STATUS[outcome], body=b"")


ROUTE = PartnerRoute(AuthMethod.HMAC_SHA256, authenticate, accepted, refused)
