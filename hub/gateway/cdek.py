"""CDEK API v2 webhooks: path token; 200 with an empty body once durable. CDEK never retries,
so a 200 is given only for a record the broker or the spool holds; an error is its bare status."""

from __future__ import annotations

from aiohttp import web

from hub.gateway.auth import AuthMethod, check_token
from hub.gateway.incoming import Incoming, PartnerRoute
from hub.gateway.outcomes import REFUSAL_STATUS, Outcome
from hub.gateway.partner_access import PartnerAccess


def authenticate(access: PartnerAccess, incoming: Incoming) -> Outcome | None:
    assert access.token is not None
    return check_token(access.token, incoming.path_token or "")


def accepted(incoming: Incoming) -> web.Response:  # noqa: ARG001 - every partner route answers from the request
    return web.Response(status=200, body=b"")


def refused(outcome: Outcome) -> web.Response:
    return web.Response(status=REFUSAL_STATUS[outcome], body=b"")


ROUTE = PartnerRoute(AuthMethod.PATH_TOKEN, authenticate, accepted, refused)
