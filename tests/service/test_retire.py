"""Retiring finished shipments (hub/stages/retire.py): a retired state is smaller, and late
events are still deduplicated, folded and settled as they would have been without retirement.

Driven through the pure stage and the money steps the timeline agent runs after each
publication (hub/stages/shipment_step.py), over simulated traffic and the example contracts;
states go through the table's codec between messages, as they do on a worker.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from hub.stages.retire import retirement
from hub.stages.settle import resend_messages
from hub.stages.timeline import timeline_from_state
from schemas import CanonicalEvent, Milestone, Status
from tests.support.simulated_shipments import final_status, last_event_at, simulated_shipments
from tests.support.timeline_worker import AFTER, Worker

pytestmark = pytest.mark.service


def ids(turnover: list[dict]) -> dict[str, str]:
    """Each entry or contribution sent, by id, as bytes (a repeat must be the same bytes)."""
    found: dict[str, str] = {}
    for message in turnover:
        key = message["entry"]["entry_id"] if message["kind"] == "entry" else message["contribution_id"]
        text = json.dumps(message, sort_keys=True)
        assert found.setdefault(key, text) == text, key
    return found


def returned(after: CanonicalEvent, days: float = 100) -> CanonicalEvent:
    """The parcel back at its sender, told by the carrier that delivered it, `days` later."""
    when = after.occurred_at + timedelta(days=days)
    return after.model_copy(update={
        "event_id": f"evt_return_{after.event_id[4:20]}", "status": Status.RETURNED, "milestone": Milestone.RETURNED_TO_SENDER,
        "occurred_at": when, "received_at": when, "raw_code": "RETURNED", "amounts": (), "promised_delivery": None,
    })


@pytest.fixture(scope="module")
def shipments(tmp_path_factory) -> dict[str, list[CanonicalEvent]]:
    return simulated_shipments(tmp_path_factory.mktemp("simulation"))


@pytest.fixture(scope="module")
def accrued(shipments) -> dict[str, list[CanonicalEvent]]:
    """Delivered shipments whose delivery accrued a share under the example contracts."""
    found = {}
    for shipment_id, events in shipments.items():
        sent = Worker().feed(shipment_id, events)
        if final_status(events) == "delivered" and any(m["kind"] == "entry" and m["entry"]["kind"] == "accrual" for m in sent):
            found[shipment_id] = events
    assert len(found) >= 3, "the simulation has too few settled deliveries to test with"
    return found


def delivered_event(events: list[CanonicalEvent]) -> CanonicalEvent:
    return max((e for e in events if e.status is Status.DELIVERED and e.partner_kind != "marketplace"), key=lambda e: e.occurred_at)


def test_a_return_after_retirement_reverses_the_accrual_exactly_once(accrued):
    for shipment_id, events in accrued.items():
        live, retiring = Worker(), Worker()
        live.feed(shipment_id, events)
        retiring.feed(shipment_id, events)
        before = retiring.states[shipment_id]
        assert retiring.retire(shipment_id, last_event_at(events) + AFTER) == ([], [], [])  # nothing published
        assert retiring.state(shipment_id)["retired"] and len(retiring.states[shipment_id]) < len(before)
        back = returned(delivered_event(events))

        published, _, sent = retiring.event(shipment_id, back)
        _, _, sent_live = live.event(shipment_id, back)
        # The same entries and contributions, byte for byte, as without retirement.
        assert ids(sent) == ids(sent_live) and sent
        reversals = [m["entry"] for m in sent if m["kind"] == "entry" and m["entry"]["kind"] == "reversal"]
        assert len(reversals) == 1 and reversals[0]["trigger_event_id"] == back.event_id
        assert [p.record.status for p in published] == ["returned"]

        # The return again (a redelivery, or a replay after a crash): what it sends repeats
        # what the first one sent, byte for byte, and nothing else.
        published_again, _, sent_again = retiring.event(shipment_id, back)
        assert set(ids(sent_again)) <= set(ids([*sent, *_everything_sent_before(live, shipment_id)]))
        assert ids(sent + sent_again)  # every repeated id is the same bytes
        assert [p.repeat for p in published_again] == [True]
        assert published_again[0].record == published[0].record


def _everything_sent_before(worker: Worker, shipment_id: str) -> list[dict]:
    return [s.message for s in resend_messages(worker.state(shipment_id).get("settled"))]


def retired_delivery(accrued: dict[str, list[CanonicalEvent]]) -> tuple[Worker, str, list[CanonicalEvent]]:
    """The first settled delivery, all its events handled, then retired."""
    shipment_id, events = next(iter(accrued.items()))
    worker = Worker()
    worker.feed(shipment_id, events)
    worker.retire(shipment_id, last_event_at(events) + AFTER)
    return worker, shipment_id, events


def test_a_repeat_of_an_old_event_after_retirement_emits_nothing(accrued):
    worker, shipment_id, events = retired_delivery(accrued)
    retired = worker.states[shipment_id]
    dropped = set(worker.state(shipment_id)["dropped"])
    assert dropped, "nothing was dropped: the test would not cover a dropped event"
    for event in reversed(events):  # kept and dropped alike, even a preferred record of one
        newer = event.model_copy(update={"adapter_version": event.adapter_version + 1})
        for repeat in (event, newer):
            assert worker.event(shipment_id, repeat) == ([], [], [])
            assert worker.states[shipment_id] == retired
    # Also after a late event: old events stay settled history.
    worker.event(shipment_id, returned(delivered_event(events)))
    after_return = worker.states[shipment_id]
    for event in events:
        assert worker.event(shipment_id, event) == ([], [], [])
    assert worker.states[shipment_id] == after_return


def test_unfinished_recent_and_merged_shipments_are_not_retired(shipments, accrued):
    moving = {s: e for s, e in shipments.items() if final_status(e) not in ("delivered", "returned", "cancelled")}
    assert moving, "the simulation has no shipment still moving"
    shipment_id, events = next(iter(moving.items()))
    worker = Worker()
    worker.feed(shipment_id, events)
    state = worker.states[shipment_id]
    assert worker.retire(shipment_id, last_event_at(events) + 10 * AFTER) == ([], [], [])
    assert worker.states[shipment_id] == state

    shipment_id, events = next(iter(accrued.items()))
    worker.feed(shipment_id, events)
    state = worker.states[shipment_id]
    worker.retire(shipment_id, last_event_at(events) + AFTER - 1)  # one second short of quiet long enough
    assert worker.states[shipment_id] == state
    worker.handle(shipment_id, {"kind": "merge", "from": shipment_id, "to": "shp_elsewhere", "generation": 0})
    redirect = worker.states[shipment_id]
    worker.retire(shipment_id, last_event_at(events) + 10 * AFTER)
    assert worker.states[shipment_id] == redirect


def test_a_second_retire_message_changes_nothing(accrued):
    worker, shipment_id, events = retired_delivery(accrued)
    once = worker.states[shipment_id]
    assert worker.retire(shipment_id, last_event_at(events) + 2 * AFTER) == ([], [], [])
    assert worker.states[shipment_id] == once


def test_a_retired_shipment_is_smaller_and_tells_the_same_timeline_but_for_its_events(shipments):
    sizes = []
    for shipment_id, events in shipments.items():
        if final_status(events) not in ("delivered", "returned", "cancelled"):
            continue
        worker = Worker()
        worker.feed(shipment_id, events)
        whole = timeline_from_state(shipment_id, worker.state(shipment_id))
        before = len(worker.states[shipment_id])
        worker.retire(shipment_id, last_event_at(events) + AFTER)
        state = worker.state(shipment_id)
        kept = timeline_from_state(shipment_id, state)
        assert state["retired"]
        # What an answer about it says: the events not shown are the ones dropped.
        assert retirement(state)["events_not_shown"] == len(whole.events) - len(kept.events)
        # Identifiers (the identities table is not touched), status, legs and corridor as before.
        assert (kept.identifiers, kept.orders, kept.status, kept.corridor) == (whole.identifiers, whole.orders, whole.status, whole.corridor)
        assert [(s.leg, s.partner, s.entered_at) for s in kept.legs] == [(s.leg, s.partner, s.entered_at) for s in whole.legs]
        sizes.append((before, len(worker.states[shipment_id]), len(whole.events), len(kept.events)))
    n = len(sizes)
    before, after, events, kept_events = (sum(column) / n for column in zip(*sizes, strict=True))
    print(f"\n{n} finished shipments: state {before:.0f} → {after:.0f} bytes encoded on average; "
          f"events {events:.1f} → {kept_events:.1f} kept")
    # The events are what shrinks (scans go, a digest of their ids stays); the summary, stored
    # uncompressed in front of every state (hub/kafka/state_codec.py), and the settled memory do not.
    # (A shipment whose kept events would not tell the same timeline keeps them all: 1 in 76 here.)
    assert sum(retired < whole for whole, retired, _, _ in sizes) >= 0.9 * n
    assert after < 0.85 * before and kept_events < 0.7 * events


def test_retiring_after_the_final_status_changes_no_settlement(shipments):
    """For every shipment that reaches a final status: its later events and a late return
    settle to the same entries and contributions, byte for byte, whether it retired or not."""
    checked = 0
    for shipment_id, events in shipments.items():
        live, retiring = Worker(), Worker()
        cut = None
        for n, event in enumerate(events):
            live.event(shipment_id, event)
            retiring.event(shipment_id, event)
            state = retiring.state(shipment_id)
            if state and state.get("summary", {}).get("status") in ("delivered", "returned", "cancelled"):
                cut = n
                break
        if cut is None:
            continue
        checked += 1
        sent_live, sent_retired = [], []
        sent_before = ids(_everything_sent_before(live, shipment_id))
        retiring.retire(shipment_id, state["summary"]["last_event_at"] + AFTER)
        assert retiring.state(shipment_id)["retired"]
        later = events[cut + 1:]
        delivered = [e for e in events if e.status is Status.DELIVERED]
        late = [*later, returned(delivered[-1])] if delivered else later
        for event in late:
            sent_live += live.event(shipment_id, event)[2]
            sent_retired += retiring.event(shipment_id, event)[2]
        # Repeats of old events send nothing after retirement where the live shipment sends
        # again what it sent before (the same bytes): compare what is new, by id and bytes.
        new_live, new_retired = ({k: v for k, v in ids(sent).items() if k not in sent_before} for sent in (sent_live, sent_retired))
        assert new_retired == new_live, shipment_id
        assert all(sent_before[k] == v for k, v in ids(sent_retired).items() if k in sent_before)
        live_timeline = timeline_from_state(shipment_id, live.state(shipment_id))
        retired_timeline = timeline_from_state(shipment_id, retiring.state(shipment_id))
        assert (retired_timeline.status, retired_timeline.identifiers) == (live_timeline.status, live_timeline.identifiers), shipment_id
    assert checked >= 10


def test_a_retired_shipment_merged_into_another_takes_its_dropped_ids_along(accrued):
    worker, shipment_id, events = retired_delivery(accrued)
    retired = worker.state(shipment_id)
    _, (moved,), _ = worker.handle(shipment_id, {"kind": "merge", "from": shipment_id, "to": "shp_target", "generation": 0})
    assert moved.key == "shp_target" and moved.message["dropped"] == retired["dropped"]
    assert {e["event_id"] for e in moved.message["events"]} == set(retired["events"])
    published, _, _ = worker.handle("shp_target", moved.message)
    assert published and worker.state("shp_target")["dropped"] == retired["dropped"]
    target = worker.states["shp_target"]
    dropped_events = [e for e in events if e.event_id not in retired["events"]]
    for event in dropped_events:
        assert worker.event("shp_target", event) == ([], [], [])
    assert worker.states["shp_target"] == target
