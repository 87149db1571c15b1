"""Identity and timeline over simulated partitioned logs: any partitioning, interleaving,
duplicate or redelivery gives the same final timelines and the same resolution of every
identifier (ARCHITECTURE.md, "Identity"; issue 7)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.stages.identity import handle_identity, observations, order_shipments, shipment_id_for
from schemas import CanonicalEvent
from schemas.timeline import Timeline
from tests.support.partitioned_log import PartitionedRun

pytestmark = pytest.mark.service

T0 = datetime(2026, 3, 1, tzinfo=timezone.utc)
POOL = [f"hub:P{n}" for n in range(1, 9)]
STATUSES = [("info_received", "order_placed"), ("in_transit", "accepted"), ("in_transit", "departed_facility"),
            ("available_for_pickup", "arrived_at_pickup_point"), ("delivered", "delivered")]


def make_event(n: int, subject: list[str], order: str | None = None) -> CanonicalEvent:
    status, milestone = STATUSES[n % len(STATUSES)]
    return CanonicalEvent(
        event_id=f"evt_{n:04d}", partner="wh_moscow", partner_kind="warehouse", adapter_version=1,
        subject=tuple(subject), references=(order,) if order else (), status=status, milestone=milestone,
        occurred_at=T0 + timedelta(hours=n), received_at=T0 + timedelta(days=40), raw_code=milestone,
    )


def components(events: list[CanonicalEvent]) -> dict[str, str]:
    """Union-find, written independently of the code under test: identifier → smallest member."""
    parent = {i: i for e in events for i in e.subject}

    def find(x: str) -> str:
        while parent[x] != x:
            x = parent[x]
        return x

    for event in events:
        first, *rest = sorted(event.subject)
        for other in rest:
            a, b = find(first), find(other)
            if a != b:
                parent[max(a, b)] = min(a, b)
    return {i: find(i) for i in parent}


subjects = st.lists(st.sampled_from(POOL), min_size=1, max_size=3, unique=True)
journeys = st.lists(subjects, min_size=1, max_size=14)


@settings(max_examples=120)
@given(journeys, st.integers(1, 6), st.integers(0, 2**32), st.floats(0, 0.3), st.floats(0, 0.3), st.booleans())
def test_final_timelines_and_resolution_do_not_depend_on_partitioning_or_interleaving(subject_lists, partitions, seed, redeliver, crash, link_last):
    events = [make_event(n, s) for n, s in enumerate(subject_lists)]
    rng = random.Random(seed)
    order = events[:]
    rng.shuffle(order)
    if link_last:  # the events that link several identifiers arrive after the rest
        order.sort(key=lambda e: len(e.subject) > 1)
    order += rng.sample(events, k=min(3, len(events)))  # duplicates
    run = PartitionedRun(partitions, rng, redeliver_rate=redeliver, crash_rate=crash)
    for event in order:
        run.publish_event(event)
    run.run()

    label_of = components(events)
    for identifier, smallest in label_of.items():
        assert run.resolve(identifier) == shipment_id_for(smallest), identifier
    expected = {}
    for event in events:
        expected.setdefault(shipment_id_for(label_of[event.subject[0]]), set()).add(event.event_id)
    for shipment, event_ids in expected.items():
        assert set(run.timelines[shipment]["events"]) == event_ids
        published = run.published[shipment]
        assert isinstance(published, Timeline) and {e.event_id for e in published.events} == event_ids
    # Every other shipment that ever existed is a redirect into one of the final ones.
    for shipment, state in run.timelines.items():
        if shipment not in expected:
            assert state.get("redirect"), shipment
    # Every shipment's latest publication on hub.timelines is what its state says.
    for shipment, state in run.timelines.items():
        kind = "redirect" if state.get("redirect") else "timeline"
        assert run.published[shipment].kind == kind, shipment


@given(journeys, st.integers(0, 2**32))
def test_two_runs_with_different_partitions_agree(subject_lists, seed):
    events = [make_event(n, s) for n, s in enumerate(subject_lists)]
    results = []
    for partitions in (1, 6):
        run = PartitionedRun(partitions, random.Random(seed))
        for event in events:
            run.publish_event(event)
        run.run()
        results.append({s: st for s, st in run.timelines.items() if not st.get("redirect")})
    assert results[0] == results[1]


def test_applying_an_identity_message_twice_changes_nothing_and_re_emits_the_same():
    event = make_event(1, ["hub:P2", "hub:P1"])
    for send in observations(["hub:P1", "hub:P2"], [], event.model_dump(mode="json")):
        once, sends = handle_identity(None, send.key, send.message, "0:1")
        twice, sends_again = handle_identity(once, send.key, send.message, "0:1")
        assert twice == once and sends_again == sends
    # A smaller label: adopted once; the same message again (same position) re-emits its sends.
    relabel = {"kind": "label", "identifier": "hub:P2", "label": "hub:P1", "from": "hub:P1"}
    state, _ = handle_identity(None, "hub:P2", {"kind": "observe", "identifier": "hub:P2", "neighbours": ["hub:P1", "hub:P3"], "orders": []})
    once, sends = handle_identity(state, "hub:P2", relabel, "3:7")
    twice, sends_again = handle_identity(once, "hub:P2", relabel, "3:7")
    assert twice == once and sends_again == sends and any(s.message["kind"] == "merge" for s in sends)
    # The same label from elsewhere (another position) changes nothing and sends nothing.
    assert handle_identity(once, "hub:P2", relabel, "3:9") == (once, [])


def test_orders_attach_parcels_without_merging_them():
    run = PartitionedRun(3, random.Random(7))
    run.publish_event(make_event(1, ["hub:P1"], order="aliexpress_order:800012345678"))
    run.publish_event(make_event(2, ["hub:P2"], order="aliexpress_order:800012345678"))
    run.run()
    assert run.resolve("hub:P1") != run.resolve("hub:P2")
    assert order_shipments(run.identity["aliexpress_order:800012345678"]) == sorted(
        [shipment_id_for("hub:P1"), shipment_id_for("hub:P2")]
    )
