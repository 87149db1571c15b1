"""hub/stages/timeline_fold.py: a timeline carried on over later events is the one folded from all of them."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import pytest

from hub.stages import stored_events, timeline, timeline_fold
from hub.stages.timeline_build import build_timeline, sort_key
from schemas import CanonicalEvent
from tests.support.partitioned_log import PartitionedRun
from tests.support.simulated_states import folded_run, simulated_messages

pytestmark = pytest.mark.unit


class Folds:
    """Counts `timeline_after`'s calls and its folds from every event: the rest were carried on."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = self.whole = 0
        whole_fold, after = timeline_fold.fold, timeline_fold.timeline_after

        def counted_fold(*args):
            self.whole += 1
            return whole_fold(*args)

        def checked_after(shipment_id, before, events):
            self.calls += 1
            result = after(shipment_id, before, events)
            expected = build_timeline(shipment_id, events)
            assert result == expected
            assert result.model_dump_json() == expected.model_dump_json()
            return result

        monkeypatch.setattr(timeline_fold, "fold", counted_fold)
        self.timeline_after = checked_after
        timeline_fold.forget_all()

    @property
    def carried(self) -> int:
        return self.calls - self.whole


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_fold_of_a_faulty_run_is_the_whole_fold(seed, monkeypatch):
    """Duplicates, events out of order and links made late, over partitions with redeliveries and
    crashes, through the timeline stage's handler."""
    folds = Folds(monkeypatch)
    monkeypatch.setattr(timeline, "timeline_after", folds.timeline_after)
    stored_events.forget_all()
    run = PartitionedRun(3, random.Random(seed), redeliver_rate=0.1, crash_rate=0.05)
    for events in simulated_messages(40, seed=seed):
        run.publish_message(events)
    run.run()
    assert folds.calls > 300
    # Most folds only add later events: they must be carried on, or this tests nothing.
    assert folds.carried > folds.calls // 3


def _shipments(seed: int) -> list[list[CanonicalEvent]]:
    """The events of simulated shipments, each in time order."""
    run = folded_run(30, seed)
    found = [sorted(stored_events.stored_events(state["events"]).values(), key=sort_key)
             for state in run.timelines.values() if state.get("events")]
    assert len(found) > 20
    return found


@pytest.mark.parametrize("seed", [4, 5])
def test_any_arrival_order_gives_the_whole_fold(seed, monkeypatch):
    """A shipment's events arriving in chunks, in time order or shuffled, folded after each chunk."""
    rng = random.Random(seed)
    shipments = _shipments(seed)
    folds = Folds(monkeypatch)
    for events in shipments:
        for _ in range(4):
            arriving = list(events)
            if rng.random() < 0.5:
                rng.shuffle(arriving)  # an earlier event than the last one: folded again from all
            held: dict[str, CanonicalEvent] = {}
            while arriving:
                size = rng.randint(1, 4)
                chunk, arriving = arriving[:size], arriving[size:]
                after = {**held, **{e.event_id: e for e in chunk}}
                folds.timeline_after("shp_x", held, after)
                held = after
    assert folds.carried > folds.calls // 3


def test_a_replaced_record_is_folded_again(monkeypatch):
    events = _shipments(6)[0]
    folds = Folds(monkeypatch)
    held = {e.event_id: e for e in events[:-1]}
    folds.timeline_after("shp_x", {}, held)
    first, last = events[0], events[-1]
    replaced = {**held, first.event_id: first.model_copy(update={"adapter_version": first.adapter_version + 1}),
                last.event_id: last}
    folds.timeline_after("shp_x", held, replaced)
    assert folds.whole == 2


def _carry_on(monkeypatch, held: list[CanonicalEvent], added: CanonicalEvent) -> tuple[object, int]:
    folds = Folds(monkeypatch)
    before = {e.event_id: e for e in held}
    folds.timeline_after("shp_x", {}, before)
    return folds.timeline_after("shp_x", before, {**before, added.event_id: added}), folds.whole


def test_a_status_of_higher_authority_is_folded_again(monkeypatch):
    """A carrier's word overrules a logistics platform's delivery, whenever the platform said it."""
    platform = ("cainiao", "logistics_platform")
    said = [_event(1, 0, "accepted", "in_transit", partner=platform), _event(2, 60, "delivered", "delivered", partner=platform)]
    result, whole = _carry_on(monkeypatch, said, _event(3, 120, "arrived_at_facility", "in_transit"))
    assert result.status.value == "in_transit" and whole == 2


def test_the_first_carrier_after_a_marketplace_is_folded_again(monkeypatch):
    """Once a carrier reports on the parcel, the marketplace's events set no leg and no corridor
    (even a carrier event of no status, which changes no authority)."""
    marketplace = ("wildberries", "marketplace")
    said = [_event(1, 0, "accepted", "in_transit", partner=marketplace), _event(2, 60, "arrived_at_facility", "in_transit", partner=marketplace)]
    result, whole = _carry_on(monkeypatch, said, _event(3, 120, "unknown", "unknown"))
    assert result.legs == () and whole == 2


def test_a_cold_cache_folds_every_event(monkeypatch):
    monkeypatch.setattr(timeline_fold, "CAPACITY", 0)
    events = _shipments(6)[0]
    folds = Folds(monkeypatch)
    held = {e.event_id: e for e in events[:-1]}
    folds.timeline_after("shp_x", {}, held)
    folds.timeline_after("shp_x", held, {**held, events[-1].event_id: events[-1]})
    assert folds.whole == 2


def _event(n: int, minutes: int, milestone: str, status: str, source: str = "partner",
           partner: tuple[str, str] = ("cdek", "courier")) -> CanonicalEvent:
    """A partner's event (a courier's: CDEK), `minutes` after 1 March 2026, its time the partner's or observed."""
    when = datetime(2026, 3, 1, tzinfo=timezone.utc) + timedelta(minutes=minutes)
    return CanonicalEvent(
        event_id=f"evt_{n:04d}", partner=partner[0], partner_kind=partner[1], adapter_version=1, subject=["cdek:1000000001"],
        status=status, milestone=milestone, raw_code=f"code{n}", occurred_at=when, received_at=when,
        time_source=source,
    )


def test_a_timed_fact_after_an_untimed_snapshot_of_it_is_folded_again(monkeypatch):
    """The snapshot set a leg until a timed event told the same fact: then the timed one dates it."""
    accepted = _event(1, 0, "accepted", "in_transit", "partner")
    snapshot = _event(2, 60, "out_for_delivery", "out_for_delivery", "observed")
    timed = _event(3, 120, "out_for_delivery", "out_for_delivery", "partner")
    result, whole = _carry_on(monkeypatch, [accepted, snapshot], timed)
    assert result.legs[-1].entered_at == timed.occurred_at and whole == 2  # not the snapshot's time


def test_a_second_untimed_snapshot_is_folded_again(monkeypatch):
    """Untimed snapshots are put in journey order among themselves, whenever each was read."""
    accepted = _event(1, 0, "accepted", "in_transit", "partner")
    at_pickup_point = _event(2, 60, "arrived_at_pickup_point", "available_for_pickup", "observed")
    out_for_delivery = _event(3, 120, "out_for_delivery", "out_for_delivery", "observed")
    result, whole = _carry_on(monkeypatch, [accepted, at_pickup_point], out_for_delivery)
    assert [span.leg.value for span in result.legs] == ["first_mile", "last_mile", "pickup_point"] and whole == 2
