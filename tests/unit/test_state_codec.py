"""hub/kafka/state_codec.py: table values decode to exactly what was encoded, in far fewer bytes."""

from __future__ import annotations

import json
import zlib

import orjson
import pytest

from hub.kafka.state_codec import _DICTIONARY_1, _decoded_value, as_current, decode, encode, summary_of
from tests.support.simulated_states import folded_run

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def states() -> list[dict]:
    """Timeline states of simulated shipments, as the timeline stage keeps them."""
    run = folded_run(60, seed=3)
    assert len(run.timelines) > 50
    return list(run.timelines.values())


def test_a_state_decodes_to_exactly_what_was_encoded(states):
    for state in states:
        assert decode(encode(state)) == state
    odd = {"events": {}, "settled": {"entries": {"e": {"amount_minor": -12, "rate": "0.015"}}}, "city": "Москва", "x": None}
    assert decode(encode(odd)) == odd


def test_plain_json_written_before_the_codec_is_still_read(states):
    assert decode(json.dumps(states[0]).encode()) == states[0]


def test_a_state_takes_under_a_fifth_of_its_json(states):
    as_json = sum(len(json.dumps(s, separators=(",", ":")).encode()) for s in states)
    encoded = sum(len(encode(s)) for s in states)
    assert encoded < as_json / 5, (encoded, as_json)


def test_a_state_read_back_after_its_write_is_the_value_written(states):
    """The codec's caches give back what was encoded, never another key's value."""
    first, second = states[0], states[1]
    assert decode(encode(first)) is first  # just written: not decoded again
    assert decode(encode(second)) is second
    changed = {**first, "generation": 7}
    assert decode(encode(changed)) == changed and decode(encode(first)) == first
    assert decode(encode(changed)) is not decode(encode(first))


def _with_summaries(states: list[dict]) -> list[dict]:
    """The states as the worker keeps them: a live shipment has its summary (hub/stages/money.py)."""
    return [state if state.get("redirect") else {**state, "summary": {"status": "in_transit", "last_event_at": float(n),
                                                                       "corridor": "CN-RU-Москва", "legs": {"line_haul": 3600.0}}}
            for n, state in enumerate(states)]


def test_a_live_state_keeps_its_summary_in_front_and_decodes_to_exactly_what_was_encoded(states):
    live = _with_summaries(states)
    assert any(s.get("redirect") for s in live) and any(not s.get("redirect") for s in live)
    for state in live:
        encoded = encode(state)
        assert encoded[:1] == b"\x03" and (int.from_bytes(encoded[1:5], "big") == 0) == bool(state.get("redirect"))
        decoded = _decoded_value(encoded)  # not the cache's copy
        assert decoded == state
        # Key for key, in the same order: what compares stored JSON sees the same text.
        assert orjson.dumps(decoded) == orjson.dumps(state)
    # The summary in front, uncompressed, costs a little: still under a fifth of the JSON.
    assert sum(len(encode(s)) for s in live) < sum(len(orjson.dumps(s)) for s in live) / 5


def test_the_summary_is_read_without_the_rest(states):
    state = _with_summaries(states[:1])[0]
    encoded = encode(state)
    assert summary_of(encoded) == state["summary"]
    # The rest is not inflated: a value whose deflated part is cut off still gives its summary.
    length = int.from_bytes(encoded[1:5], "big")
    assert summary_of(encoded[:5 + length] + b"not zstd") == state["summary"]


def test_a_summary_is_counted_only_for_a_live_shipment(states):
    redirect = {"redirect": "shp_b", "events": {}, "summary": {"status": "delivered"}}
    without = {"events": {}, "generation": 2}
    assert summary_of(encode(redirect)) is None and decode(encode(redirect)) == redirect
    assert summary_of(encode(without)) is None and decode(encode(without)) == without
    assert summary_of(encode({"events": {}, "summary": None})) is None


def _version_1(state: dict) -> bytes:
    deflate = zlib.compressobj(1, zdict=_DICTIONARY_1)
    return b"\x01" + deflate.compress(orjson.dumps(state)) + deflate.flush()


def _version_2(state: dict) -> bytes:
    """Version 3's layout, the rest deflated."""
    summary = orjson.dumps(state["summary"]) if state.get("summary") and not state.get("redirect") else b""
    rest = {**state, "summary": None} if summary else state
    deflate = zlib.compressobj(1, zdict=_DICTIONARY_1)
    return b"\x02" + len(summary).to_bytes(4, "big") + summary + deflate.compress(orjson.dumps(rest)) + deflate.flush()


def test_values_written_before_version_3_are_still_read(states):
    """Version 1 (every state, summary inside), version 2 (deflated) and plain JSON, as changelogs keep them."""
    state = _with_summaries(states[:1])[0]
    assert decode(_version_1(state)) == state
    assert orjson.dumps(_decoded_value(_version_2(state))) == orjson.dumps(state)
    assert summary_of(_version_2(state)) == state["summary"]
    assert summary_of(_version_1(state)) == state["summary"]
    assert summary_of(_version_1({**state, "redirect": "shp_b"})) is None
    assert summary_of(json.dumps(state).encode()) == state["summary"]
    assert summary_of(json.dumps({**state, "redirect": "shp_b"}).encode()) is None


def test_an_older_value_is_made_current_and_a_current_one_left(states):
    for state in _with_summaries(states[:3]) + [{"redirect": "shp_b", "summary": {"status": "delivered"}}]:
        for older in (_version_1(state), _version_2(state), json.dumps(state).encode()):
            current = as_current(older)
            assert current is not None and current[:1] == b"\x03"
            assert orjson.dumps(_decoded_value(current)) == orjson.dumps(state)
            assert summary_of(current) == summary_of(older)
            assert as_current(current) is None


def test_reading_summaries_leaves_the_decode_cache_alone(states):
    live = _with_summaries(states)
    kept = encode(live[0])
    assert decode(kept) is live[0]
    for n in range(400):  # more than the cache holds: each version 1 value is inflated
        older = _version_1({**live[1], "generation": n})
        summary_of(older)
        as_current(older)
    assert decode(kept) is live[0]
