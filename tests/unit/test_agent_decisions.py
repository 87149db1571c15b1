"""The decisions the agents used to make themselves, now pure stages: money after a publish,
settlements withheld for want of FX, and the period-close sweep of a turnover partition."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from hub.settlement.shipment_share import settle_timeline
from hub.settlement.turnover import close_sweep, on_close, on_contribution
from hub.stages.money import Money, after_publish, withheld, withheld_letter
from hub.stages.timeline import Publish
from hub.stages.timeline_build import build_timeline
from schemas import Amount, DeadLetterHeader, DeadLetterReason
from schemas.timeline import TimelineRedirect
from tests.unit.test_settlement import CONTRACTS, DELIVERED, PLACED, timeline

pytestmark = pytest.mark.unit

TIMELINE = timeline(PLACED, DELIVERED)


def test_a_new_timeline_is_summarised_and_settled() -> None:
    state, money = after_publish({"events": {}}, Publish("shp_test", TIMELINE))
    assert money is Money.SETTLE
    assert state["summary"]["status"] == "delivered" and "events" in state


def test_a_timeline_emptied_by_a_split_forgets_its_summary_and_settles_nothing() -> None:
    empty = build_timeline("shp_test", {})
    state, money = after_publish({"summary": {"status": "delivered"}, "settled": {"entries": {}}}, Publish("shp_test", empty))
    assert money is Money.NOTHING
    assert state == {"settled": {"entries": {}}}


@pytest.mark.parametrize("record", [TIMELINE, TimelineRedirect(shipment_id="shp_test", to="shp_other")])
def test_a_repeat_resends_and_changes_nothing(record) -> None:
    before = {"summary": {"status": "delivered"}}
    assert after_publish(before, Publish("shp_test", record, repeat=True)) == (before, Money.RESEND)


def test_a_first_redirect_does_nothing_about_money() -> None:
    before = {"redirect": "shp_other"}
    redirect = TimelineRedirect(shipment_id="shp_test", to="shp_other")
    assert after_publish(before, Publish("shp_test", redirect)) == (before, Money.NOTHING)


def _missing():
    usd = PLACED.model_copy(update={"amounts": (Amount(kind="order_value", minor=10_000, currency="USD"),)})
    missing = settle_timeline(timeline(usd, DELIVERED), CONTRACTS).withheld
    assert missing
    return missing


def test_a_withheld_settlement_is_reported_once_per_contract_and_event() -> None:
    missing = _missing()
    state, new = withheld({"settled": {}}, missing)
    assert [(m.contract_id, m.event.event_id) for m in new] == list(dict.fromkeys((m.contract_id, m.event.event_id) for m in missing))
    assert state["withheld"] == sorted({f"{m.contract_id}|{m.event.event_id}" for m in missing})
    again, none = withheld(state, missing)
    assert none == [] and again == state


def test_nothing_withheld_leaves_the_state_alone() -> None:
    assert withheld({"settled": {}}, []) == ({"settled": {}}, [])


def test_the_withheld_letter_carries_the_trigger_event_and_why() -> None:
    missing = _missing()[0]
    letter = withheld_letter(b"shp_test", missing, "hub.shipment-events")
    assert (letter.key, letter.reason) == (b"shp_test", DeadLetterReason.FX_MISSING)
    assert letter.value == missing.event.model_dump_json().encode()
    assert letter.headers == {
        DeadLetterHeader.REASON.value: b"fx_missing",
        DeadLetterHeader.ERROR_TYPE.value: b"no USD/RUB rate",
        DeadLetterHeader.STAGE.value: b"settle",
        DeadLetterHeader.SOURCE_TOPIC.value: b"hub.shipment-events",
        DeadLetterHeader.PARTNER.value: missing.event.partner.encode(),
    }


def test_a_close_sweeps_every_contract_and_payer_of_the_partition_in_key_order() -> None:
    cutoff = datetime(2026, 4, 3, tzinfo=timezone.utc)
    fee_state, items = on_contribution(None, {}, {"contribution_id": "c1", "period": "2026Q1", "minor": 50_000_000})
    owned = {
        b"post-infrastructure-fee|ozon": fee_state,
        b"post-infrastructure-fee|ozon#c1": items["c1"],  # a booked contribution: not a contract's state
        b"closes@3": {"2026Q1": cutoff.isoformat()},  # the partition's closes: not a contract's state
        b"cdek-last-mile-share|ozon": None,
    }
    swept = close_sweep(owned, "2026Q1", cutoff, CONTRACTS)
    assert [key for key, _, _ in swept] == [b"cdek-last-mile-share|ozon", b"post-infrastructure-fee|ozon"]
    for key, state, out in swept:
        assert (state, out) == on_close(owned[key], key.decode(), "2026Q1", cutoff, CONTRACTS)
    assert [e.kind for e in swept[1][2].entries] == ["period_fee"]
