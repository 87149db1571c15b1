"""The record the gateway writes: the body's bytes unchanged, and headers saying where they came from.

Header names are part of the partner topics' contract (docs/gateway.md#record-headers).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone

from schemas.deadletter import PARTNER_HEADER

RECEIVED_AT_HEADER = "hub-gateway-received-at"
SHA256_HEADER = "hub-gateway-sha256"
SOURCE_HEADER = "hub-gateway-source"
INSTANCE_HEADER = "hub-gateway-instance"
AUTH_HEADER = "hub-gateway-auth"
CONTENT_TYPE_HEADER = "hub-gateway-content-type"
WEBHOOK_ID_HEADER = "hub-gateway-webhook-id"


@dataclass(frozen=True)
class GatewayRecord:
    topic: str
    key: bytes | None
    value: bytes
    headers: tuple[tuple[str, bytes], ...]


def gateway_record(
    *, topic: str, partner: str, body: bytes, received_at: datetime, source: str | None, instance: str, auth: str,
    content_type: str | None = None, webhook_id: str | None = None,
) -> GatewayRecord:
    """The record for one authenticated request. Keyed by the webhook id when there is one (a
    retried webhook lands on the same partition); partners' own keys are never relied on."""
    headers = [
        (PARTNER_HEADER, partner.encode()),
        (RECEIVED_AT_HEADER, received_at.astimezone(timezone.utc).isoformat(timespec="microseconds").encode()),
        (SHA256_HEADER, hashlib.sha256(body).hexdigest().encode()),
        (SOURCE_HEADER, (source or "").encode()),
        (INSTANCE_HEADER, instance.encode()),
        (AUTH_HEADER, auth.encode()),
    ]
    if content_type:
        headers.append((CONTENT_TYPE_HEADER, content_type.encode("utf-8", "replace")))
    if webhook_id:
        headers.append((WEBHOOK_ID_HEADER, webhook_id.encode("utf-8", "replace")))
    return GatewayRecord(topic, webhook_id.encode("utf-8", "replace") if webhook_id else None, body, tuple(headers))
