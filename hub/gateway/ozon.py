"""Ozon Seller API pushes: path token; a ping gets the receiver's name, version and time, anything
else `{"result": true}`; an error is `{"error": {"code": "ERROR_UNKNOWN", ...}}`.

Ozon suspends a receiver that errs for 24 h, answers fewer than half with 200 or takes over
5 s, and retries with growing intervals; a duplicate is therefore answered as any other push.
"""

from __future__ import annotations

import json
from datetime import timezone
from importlib.metadata import PackageNotFoundError, version

from aiohttp import web

from hub.gateway.auth import AuthMethod, check_token
from hub.gateway.incoming import Incoming, PartnerRoute
from hub.gateway.outcomes import REFUSAL_STATUS, Outcome
from hub.gateway.partner_access import PartnerAccess

NAME = "logistics-hub"
RESULT_TRUE = b'{"result": true}'
JSON = "application/json"


def _version() -> str:
    try:
        return version("logistics-hub")
    except PackageNotFoundError:
        return "0"


VERSION = _version()


def is_ping(body: bytes) -> bool:
    if b"TYPE_PING" not in body:
        return False
    try:
        message = json.loads(body)
    except ValueError:
        return False
    return isinstance(message, dict) and message.get("message_type") == "TYPE_PING"


def authenticate(access: PartnerAccess, incoming: Incoming) -> Outcome | None:
    assert access.token is not None
    return check_token(access.token, incoming.path_token or "")


def accepted(incoming: Incoming) -> web.Response:
    if is_ping(incoming.body):
        now = incoming.received_at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        body = json.dumps({"version": VERSION, "name": NAME, "time": now}).encode()
        return web.Response(status=200, body=body, content_type=JSON)
    return web.Response(status=200, body=RESULT_TRUE, content_type=JSON)


def error_body(message: str) -> bytes:
    return json.dumps({"error": {"code": "ERROR_UNKNOWN", "message": message, "details": None}}).encode()


def refused(outcome: Outcome) -> web.Response:
    return web.Response(status=REFUSAL_STATUS[outcome], body=error_body(outcome.value), content_type=JSON)


ROUTE = PartnerRoute(AuthMethod.PATH_TOKEN, authenticate, accepted, refused)
