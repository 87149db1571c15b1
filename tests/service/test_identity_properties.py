"""Identity and timeline over simulated partitioned logs: any partitioning, interleaving,
duplicate or redelivery gives the same final timelines and the same resolution of every
identifier (docs/architecture.md#identity; issue 7)."""

from __future__ import annotations

import os
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
# More examples for a long search: HUB_PROPERTY_EXAMPLES=6000 pytest tests/service/test_identity_properties.py
EXAMPLES = int(os.environ.get("HUB_PROPERTY_EXAMPLES", "0"))
STATUSES = [("info_received", "order_placed"), ("in_transit", "accepted"), ("in_transit", "departed_facility"),
            ("available_for_pickup", "arrived_at_pickup_point"), ("delivered", "delivered")]


def make_event(n: int, subject: list[str], order: str | None = None) -> CanonicalEvent:
    status, milestone = STATUSES[n % len(STATUSES)]
    return CanonicalEvent(
        event_id=f"evt_{n:04d}", partner="wh_moscow", partner_kind="warehouse", adapter_version=1,
        subject=tuple(subject), references=(order,) if order else (), status=status, milestone=milestone,
        occurred_at=T0 + timedelta(hours=n), received_at=T0 + timedelta(days=40), raw_code=milestone,
    )


def components(events: list[CanonicalEvent], cuts: frozenset[frozenset[str]] = frozenset()) -> dict[str, str]:
    """Union-find, written independently of the code under test: identifier → smallest member.

    Every two identifiers on one event are linked, unless that link was cut.
    """
    parent = {i: i for e in events for i in e.subject}

    def find(x: str) -> str:
        while parent[x] != x:
            x = parent[x]
        return x

    for event in events:
        for first in event.subject:
            for other in event.subject:
                if first != other and frozenset((first, other)) not in cuts:
                    a, b = find(first), find(other)
                    if a != b:
                        parent[max(a, b)] = min(a, b)
    return {i: find(i) for i in parent}


def assert_final_state(run: PartitionedRun, events: list[CanonicalEvent], cuts: frozenset[frozenset[str]] = frozenset()) -> None:
    """Every identifier resolves to its component's shipment, which holds exactly the events
    its identifiers carried; every other shipment sends its readers on."""
    label_of = components(events, cuts)
    for identifier, smallest in label_of.items():
        assert run.resolve(identifier) == shipment_id_for(smallest), identifier
    expected: dict[str, set[str]] = {}
    for event in events:
        expected.setdefault(shipment_id_for(label_of[min(event.subject)]), set()).add(event.event_id)
    for shipment in {shipment_id_for(label) for label in label_of.values()}:
        event_ids = expected.get(shipment, set())
        state = run.timelines.get(shipment, {})
        assert not state.get("redirect") and set(state.get("events", {})) == event_ids, shipment
        published = run.published.get(shipment)
        if event_ids or published is not None:
            assert isinstance(published, Timeline) and {e.event_id for e in published.events} == event_ids, shipment
    finals = {shipment_id_for(label) for label in label_of.values()}
    for shipment, state in run.timelines.items():
        if shipment in finals or not state:
            continue
        # Merged into another shipment (a redirect), or emptied by a split.
        if state.get("redirect"):
            assert run.published[shipment].kind == "redirect", shipment
        else:
            assert not state.get("events"), shipment
            published = run.published.get(shipment)
            assert published is None or not published.events, shipment


def publish_in_messages(run: PartitionedRun, events: list[CanonicalEvent], rng: random.Random) -> None:
    """Publish `events` in order, a few at a time as one partner message carries them
    (normalise sends a message's events naming the same identifiers on together)."""
    at = 0
    while at < len(events):
        size = rng.choice((1, 1, 2, 3, 5))
        run.publish_message(events[at:at + size])
        at += size


subjects = st.lists(st.sampled_from(POOL), min_size=1, max_size=3, unique=True)
journeys = st.lists(subjects, min_size=1, max_size=14)
# Half the runs commit every record; the rest lose windows of records now and then.
window_crashes = st.sampled_from((0.0, 0.0, 0.05, 0.2))


