"""One authenticated-or-not request as the partner modules see it, and how a partner route is described."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from aiohttp import web

from hub.gateway.auth import AuthMethod
from hub.gateway.outcomes import Outcome
from hub.gateway.partner_access import PartnerAccess


@dataclass(frozen=True)
class Incoming:
    partner: str
    path_token: str | None
    headers: Mapping[str, str]
    body: bytes
    received_at: datetime


@dataclass(frozen=True)
class PartnerRoute:
    """What differs between partners: how a request proves itself, and the two kinds of answer."""

    auth: AuthMethod
    authenticate: Callable[[PartnerAccess, Incoming], Outcome | None]
    accepted: Callable[[Incoming], web.Response]
    refused: Callable[[Outcome], web.Response]
