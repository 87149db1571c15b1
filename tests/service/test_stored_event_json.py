"""A timeline's events' JSON taken from the state when the state is marked as holding their
models' own (hub/stages/timeline_json.py; the `own_json` mark of hub/stages/timeline.py)."""

from __future__ import annotations

import inspect
import random
from datetime import datetime, timedelta, timezone

import orjson
import pydantic_core
import pytest

from hub.stages import timeline_json
from hub.stages.normalise import routing_identifier
from hub.stages.shipment_step import forget_kept
from hub.stages.timeline import OWN_JSON, handle_shipment_message, timeline_from_state
from hub.stages.timeline_json import JSON_CODE, is_own_json, own_json_mark
from schemas import CanonicalEvent
from tests.service.test_identity_properties import POOL, make_event
from tests.support.partitioned_log import EVENTS, PartitionedRun

pytestmark = pytest.mark.service

T0 = datetime(2026, 3, 1, 7, 0, tzinfo=timezone.utc)


def _event(n: int, received: datetime = T0 + timedelta(days=30)) -> CanonicalEvent:
    return CanonicalEvent(
        event_id=f"evt_{n:04d}", partner="cdek", partner_kind="courier", adapter_version=1,
        subject=("cdek:1234567891",), status="in_transit", milestone="departed_facility",
        occurred_at=T0 + timedelta(hours=n), received_at=received, raw_code=f"CODE{n}",
        raw_description="Отправлено в город",
    )


def _message(*events: CanonicalEvent | dict) -> dict:
    """A hub.shipment-events message as normalise sends it: each event its model's own JSON."""
    raws = [e if isinstance(e, dict) else orjson.loads(e.model_dump_json()) for e in events]
    return {"kind": "events", "events": raws}


def _cold() -> None:
    """As for a shipment whose last message was hours ago: nothing of it kept in the process."""
    forget_kept()


def _published(outputs) -> tuple[bytes, bytes]:
    """The timeline published, as the stage writes it and as pydantic does."""
    (publish,) = [o for o in outputs if hasattr(o, "record")]
    return timeline_json.record_json(publish.record), publish.record.model_dump_json().encode()


def _other_form(event: CanonicalEvent) -> dict:
    """`event`'s JSON with its time written another valid way: the same model, other bytes."""
    raw = orjson.loads(event.model_dump_json())
    raw["occurred_at"] = raw["occurred_at"].replace("Z", "+00:00")
    assert CanonicalEvent.model_validate(raw) == event and not is_own_json(event, raw)
    return raw


@pytest.fixture(autouse=True)
def nothing_kept_between_tests():
    """One test's deliberately false mark must not leave its JSON kept for the next."""
    _cold()
    yield
    _cold()


@pytest.fixture
def serialised(monkeypatch) -> list[str]:
    """The ids of the events whose models pydantic serialises."""
    ids: list[str] = []
    real = timeline_json.serialised
    monkeypatch.setattr(timeline_json, "serialised", lambda event: ids.append(event.event_id) or real(event))
    return ids


def test_events_that_came_as_their_models_json_mark_the_state():
    state, _ = handle_shipment_message(None, "shp_a", _message(_event(1), _event(2)))
    assert state[OWN_JSON] == own_json_mark(state["events"]) == f"{JSON_CODE}:2"
    state, _ = handle_shipment_message(state, "shp_a", _message(_event(3)))
    assert state[OWN_JSON] == f"{JSON_CODE}:3"


def test_a_marked_state_shipment_not_kept_serialises_only_its_new_event(serialised):
    state, _ = handle_shipment_message(None, "shp_a", _message(_event(1), _event(2)))
    _cold()
    serialised.clear()
    state, outputs = handle_shipment_message(state, "shp_a", _message(_event(3)))
    assert serialised == ["evt_0003"]
    stage, pydantic = _published(outputs)
    assert stage == pydantic


def test_the_stored_json_is_what_a_marked_state_gives():
    # Lie in the state on purpose: event 2 stored in another form, yet marked as its own.
    # The stage takes the stored form: the mark is all it goes by.
    state, _ = handle_shipment_message(None, "shp_a", _message(_event(1), _event(2)))
    state = {**state, "events": {**state["events"], "evt_0002": _other_form(_event(2))}}
    _cold()
    _, outputs = handle_shipment_message(state, "shp_a", _message(_event(3)))
    stage, pydantic = _published(outputs)
    assert orjson.loads(stage)["events"][1]["occurred_at"].endswith("+00:00") and stage != pydantic


