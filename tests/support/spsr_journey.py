"""An SPSR journey as its partners send it: an AliExpress order paid in RUB, the Moscow warehouse
handing the parcel to SPSR (hub-native), SPSR's delivery (the bytes of SPSR's synthetic case
with the date and shipment number changed). The simulator carries no SPSR; tests of the SPSR
contract feed these to the adapters or to the partner topics."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from adapters.base import AdapterOptions
from adapters.registry import run_adapter
from hub.partners import partner
from schemas import CanonicalEvent

SPSR_DELIVERED = (Path(__file__).resolve().parents[1] / "adapters" / "spsr" / "cases" / "synthetic_delivered.xml").read_bytes()
RECEIVED = datetime(2026, 6, 1, tzinfo=timezone.utc)
ORDER = "aliexpress_order:8012345678900077"


def events_of(partner_id: str, raw: bytes) -> list[CanonicalEvent]:
    p = partner(partner_id)
    options = AdapterOptions(partner=p.id, partner_kind=p.kind, country=p.country)
    return list(run_adapter(p.adapter, raw, received_at=RECEIVED, options=options).events)


def payloads(delivered_local: str, *, order: str = ORDER, cainiao: str = "RS0814398526Y", spsr: str = "41320612") -> list[tuple[str, bytes]]:
    """(partner, raw bytes as the partner sends them): the order, the hand-over, SPSR's delivery."""
    placed = json.dumps({
        "id": order.split(":")[1], "order_status": "PLACE_ORDER_SUCCESS", "logistics_status": "NO_LOGISTICS",
        "gmt_create": "2026-05-01 10:00:00", "order_amount": "1234.50", "currency_code": "RUB",
        "logistics_info_list": [{"logistics_no": cainiao, "logistics_service": "CAINIAO_STANDARD"}],
    }).encode()
    handover = json.dumps({
        "format": "hub-native/1", "parcel": f"cainiao:{cainiao}", "event": "handed_over", "handover_to": f"spsr:{spsr}",
        "occurred_at": "2026-05-08T09:00:00+03:00", "location": {"country": "RU", "city": "Москва"},
    }).encode()
    delivered = SPSR_DELIVERED.replace(b'DeliveryDT="2019-03-14T15:32:00"', f'DeliveryDT="{delivered_local}"'.encode())
    delivered = delivered.replace(b'ShipmentNumber="41320612"', f'ShipmentNumber="{spsr}"'.encode())
    return [("aliexpress", placed), ("wh_moscow", handover), ("spsr", delivered)]


def journey(delivered_local: str) -> list[CanonicalEvent]:
    return [event for partner_id, raw in payloads(delivered_local) for event in events_of(partner_id, raw)]
