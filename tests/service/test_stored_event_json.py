"""A timeline's events' JSON taken from the state when the state says it is their models' own
(hub/stages/timeline_json.py, `dumped_by` in hub/stages/timeline.py)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import orjson
import pytest

from hub.stages import stored_events, timeline_fold, timeline_json
from hub.stages.timeline import DUMPED, handle_shipment_message
from hub.stages.timeline_json import DUMPED_BY, is_dumped
from schemas import CanonicalEvent

pytestmark = pytest.mark.service

T0 = datetime(2026, 3, 1, 7, 0, tzinfo=timezone.utc)


def _event(n: int, status: str = "in_transit", milestone: str = "departed_facility") -> CanonicalEvent:
    return CanonicalEvent(
        event_id=f"evt_{n:04d}", partner="cdek", partner_kind="courier", adapter_version=1,
        subject=("cdek:1234567891",), status=status, milestone=milestone,
        occurred_at=T0 + timedelta(hours=n), received_at=T0 + timedelta(days=30), raw_code=f"CODE{n}",
        raw_description="Отправлено в город",
    )


def _message(*events: CanonicalEvent | dict) -> dict:
    """A hub.shipment-events message as normalise sends it: each event its model's own JSON."""
    raws = [e if isinstance(e, dict) else orjson.loads(e.model_dump_json()) for e in events]
    return {"kind": "events", "events": raws}


def _cold() -> None:
    """As for a shipment whose last message was hours ago: nothing of it kept in the process."""
    stored_events.forget_all()
    timeline_fold.forget_all()
    timeline_json.forget_all()


def _published(outputs) -> bytes:
    (publish,) = [o for o in outputs if hasattr(o, "record")]
    return timeline_json.record_json(publish.record)


def _non_canonical(event: CanonicalEvent) -> dict:
    """`event`'s JSON with its time written another valid way: the same model, other bytes."""
    raw = orjson.loads(event.model_dump_json())
    raw["occurred_at"] = raw["occurred_at"].replace("Z", "+00:00")
    assert CanonicalEvent.model_validate(raw) == event and not is_dumped(event, raw)
    return raw


def test_events_that_came_as_their_models_json_mark_the_state():
    state, _ = handle_shipment_message(None, "shp_a", _message(_event(1), _event(2)))
    assert state[DUMPED] == DUMPED_BY
    state, _ = handle_shipment_message(state, "shp_a", _message(_event(3)))
    assert state[DUMPED] == DUMPED_BY


def test_an_event_stored_in_another_form_leaves_the_state_unmarked_until_it_is_replaced():
    state, _ = handle_shipment_message(None, "shp_a", _message(_event(1), _non_canonical(_event(2))))
    assert DUMPED not in state
    _cold()
    state, outputs = handle_shipment_message(state, "shp_a", _message(_event(3)))
    assert DUMPED not in state
    # Unmarked, every event's JSON is pydantic's, whatever the state stores.
    timeline = orjson.loads(_published(outputs))
    assert [e["occurred_at"] for e in timeline["events"]][1] == orjson.loads(_event(2).model_dump_json())["occurred_at"]


def test_a_marked_state_gives_its_stored_json_and_serialises_none_of_its_events(monkeypatch):
    state, _ = handle_shipment_message(None, "shp_a", _message(_event(1), _event(2)))
    # Lie in the state on purpose: the stored JSON of event 2 is not its model's own, yet
    # marked so. A cold read must take the stored form, which shows it serialised nothing.
    state = {**state, "events": {**state["events"], "evt_0002": _non_canonical(_event(2))}}
    _cold()
    serialised = []
    real = timeline_json._remember
    monkeypatch.setattr(timeline_json, "_remember", lambda event, data: serialised.append(event.event_id) or real(event, data))
    _, outputs = handle_shipment_message(state, "shp_a", _message(_event(3)))
    timeline = orjson.loads(_published(outputs))
    assert timeline["events"][1]["occurred_at"].endswith("+00:00")
    # Each event's JSON made once: the stored two from the state (see above), the new one by pydantic.
    assert sorted(serialised) == ["evt_0001", "evt_0002", "evt_0003"]


def test_a_state_marked_by_other_code_is_checked_again():
    """After an upgrade, a state marked by the old code is trusted no more: checked again, it
    is marked by this code if its JSON is its models' own, and left unmarked if not."""
    canonical, _ = handle_shipment_message(None, "shp_a", _message(_event(1), _event(2)))
    other, _ = handle_shipment_message(None, "shp_b", _message(_event(1), _non_canonical(_event(2))))
    for shipment, state, marked in (("shp_a", canonical, True), ("shp_b", other, False)):
        _cold()
        state, outputs = handle_shipment_message({**state, DUMPED: "another-digest"}, shipment, _message(_event(3)))
        assert (state.get(DUMPED) == DUMPED_BY) is marked and state.get(DUMPED) != "another-digest"
        publish = next(o for o in outputs if hasattr(o, "record"))
        assert _published(outputs) == publish.record.model_dump_json().encode()


@pytest.mark.parametrize("warm", [False, True])
def test_marked_or_not_warm_or_cold_the_timeline_is_pydantics(warm):
    events = [_event(n) for n in range(1, 8)]
    state = None
    for n, e in enumerate(events):
        if not warm:
            _cold()
        state, outputs = handle_shipment_message(state, "shp_a", _message(e))
        publish = next(o for o in outputs if hasattr(o, "record"))
        assert _published(outputs) == publish.record.model_dump_json().encode()
        assert state[DUMPED] == DUMPED_BY, n


def test_the_digest_is_of_this_code():
    assert len(DUMPED_BY) == 16 and int(DUMPED_BY, 16) >= 0
    assert timeline_json._code_digest() == DUMPED_BY
