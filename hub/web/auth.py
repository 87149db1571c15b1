"""Bearer tokens for the worker's HTTP API, from the secrets file named by HUB_API_TOKENS.

    [tokens]
    operations = "..."   # everything: /ops, /shipments, /settlements, /metrics, faust's own views
    metrics = "..."      # /metrics only (Prometheus)
    [partners]
    cdek = "..."         # /shipments it took part in, /settlements it pays or receives

`/health` stays open. Without a token: 401. A token asking for what is not its own: 404, as
if it did not exist. Tokens are compared in constant time and never logged (a `Caller` holds
the role, never the token).
"""

from __future__ import annotations

import hmac
import tomllib
from dataclasses import dataclass
from pathlib import Path

OPERATIONS, METRICS, PARTNER = "operations", "metrics", "partner"
OPEN_PATHS = frozenset({"/health"})
PARTNER_PATHS = ("/shipments/", "/settlements")


class TokenFileError(ValueError):
    """The tokens file cannot be used; one line."""


@dataclass(frozen=True)
class Caller:
    role: str
    partner: str | None = None


@dataclass(frozen=True)
class ApiTokens:
    # (token bytes, caller) pairs; every one is compared on each request.
    entries: tuple[tuple[bytes, Caller], ...]

    def identify(self, authorization: str | None) -> Caller | None:
        """The caller a `Bearer <token>` header names, or None."""
        scheme, _, presented = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not presented.strip():
            return None
        candidate = presented.strip().encode()
        found = None
        for token, caller in self.entries:
            # No early exit: every token costs the same comparison whichever matches.
            if hmac.compare_digest(candidate, token):
                found = caller
        return found

    def operations_header(self) -> dict[str, str]:
        """What a worker sends to its peers (their metrics, a partner's look-up resolved on its behalf)."""
        for token, caller in self.entries:
            if caller.role == OPERATIONS:
                return {"Authorization": f"Bearer {token.decode()}"}
        return {}


def load_tokens(path: str | Path) -> ApiTokens:
    try:
        data = tomllib.loads(Path(path).read_text())
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise TokenFileError(f"cannot read HUB_API_TOKENS={path}: {type(err).__name__}") from None
    entries = [(str(token).encode(), Caller(role)) for role, token in data.get("tokens", {}).items() if role in (OPERATIONS, METRICS)]
    entries += [(str(token).encode(), Caller(PARTNER, partner)) for partner, token in data.get("partners", {}).items()]
    if not any(caller.role == OPERATIONS for _, caller in entries):
        raise TokenFileError(f"HUB_API_TOKENS={path} has no [tokens] operations token")
    if any(len(token) < 16 for token, _ in entries):
        raise TokenFileError(f"HUB_API_TOKENS={path}: every token needs at least 16 characters")
    return ApiTokens(tuple(entries))


def may_request(caller: Caller, path: str) -> bool:
    """What each role may ask for at all; a partner's answers are narrowed further by the views."""
    if caller.role == OPERATIONS:
        return True
    if caller.role == METRICS:
        return path == "/metrics"
    return path.startswith(PARTNER_PATHS[0]) or path == PARTNER_PATHS[1]


def took_part(timeline: dict, partner: str) -> bool:
    """A partner took part in a shipment when one of its events is on the timeline."""
    return any(event.get("partner") == partner for event in timeline.get("events", []))


def own_entry(entry: dict, partner: str) -> bool:
    return partner in (entry.get("payer"), entry.get("payee"))


def middleware(tokens: ApiTokens):
    """aiohttp middleware over every route, faust's own views (/router, /table/...) included."""
    from aiohttp import web

    @web.middleware
    async def require_token(request: web.Request, handler):
        if request.path in OPEN_PATHS:
            return await handler(request)
        caller = tokens.identify(request.headers.get("Authorization"))
        if caller is None:
            return web.json_response({"error": "a bearer token is needed"}, status=401, headers={"WWW-Authenticate": "Bearer"})
        if not may_request(caller, request.path):
            return web.json_response({"found": False}, status=404)
        request["hub_caller"] = caller
        return await handler(request)

    return require_token