def test_an_event_in_another_form_leaves_the_state_unmarked_until_it_is_replaced(serialised):
    state, _ = handle_shipment_message(None, "shp_a", _message(_event(1), _other_form(_event(2))))
    assert OWN_JSON not in state
    _cold()
    serialised.clear()
    state, outputs = handle_shipment_message(state, "shp_a", _message(_event(3)))
    assert OWN_JSON not in state and sorted(serialised) == ["evt_0001", "evt_0002", "evt_0003"]
    stage, pydantic = _published(outputs)
    assert stage == pydantic  # unmarked, every event's JSON is pydantic's, whatever the state stores
    # Seen earlier, event 2 is preferred: its record is replaced by its own JSON, and the state marked.
    state, _ = handle_shipment_message(state, "shp_a", _message(_event(2, received=T0 + timedelta(days=2))))
    assert state[OWN_JSON] == f"{JSON_CODE}:3"


def test_a_state_marked_by_other_code_or_for_other_events_is_checked_again():
    """After an upgrade, or events changed by code that knows no mark (a version before it),
    a mark is trusted no more: checked again, the state is marked by this code if its JSON is
    its models' own, and left unmarked if not."""
    canonical, _ = handle_shipment_message(None, "shp_a", _message(_event(1), _event(2)))
    other, _ = handle_shipment_message(None, "shp_b", _message(_event(1), _other_form(_event(2))))
    for stale in ("another-digest:2", f"{JSON_CODE}:1"):
        for shipment, state, marked in (("shp_a", canonical, True), ("shp_b", other, False)):
            _cold()
            state, outputs = handle_shipment_message({**state, OWN_JSON: stale}, shipment, _message(_event(3)))
            assert state.get(OWN_JSON) == (f"{JSON_CODE}:3" if marked else None)
            stage, pydantic = _published(outputs)
            assert stage == pydantic


@pytest.mark.parametrize("warm", [False, True])
@pytest.mark.parametrize("other_form", [False, True])
def test_marked_or_not_warm_or_cold_the_timeline_is_pydantics(warm, other_form):
    state = None
    for n in range(1, 8):
        if not warm:
            _cold()
        event = _event(n)
        state, outputs = handle_shipment_message(state, "shp_a", _message(_other_form(event) if other_form and n == 3 else event))
        stage, pydantic = _published(outputs)
        assert stage == pydantic
        assert (OWN_JSON in state) is not (other_form and n >= 3)


def test_a_mark_holds_through_merges_splits_and_redeliveries():
    """Over random runs with splits, redeliveries and crashes, and some events sent in another
    form: every marked state's events are each their model's own JSON, and every timeline, from
    a cold or a warm process, is pydantic's bytes."""
    marked = 0
    for seed in range(40):
        rng = random.Random(seed)
        run = PartitionedRun(rng.randint(1, 4), rng, redeliver_rate=0.2, crash_rate=0.1)
        for n in range(rng.randint(1, 12)):
            event = make_event(n, rng.sample(POOL, rng.randint(1, 3)))
            raw = orjson.loads(event.model_dump_json())
            if rng.random() < 0.3:
                raw["occurred_at"] = raw["occurred_at"].replace("Z", "+00:00")
            run.put(EVENTS, routing_identifier(event), {"events": [raw]})
            if rng.random() < 0.15:
                first, second = sorted(rng.sample(POOL, 2))
                run.split(first, second)
        run.run()
        for shipment, state in run.timelines.items():
            if state.get(OWN_JSON):
                marked += 1
                assert all(orjson.dumps(raw) == CanonicalEvent.model_validate(raw).model_dump_json().encode()
                           for raw in state.get("events", {}).values())
            for cold in (True, False):
                if cold:
                    _cold()
                record = timeline_from_state(shipment, state)
                if record is not None:
                    assert timeline_json.record_json(record) == record.model_dump_json().encode()
    assert marked > 50


def test_the_digest_changes_with_the_code_and_is_none_without_its_sources(monkeypatch):
    assert JSON_CODE is not None and len(JSON_CODE) == 16 and timeline_json._code_digest() == JSON_CODE
    monkeypatch.setattr(pydantic_core, "__version__", "0.0.1")
    assert timeline_json._code_digest() not in (None, JSON_CODE)
    monkeypatch.undo()

    def no_source(module):
        raise OSError("no source")

    monkeypatch.setattr(inspect, "getsource", no_source)
    assert timeline_json._code_digest() is None
    monkeypatch.setattr(timeline_json, "JSON_CODE", None)
    state, _ = handle_shipment_message(None, "shp_a", _message(_event(1)))
    assert OWN_JSON not in state and own_json_mark(state["events"]) is None
