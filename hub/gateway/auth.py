"""How each partner proves who it is: pure checks, every comparison in constant time.

- a path token (Ozon, CDEK): the partner's URL holds a secret;
- AliExpress: `Authorization: hex(HMAC-SHA256(app_secret, app_key + raw body))`;
- hub-native: Standard Webhooks 1.0, `v1,<base64 HMAC-SHA256(key, id.timestamp.body)>`
  with a five-minute window either side of now.
Each returns None when the request is authentic, else the refusal's outcome.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from enum import StrEnum

from hub.gateway.outcomes import Outcome

REPLAY_WINDOW_SECONDS = 5 * 60


class AuthMethod(StrEnum):
    """How a request was authenticated, as its record's header says."""

    PATH_TOKEN = "path_token"
    HMAC_SHA256 = "hmac_sha256"
    STANDARD_WEBHOOKS = "standard_webhooks_v1"


def check_token(expected: bytes, given: str) -> Outcome | None:
    return None if hmac.compare_digest(expected, given.encode()) else Outcome.BAD_TOKEN


def aliexpress_signature(app_key: bytes, app_secret: bytes, body: bytes) -> str:
    return hmac.new(app_secret, app_key + body, hashlib.sha256).hexdigest()


def check_aliexpress(app_key: bytes, app_secret: bytes, body: bytes, authorization: str | None) -> Outcome | None:
    if not authorization:
        return Outcome.MISSING_SIGNATURE
    expected = aliexpress_signature(app_key, app_secret, body).encode()
    given = authorization.strip().lower().encode("ascii", "replace")
    return None if hmac.compare_digest(expected, given) else Outcome.BAD_SIGNATURE


def standard_webhook_signature(key: bytes, webhook_id: str, timestamp: str, body: bytes) -> str:
    """The `v1,<base64>` signature of a hub-native webhook, as a sender computes it."""
    digest = hmac.new(key, f"{webhook_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def check_standard_webhook(keys: tuple[bytes, ...], headers: Mapping[str, str], body: bytes, now: float) -> Outcome | None:
    """Standard Webhooks 1.0: all three headers, a timestamp within the window, one matching signature."""
    webhook_id = headers.get("webhook-id")
    timestamp = headers.get("webhook-timestamp")
    signatures = headers.get("webhook-signature")
    if not webhook_id or not timestamp or not signatures:
        return Outcome.MISSING_SIGNATURE
    if not timestamp.isascii() or not timestamp.isdigit() or abs(now - int(timestamp)) > REPLAY_WINDOW_SECONDS:
        return Outcome.STALE_TIMESTAMP
    given = [s.encode("ascii", "replace") for s in signatures.split() if s.startswith("v1,")]
    # Every candidate is compared against every key: how many match leaks nothing about which.
    matched = False
    for key in keys:
        expected = standard_webhook_signature(key, webhook_id, timestamp, body).encode()
        for signature in given:
            matched |= hmac.compare_digest(expected, signature)
    return None if matched else Outcome.BAD_SIGNATURE
