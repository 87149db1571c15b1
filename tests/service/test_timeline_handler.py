"""The timeline stage's pure handlers: dedupe, the status fold, legs; independent of order."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.stages.timeline_build import TRANSITIONS, add_event, build_timeline, fold_status
from schemas import CanonicalEvent, Status, TimeSource

pytestmark = pytest.mark.service

T0 = datetime(2026, 3, 1, 7, 0, tzinfo=timezone.utc)


def event(n: int, status: str, milestone: str, *, hours: float | None = None, version: int = 1, partner: str = "cdek") -> CanonicalEvent:
    return CanonicalEvent(
        event_id=f"evt_{n:04d}", partner=partner, partner_kind="courier", adapter_version=version,
        subject=("cdek:1234567891",), status=status, milestone=milestone,
        occurred_at=T0 + timedelta(hours=n if hours is None else hours), received_at=T0 + timedelta(days=30),
        raw_code=f"CODE{n}",
    )


JOURNEY = [
    event(1, "info_received", "order_placed"),
    event(2, "in_transit", "accepted"),
    event(3, "in_transit", "departed_facility"),
    event(4, "available_for_pickup", "arrived_at_pickup_point"),
    event(5, "delivered", "delivered"),
]


def fold(events):
    state = {}
    for e in events:
        state, _ = add_event(state, e)
    return build_timeline("shp_x", state)


def test_a_duplicate_changes_nothing_and_is_reported():
    state, changed = add_event({}, JOURNEY[0])
    again, changed_again = add_event(state, JOURNEY[0])
    assert changed and not changed_again and again == state


def test_a_newer_adapter_version_replaces_the_record():
    state, _ = add_event({}, event(1, "unknown", "unknown"))
    state, changed = add_event(state, event(1, "in_transit", "accepted", version=2))
    assert changed and state["evt_0001"].status == "in_transit"
    state, changed = add_event(state, event(1, "unknown", "unknown", version=1))
    assert not changed and state["evt_0001"].adapter_version == 2


def test_the_copy_with_amounts_wins_whatever_arrives_first():
    from schemas import Amount

    bare = event(5, "delivered", "delivered")
    priced = bare.model_copy(update={"amounts": (Amount(kind="cod", minor=159500, currency="RUB"),)})
    for first, second in ((bare, priced), (priced, bare)):
        state, _ = add_event({}, first)
        state, _ = add_event(state, second)
        assert state["evt_0005"].amounts == priced.amounts


def test_a_snapshot_without_time_keeps_its_earliest_sighting():
    first = event(7, "in_transit", "accepted").model_copy(update={"time_source": TimeSource.OBSERVED})
    later = first.model_copy(update={"occurred_at": first.occurred_at + timedelta(days=3),
                                     "received_at": first.received_at + timedelta(days=3)})
    for a, b in ((first, later), (later, first)):
        state, _ = add_event({}, a)
        state, _ = add_event(state, b)
        assert state["evt_0007"].occurred_at == first.occurred_at


def test_a_late_in_transit_never_undoes_delivered():
    late = event(9, "in_transit", "arrived_at_facility", hours=6)  # happened after delivery (hour 5)
    assert fold(JOURNEY + [late]).status == "delivered"


def test_delivered_then_returning_then_returned():
    timeline = fold(JOURNEY + [event(6, "returning", "return_started"), event(7, "returned", "returned_to_sender")])
    assert (timeline.status, timeline.milestone) == ("returned", "returned_to_sender")


def test_unknown_and_informational_change_nothing():
    timeline = fold(JOURNEY[:3] + [event(8, "unknown", "unknown", hours=3.5), event(9, "in_transit", "informational", hours=3.6)])
    assert (timeline.status, timeline.milestone) == ("in_transit", "departed_facility")


def test_legs_and_milestones():
    timeline = fold(JOURNEY)
    assert timeline.milestones["delivered"] == T0 + timedelta(hours=5)
    # Acceptance opens the first mile; a departure with no place named keeps the parcel there
    # (docs/architecture.md#legs-and-service-levels). Collected at the pickup point: the
    # delivery closes no new leg.
    assert [leg.leg for leg in timeline.legs] == ["first_mile", "pickup_point"]
    assert timeline.legs[0].exited_at == timeline.legs[1].entered_at


def test_every_status_has_a_transition_row():
    assert set(TRANSITIONS) == set(Status) - {Status.UNKNOWN} | {None}
    assert fold_status([]) == ("unknown", "unknown")


@given(st.permutations(JOURNEY + [JOURNEY[2], event(6, "in_transit", "arrived_at_facility", hours=4.5)]))
def test_any_arrival_order_and_duplicates_give_the_same_timeline(order):
    assert fold(order) == fold(JOURNEY + [event(6, "in_transit", "arrived_at_facility", hours=4.5)])


def test_the_corridor_follows_the_carriers_not_the_marketplace():
    from schemas import Location, PartnerKind

    cainiao = event(1, "in_transit", "accepted", partner="cainiao").model_copy(
        update={"partner_kind": PartnerKind.LOGISTICS_PLATFORM, "location": Location(country="CN", city="Guangzhou")})
    post = event(2, "delivered", "delivered", partner="russian_post").model_copy(
        update={"partner_kind": PartnerKind.POST, "location": Location(country="RU", city="Москва")})
    marketplace = event(3, "delivered", "delivered", partner="aliexpress").model_copy(update={"partner_kind": PartnerKind.MARKETPLACE})
    corridor = fold([cainiao, post, marketplace]).corridor
    assert (corridor.origin_country, corridor.destination_country, corridor.destination_city) == ("CN", "RU", "Москва")


def _on(parcel: str, n: int, order: str | None = None) -> dict:
    e = event(n, "in_transit", "accepted").model_copy(update={"subject": (parcel,), "references": (order,) if order else ()})
    return e.model_dump(mode="json")


def test_a_release_moves_one_identifiers_events_and_the_money_memory_of_its_orders():
    """After a split, the events routed by the released identifier leave, with what was
    settled for orders only they carry; the rest stays, and the shipment is republished."""
    from hub.stages.identity import Send
    from hub.stages.timeline import Publish, handle_shipment_message

    mine, theirs = "cdek:1111111111", "cdek:2222222222"
    events = [_on(mine, 1, "aliexpress_order:8000000000001001"), _on(theirs, 2, "aliexpress_order:8000000000002002"), _on(theirs, 3)]
    settled = {"entries": {"e1": {"subject": "aliexpress_order:8000000000001001"}, "e2": {"subject": "aliexpress_order:8000000000002002"}},
               "contributions": {"c2": {"subject": "aliexpress_order:8000000000002002"}}}
    state, _ = handle_shipment_message(None, "shp_a", {"kind": "events", "events": events, "settled": settled})
    release = {"kind": "release", "carrier": theirs, "to": "shp_b", "generation": 1}
    after, outputs = handle_shipment_message(state, "shp_a", release)
    assert set(after["events"]) == {"evt_0001"}
    assert after["settled"] == {"entries": {"e1": {"subject": "aliexpress_order:8000000000001001"}}, "contributions": {}}
    moved = [o for o in outputs if isinstance(o, Send)]
    assert [m.key for m in moved] == ["shp_b"]
    assert {e["event_id"] for e in moved[0].message["events"]} == {"evt_0002", "evt_0003"}
    subject = {"subject": "aliexpress_order:8000000000002002"}
    assert moved[0].message["settled"] == {"entries": {"e2": subject}, "contributions": {"c2": subject}}
    assert [o.record.kind for o in outputs if isinstance(o, Publish)] == ["timeline"]
    # A late event of the released identifier, routed before the split, follows it.
    late, forwarded = handle_shipment_message(after, "shp_a", {"kind": "event", "event": _on(theirs, 4), "generation": 0})
    assert set(late["events"]) == {"evt_0001"} and [s.key for s in forwarded] == ["shp_b"]
    # The same release again: the same events sent again, nothing else changes.
    again, resent = handle_shipment_message(after, "shp_a", release)
    assert again == after and [s.message["events"] for s in resent if isinstance(s, Send)] == [moved[0].message["events"]]


def test_an_older_release_read_again_after_a_newer_one_sends_the_carriers_events_again():
    """A crash can lose what a release sent while a newer release of the same identifier was
    written (nothing left to move then): read again, the older release finds the newer one,
    and the events it moved must still reach where the identifier now belongs."""
    from hub.stages.identity import Send
    from hub.stages.timeline import handle_shipment_message

    mine, theirs = "cdek:1111111111", "cdek:2222222222"
    state, _ = handle_shipment_message(None, "shp_a", {"kind": "events", "events": [_on(mine, 1), _on(theirs, 2)]})
    first = {"kind": "release", "carrier": theirs, "to": "shp_b", "generation": 1}
    moved, _ = handle_shipment_message(state, "shp_a", first)
    second = {"kind": "release", "carrier": theirs, "to": "shp_c", "generation": 2}
    newer, outputs = handle_shipment_message(moved, "shp_a", second)
    assert not [o for o in outputs if isinstance(o, Send)]  # nothing of theirs left here to move
    for again in (first, second):
        _, resent = handle_shipment_message(newer, "shp_a", again)
        assert [(s.key, [e["event_id"] for e in s.message["events"]], s.message["generation"]) for s in resent if isinstance(s, Send)] == [
            ("shp_c", ["evt_0002"], 2)]


def test_a_merge_read_again_after_the_shipment_lived_again_sends_its_events_again():
    """A crash can lose what a merge sent while the state a later message left is kept: read
    again, the merge is older than the state, yet its events must reach the target."""
    from hub.stages.identity import Send
    from hub.stages.timeline import handle_shipment_message

    parcel = "cdek:1111111111"
    state, _ = handle_shipment_message(None, "shp_a", {"kind": "events", "events": [_on(parcel, 1), _on(parcel, 2)]})
    merge = {"kind": "merge", "to": "shp_b", "generation": 0}
    merged, outputs = handle_shipment_message(state, "shp_a", merge)
    sent = [o for o in outputs if isinstance(o, Send)]
    assert [s.key for s in sent] == ["shp_b"]
    # A split gives shp_a's label back in generation 1: it lives again, without the moved events.
    lives, _ = handle_shipment_message(merged, "shp_a", {"kind": "events", "events": [], "generation": 1})
    assert "events" not in lives and lives["merged_into"] == ["shp_b"]
    again, resent = handle_shipment_message(lives, "shp_a", merge)
    assert again == lives
    assert [(s.key, s.message) for s in resent if isinstance(s, Send)] == [(s.key, s.message) for s in sent]
    # A merge of that generation to another target was never applied here: nothing to resend.
    assert handle_shipment_message(lives, "shp_a", {**merge, "to": "shp_c"}) == (lives, [])
