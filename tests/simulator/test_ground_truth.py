"""The ground truth is consistent with the traffic it describes (issue 6)."""

from __future__ import annotations

import hashlib
from collections import Counter

import pytest

from schemas import Status
from schemas.identifiers import Identifier, Level
from simulator import Simulation
from simulator.scenarios import SCENARIOS

pytestmark = pytest.mark.unit


def test_partner_counts_add_up_to_the_messages(simulation: Simulation) -> None:
    partners = simulation.partners()
    assert sum(p["messages"] for p in partners) == len(simulation.messages)
    for truth in partners:
        assert sum(truth["outcomes"].values()) == truth["messages"], truth["partner"]
        assert sum(truth["dead_lettered_by_reason"].values()) == truth["outcomes"]["dead_lettered"], truth["partner"]
    outcomes = Counter(o for p in partners for o, n in p["outcomes"].items() for _ in range(n))
    assert outcomes["ignored"] > 0 and outcomes["partial"] > 0 and outcomes["dead_lettered"] > 0


def test_messages_are_in_publish_order(simulation: Simulation) -> None:
    assert [m.seq for m in simulation.messages] == list(range(len(simulation.messages)))
    times = [m.at for m in simulation.messages]
    assert times == sorted(times)
    assert all(m.at.microsecond == 0 for m in simulation.messages)


def test_the_ledger_records_every_fault_with_its_intended_outcome(simulation: Simulation) -> None:
    ledger = simulation.faults()
    kinds = Counter(f["fault"] for f in ledger)
    assert set(kinds) == {"duplicate", "out_of_order", "late_link", "malformed", "unknown_code"}
    by_seq = {m.seq: m for m in simulation.messages}
    for fault in ledger:
        message = by_seq[fault["seq"]]
        assert fault["intended"] == {"outcome": message.expected.outcome, "reason": message.expected.reason}
        if fault["fault"] == "duplicate":
            original = by_seq[fault["original_seq"]]
            assert (message.payload, message.subject) == (original.payload, original.subject)
            assert message.seq > original.seq
        if fault["fault"] == "malformed":
            assert fault["intended"]["outcome"] == "dead_lettered"
            assert by_seq[fault["original_seq"]].expected.outcome != "dead_lettered"
        if fault["fault"] == "out_of_order":
            assert message.seq > fault["original_seq"]  # it now arrives after its successor
    unknown = Counter()
    for truth in simulation.partners():
        unknown.update(truth["unknown_codes"])
    assert sum(unknown.values()) == kinds["unknown_code"]


def test_shipments_carry_canonical_identifiers_and_the_hubs_shipment_id(simulation: Simulation) -> None:
    shipments = simulation.shipments()
    seen: set[str] = set()
    for shipment in shipments:
        identifiers = shipment["identifiers"]
        assert identifiers == sorted(identifiers)
        for text in identifiers:
            identifier = Identifier.parse(text)
            assert str(identifier) == text and identifier.level is Level.PARCEL
            assert identifier.check_digit_valid is not False, text
        assert seen.isdisjoint(identifiers), "an identifier belongs to one shipment only"
        seen.update(identifiers)
        expected_id = "shp_" + hashlib.sha256(identifiers[0].encode()).hexdigest()[:16]
        assert shipment["shipment_id"] == expected_id
        assert shipment["final_status"] in {s.value for s in Status}
        assert (shipment["delivered_at"] is not None) == (shipment["outcome"] == "delivered")
        assert shipment["partners"]
        assert shipment["legs"] or shipment["outcome"] == "cancelled", shipment["shipment"]
    assert {s["scenario"] for s in shipments} >= {
        "aliexpress_cainiao_russian_post", "aliexpress_split_russian_post", "aliexpress_cainiao_cdek", "ozon_cdek",
        "ozon_boxberry", "ozon_russian_post", "wildberries_pickup", "overseas_warehouse_moscow",
        "guangzhou_consolidation_russian_post", "aliexpress_cainiao_spsr",
    }
    assert {s["outcome"] for s in shipments} == {"delivered", "returned", "returning", "cancelled", "lost"}
    assert len(SCENARIOS) == 11


def test_orders_spread_over_quarters_in_roubles_and_yuan(simulation: Simulation) -> None:
    orders = simulation.orders()
    shipments = {s["shipment"]: s for s in simulation.shipments()}
    assert {o["currency"] for o in orders} == {"RUB", "CNY"}
    assert len({o["quarter"] for o in orders}) >= 3
    assert any(o["cancelled"] and not o["shipments"] for o in orders)
    for order in orders:
        assert isinstance(order["value_minor"], int) and order["value_minor"] > 0
        shares = [shipments[s]["value"] for s in order["shipments"]]
        assert all(v["currency"] == order["currency"] for v in shares)
        if shares:
            assert sum(v["minor"] for v in shares) == order["value_minor"]
        for shipment_id in order["shipments"]:
            assert shipments[shipment_id]["order"] == order["order"]
    assert any(len(o["shipments"]) == 2 for o in orders), "an order split into two parcels"
