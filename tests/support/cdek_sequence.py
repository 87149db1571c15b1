"""A hand-written CDEK journey (docs/partners/cdek.md#main-status-table), accepted → delivered, with the statuses
a reader of the status table expects, written by hand rather than by the code under test."""

from __future__ import annotations

import json

CDEK_NUMBER = "1234567891"
ORDER_UUID = "0f6a3c1e-1111-4c2a-9d3b-5e1f2a3b4c5d"

# (code, status_date_time as CDEK writes it, expected canonical status, expected milestone)
JOURNEY: list[tuple[str, str, str, str]] = [
    ("CREATED", "2026-03-01T10:00:00+0300", "info_received", "order_placed"),
    ("RECEIVED_AT_SHIPMENT_WAREHOUSE", "2026-03-01T15:00:00+0300", "in_transit", "accepted"),
    ("SENT_TO_RECIPIENT_CITY", "2026-03-02T09:00:00+0300", "in_transit", "departed_facility"),
    ("ACCEPTED_IN_RECIPIENT_CITY", "2026-03-03T08:00:00+0700", "in_transit", "arrived_at_facility"),
    ("ACCEPTED_AT_PICK_UP_POINT", "2026-03-03T14:00:00+0700", "available_for_pickup", "arrived_at_pickup_point"),
    ("DELIVERED", "2026-03-04T11:30:00+0700", "delivered", "delivered"),
]


def webhook(code: str, status_time: str, *, cdek_number: str = CDEK_NUMBER, uuid: str = ORDER_UUID, city: str = "Новосибирск") -> bytes:
    """An ORDER_STATUS webhook shaped like the SDK's example (cdek_webhook_0.json)."""
    return json.dumps(
        {
            "type": "ORDER_STATUS",
            "date_time": status_time,
            "uuid": uuid,
            "attributes": {
                "is_return": False,
                "is_reverse": False,
                "is_client_return": False,
                "cdek_number": cdek_number,
                "number": "SHOP-7731",
                "code": code,
                "status_date_time": status_time,
                "city": city,
            },
        },
        ensure_ascii=False,
    ).encode()
