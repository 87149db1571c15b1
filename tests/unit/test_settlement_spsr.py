"""The SPSR contract (a share of AliExpress revenue, VAT included) settling from the partners'
own adapter output: an AliExpress order, the Moscow warehouse handing the parcel to SPSR, SPSR's
delivery (bytes from SPSR's synthetic case, the date moved into the contract's life). The
simulator carries no SPSR, so this is where its contract runs. Amounts are worked out by hand.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from adapters.base import AdapterOptions
from adapters.registry import run_adapter
from hub.partners import partner
from hub.settlement.contracts import load_contracts
from hub.settlement.shipment_share import settle_timeline
from hub.stages.timeline import build_timeline
from schemas import CanonicalEvent

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
CONTRACTS_FILE = ROOT / "deploy" / "contracts.example.toml"
CONTRACTS = load_contracts(CONTRACTS_FILE)
SPSR_DELIVERED = (ROOT / "tests" / "adapters" / "spsr" / "cases" / "synthetic_delivered.xml").read_bytes()
RECEIVED = datetime(2026, 6, 1, tzinfo=timezone.utc)
ORDER = "aliexpress_order:8012345678900077"


def events_of(partner_id: str, raw: bytes, subject: str | None = None) -> list[CanonicalEvent]:
    p = partner(partner_id)
    options = AdapterOptions(partner=p.id, partner_kind=p.kind, subject=subject, country=p.country)
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


def settled(events: list[CanonicalEvent]):
    return settle_timeline(build_timeline("shp_spsr", {e.event_id: e for e in events}), CONTRACTS)


def test_the_spsr_share_settles_with_vat_included():
    events = journey("2026-05-14T15:32:00")
    assert [(e.partner, e.status) for e in events] == [("aliexpress", "info_received"), ("wh_moscow", "in_transit"), ("spsr", "delivered")]
    result = settled(events)
    (entry,) = [e for e in result.entries if e.contract_id == "spsr-moscow-share"]
    # 1234.50 RUB × 3.5% = 43.2075 → 43.21; VAT included at 20%: 43.2075 × 0.20 / 1.20 = 7.20125 → 7.20.
    assert (entry.kind, entry.payer, entry.payee, entry.subject) == ("accrual", "aliexpress", "spsr", ORDER)
    assert (entry.basis_minor, entry.amount_minor, entry.vat_minor, entry.currency) == (123450, 4321, 720, "RUB")
    assert (entry.rate, entry.fx_rate, entry.period) == ("0.035", None, "2026Q2")
    # The trigger is SPSR's delivery, 15:32 Moscow time, 12:32 UTC.
    assert entry.occurred_at == datetime(2026, 5, 14, 12, 32, tzinfo=timezone.utc)
    # SPSR's own declared sum is no AliExpress revenue: no second entry from it.
    assert len([e for e in result.entries if e.contract_id == "spsr-moscow-share"]) == 1
    assert result.withheld == []


def test_an_spsr_delivery_before_the_contract_began_is_withheld_as_no_contract():
    # Delivered 2024-12-31 in Moscow: the contract's first version is effective from 2025-01-01.
    events = journey("2024-12-31T23:59:00")
    result = settled(events)
    assert not [e for e in result.entries if e.contract_id == "spsr-moscow-share"]
    (withheld,) = [w for w in result.withheld if w.contract_id == "spsr-moscow-share"]
    assert (withheld.reason, withheld.detail) == ("no_contract", "no version in effect on 2024-12-31")
    assert withheld.event.partner == "spsr" and withheld.event.status == "delivered"


def test_a_delivery_the_contract_does_not_select_is_not_withheld():
    # The same parcel delivered by SPSR in 2024, but the order is another marketplace's (its
    # value reported by Ozon): the SPSR share of AliExpress revenue is none of its business.
    events = [e.model_copy(update={"partner": "ozon"}) if e.partner == "aliexpress" else e for e in journey("2024-12-31T23:59:00")]
    result = settled(events)
    assert [e for e in events if e.status == "delivered"]
    assert not [w for w in result.withheld if w.contract_id == "spsr-moscow-share"]
