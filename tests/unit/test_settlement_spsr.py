"""The SPSR contract (a share of AliExpress revenue, VAT included) settling from the partners'
own adapter output (tests/support/spsr_journey.py: an AliExpress order, the Moscow warehouse
handing the parcel to SPSR, SPSR's delivery). The simulator carries no SPSR, so this is where
its contract runs. Amounts are worked out by hand.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from hub.settlement.contracts import load_contracts
from hub.settlement.shipment_share import settle_timeline
from hub.stages.timeline_build import build_timeline
from schemas import CanonicalEvent
from tests.support.spsr_journey import ORDER, journey

pytestmark = pytest.mark.unit

CONTRACTS = load_contracts(Path(__file__).resolve().parents[2] / "deploy" / "contracts.example.toml")


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