@settings(max_examples=EXAMPLES or 120, deadline=None)
@given(journeys, st.integers(1, 6), st.integers(0, 2**32), st.floats(0, 0.3), st.floats(0, 0.3), st.booleans(), window_crashes)
def test_final_timelines_and_resolution_do_not_depend_on_partitioning_or_interleaving(subject_lists, partitions, seed, redeliver, crash, link_last,
                                                                                      window_crash):
    """`window_crash`: crashes that lose what every record since a partition's last commit sent,
    and read them all again against states that hold their effects."""
    events = [make_event(n, s) for n, s in enumerate(subject_lists)]
    rng = random.Random(seed)
    order = events[:]
    rng.shuffle(order)
    if link_last:  # the events that link several identifiers arrive after the rest
        order.sort(key=lambda e: len(e.subject) > 1)
    order += rng.sample(events, k=min(3, len(events)))  # duplicates
    run = PartitionedRun(partitions, rng, redeliver_rate=redeliver, crash_rate=crash, window_crash_rate=window_crash)
    publish_in_messages(run, order, rng)
    run.run()

    assert_final_state(run, events)


pairs = st.tuples(st.sampled_from(POOL), st.sampled_from(POOL)).filter(lambda p: p[0] != p[1])


@settings(max_examples=EXAMPLES or 150, deadline=None)
@given(journeys, st.lists(pairs, min_size=1, max_size=3), st.integers(1, 6), st.integers(0, 2**32),
       st.floats(0, 0.3), st.floats(0, 0.3), st.integers(0, 400), window_crashes)
def test_splits_give_the_components_without_the_cut_links(subject_lists, cut_pairs, partitions, seed, redeliver, crash, split_after,
                                                           window_crash):
    """`hub split A B` at any point (before the link exists, while labels still spread, or
    long after): the result is the components of the links that were not cut, crashes that
    lose a window of sends included."""
    split_scenario(subject_lists, cut_pairs, partitions, seed, redeliver, crash, split_after, window_crash)


def test_a_split_survives_a_crash_that_loses_a_window_of_sends():
    split_scenario([["hub:P1", "hub:P4", "hub:P5"], ["hub:P3", "hub:P4"], ["hub:P1"], ["hub:P2"], ["hub:P1"],
                    ["hub:P3", "hub:P5", "hub:P6"], ["hub:P5"], ["hub:P1"], ["hub:P1"]],
                   [("hub:P1", "hub:P2"), ("hub:P1", "hub:P2")], 1, 1_208_647_525, 0.0, 0.0, 1, window_crash=0.05)


def test_a_split_survives_a_crash_that_loses_what_an_older_release_sent():
    """Found by the search: a window crash lost a release's send after a newer release of the
    same identifier was written; read again, the older release must send the events again."""
    split_scenario([["hub:P1"], ["hub:P5"], ["hub:P1"], ["hub:P1"], ["hub:P1", "hub:P2"], ["hub:P4"], ["hub:P1"], ["hub:P2"],
                    ["hub:P5", "hub:P7"], ["hub:P2", "hub:P4"], ["hub:P2", "hub:P4", "hub:P7"], ["hub:P1", "hub:P7"], ["hub:P3", "hub:P7"]],
                   [("hub:P1", "hub:P3"), ("hub:P1", "hub:P2"), ("hub:P1", "hub:P2")], 2, 813, 0.0, 0.0, 2, window_crash=0.2)


def test_a_merge_that_carries_only_releases_keeps_them():
    """Found by the search: a shipment with no events but a release (of P7) merged into another,
    which took the merge for a claim and dropped the release; an event P7 sent later, through
    an older merge and the redirect, then stayed there instead of following P7 on."""
    split_scenario([["hub:P1"], ["hub:P1", "hub:P3"], ["hub:P1"], ["hub:P1"], ["hub:P7", "hub:P8"], ["hub:P4", "hub:P2", "hub:P7"],
                    ["hub:P1", "hub:P4", "hub:P5"], ["hub:P6", "hub:P7", "hub:P8"], ["hub:P1"], ["hub:P1"], ["hub:P1"],
                    ["hub:P2", "hub:P6", "hub:P8"], ["hub:P1"]],
                   [("hub:P1", "hub:P2"), ("hub:P1", "hub:P2"), ("hub:P4", "hub:P7")], 5, 1_143_073, 0.125, 0.0, 54, window_crash=0.0)


def split_scenario(subject_lists, cut_pairs, partitions, seed, redeliver, crash, split_after, window_crash) -> None:
    events = [make_event(n, s) for n, s in enumerate(subject_lists)]
    rng = random.Random(seed)
    # Mostly cut links that some event made (a wrong merge), sometimes pairs never linked.
    linked = sorted({(a, b) for e in events for a in e.subject for b in e.subject if a < b})
    cuts = [linked[rng.randrange(len(linked))] if linked and rng.random() < 0.8 else pair for pair in cut_pairs]
    order = events[:]
    rng.shuffle(order)
    order += rng.sample(events, k=min(3, len(events)))  # duplicates
    run = PartitionedRun(partitions, rng, redeliver_rate=redeliver, crash_rate=crash, window_crash_rate=window_crash)
    publish_in_messages(run, order[: len(order) // 2], rng)
    run.steps(split_after)
    for first, second in cuts:
        run.split(first, second)
        run.steps(rng.randrange(0, 200))
    publish_in_messages(run, order[len(order) // 2:], rng)
    run.run()
    assert_final_state(run, events, frozenset(frozenset(pair) for pair in cuts))


def test_a_split_undoes_a_wrong_merge_and_stays_undone():
    run = PartitionedRun(3, random.Random(11))
    run.publish_event(make_event(1, ["hub:P1"]))
    run.publish_event(make_event(2, ["hub:P2"]))
    run.publish_event(make_event(3, ["hub:P2", "hub:P3"]))
    run.publish_event(make_event(4, ["hub:P1", "hub:P3"]))  # the wrong hand-over
    run.run()
    merged = shipment_id_for("hub:P1")
    assert {run.resolve(i) for i in ("hub:P1", "hub:P2", "hub:P3")} == {merged}
    run.split("hub:P1", "hub:P3")
    run.run()
    assert run.resolve("hub:P1") == merged
    assert run.resolve("hub:P2") == run.resolve("hub:P3") == shipment_id_for("hub:P2")
    assert set(run.timelines[merged]["events"]) == {"evt_0001", "evt_0004"}  # P1 carried the hand-over
    assert set(run.timelines[shipment_id_for("hub:P2")]["events"]) == {"evt_0002", "evt_0003"}
    # The same wrong hand-over again (a replay, a duplicate) does not merge them again.
    run.publish_event(make_event(4, ["hub:P1", "hub:P3"]))
    run.run()
    assert run.resolve("hub:P3") == shipment_id_for("hub:P2") != run.resolve("hub:P1")


def test_a_cut_handled_twice_changes_nothing_and_re_emits_the_same():
    state, _ = handle_identity(None, "hub:P2", {"kind": "observe", "identifier": "hub:P2", "neighbours": ["hub:P1", "hub:P3"], "orders": []})
    cut = {"kind": "cut", "identifier": "hub:P2", "other": "hub:P1"}
    once, sends = handle_identity(state, "hub:P2", cut, "1:4")
    twice, sends_again = handle_identity(once, "hub:P2", cut, "1:4")
    assert twice == once and sends_again == sends
    assert once["neighbours"] == ["hub:P3"] and once["generation"] == 1
    assert handle_identity(once, "hub:P2", cut, "1:9") == (once, [])  # the same split asked again
    # A label from the cut neighbour, sent before it heard of the cut, is ignored.
    stale = {"kind": "label", "identifier": "hub:P2", "label": "hub:P1", "generation": 0, "from": "hub:P1"}
    assert handle_identity(once, "hub:P2", stale, "2:1") == (once, [])


def test_applying_an_identity_message_twice_changes_nothing_and_re_emits_the_same():
    event = make_event(1, ["hub:P2", "hub:P1"])
    for send in observations(["hub:P1", "hub:P2"], [], [event.model_dump(mode="json")]):
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
