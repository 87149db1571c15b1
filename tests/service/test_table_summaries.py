"""The shipment figures of /metrics and the problem queue read every owned shipment's summary
from the stored bytes (hub/kafka/table_summaries.py): the same figures as decoding every state,
on RocksDB (what waits for its changelog acknowledgement included) and in memory."""

from __future__ import annotations

import weakref
from types import SimpleNamespace

import orjson
import pytest
from faust.streams import _current_event
from faust.types import TP
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from hub.app import create_app
from hub.config import Settings
from hub.kafka import state_codec, table_summaries
from hub.kafka.partitioning import partition_of
from hub.kafka.table_store import WriteBehindStore
from hub.metrics import TimelineCollector, wall_clock
from hub.web.problem_queue import owned_moving
from tests.service.test_table_store import _Event, changelog  # noqa: F401 - changelog: the scripted broker's answers
from tests.unit.test_state_codec import _version_1

pytestmark = pytest.mark.service

OWNED = {0, 1, 2}  # of six partitions; the others are another worker's (or kept here as standbys)


def summary(n: int) -> dict:
    """Shipment n's summary; its last event time names it."""
    return {"status": ("in_transit", "delivered", "available_for_pickup")[n % 3], "last_event_at": BASE + n,
            "corridor": "CN-RU-Москва", "legs": {}, "moving": {"shipment_id": f"shp_{n}"} if n % 3 != 1 else None}


BASE = 1_700_000_000.0


@pytest.fixture(params=["rocksdb://", "memory://"])
def worker(request, tmp_path, changelog):  # noqa: F811
    settings = Settings(app_id=f"summaries-{request.param[:3]}", kafka_bootstrap="127.0.0.1:1", data_dir=str(tmp_path),
                        store=request.param)
    app = create_app(settings)
    timelines = app.tables["timelines"]
    timelines._verified_source_topics_for_partitions.add("hub.shipment-events")
    # Actives as faust's assignor lists them: the source topic's partitions and the changelog's.
    owned = {TP(topic, p) for topic in ("hub.shipment-events", timelines.changelog_topic.get_topic_name()) for p in OWNED}
    app.assignor.assigned_actives = lambda: owned
    yield SimpleNamespace(app=app, settings=settings, timelines=timelines, changelog=changelog)
    if isinstance(timelines.data, WriteBehindStore):
        for db in timelines.data._dbs.values():
            db.close()


def write(timelines, key: bytes, state: dict | None) -> None:
    """As the timeline agent does, while processing a record of the key's partition."""
    event = _Event(partition_of(key, 6))
    _current_event.set(weakref.ref(event))  # faust holds it weakly: kept here until written
    if state is None:
        del timelines[key]
    else:
        timelines[key] = state
    del event


async def test_the_summaries_read_raw_are_those_of_the_decoded_states(worker, monkeypatch):
    keys = [f"shp_{n}".encode() for n in range(40)]
    for n, key in enumerate(keys):
        write(worker.timelines, key, {"events": {f"evt_{n}": {"status": "x"}}, "summary": summary(n)})
    worker.changelog.acknowledge(30)  # on disk; the last ten still wait for the broker (RocksDB)
    write(worker.timelines, keys[3], {"events": {}, "redirect": "shp_4", "summary": summary(3)})  # merged: not counted
    write(worker.timelines, keys[13], {"events": {}})  # emptied by a split: no summary
    write(worker.timelines, keys[37], None)  # deleted, not yet acknowledged
    write(worker.timelines, keys[6], {"events": {}, "summary": summary(6) | {"status": "delivered"}})  # newer than on disk
    assert {partition_of(keys[n], 6) for n in (3, 13, 37, 6, 32, 39)} <= OWNED
    older = {}
    if isinstance(worker.timelines.data, WriteBehindStore):
        # Values written before codec version 2, on disk (a shipment not written since the upgrade).
        for n in (41, 45, 46, 47):  # all in owned partitions
            key = f"shp_{n}".encode()
            state = {"events": {}, "summary": summary(n)} if n != 47 else {"events": {}, "redirect": "shp_1", "summary": summary(n)}
            older[key] = state
            worker.timelines.data._db_for_partition(partition_of(key, 6)).put(key, orjson.dumps(state) if n == 46 else _version_1(state))
        keys += list(older)

    # What decoding every state gives (the table's own reading), the way it was done before.
    decoded = sorted((partition_of(key, 6), state["summary"]["last_event_at"]) for key, state in worker.timelines.items()
                     if "summary" in state and not state.get("redirect") and partition_of(key, 6) in OWNED)
    if isinstance(worker.timelines.data, WriteBehindStore):
        assert worker.timelines.data.waiting() > 0
        # Read raw: no state is decoded.
        monkeypatch.setattr(state_codec, "decode", lambda data: pytest.fail("a state was decoded"))
        monkeypatch.setattr(table_summaries, "REWRITES_PER_SCRAPE", 3)
    found = list(table_summaries.owned_summaries(worker.app, worker.settings, worker.timelines))
    assert sorted((p, s["last_event_at"]) for p, s in found) == decoded
    named = {int(s["last_event_at"] - BASE): s for _p, s in found}
    elsewhere = sum(1 for key in keys if partition_of(key, 6) not in OWNED)
    assert len(named) == len(found) == len(keys) - elsewhere - 3 - (1 if older else 0)

    def on_disk(key: bytes) -> bytes:
        return worker.timelines.data._db_for_partition(partition_of(key, 6))[key]

    # Made current (version 3) on disk as they were read, three per scrape: the next scrapes inflate none.
    assert sum(1 for key in older if on_disk(key)[:1] == b"\x03") == min(3, len(older))
    list(table_summaries.owned_summaries(worker.app, worker.settings, worker.timelines))
    for key, state in older.items():
        assert on_disk(key)[:1] == b"\x03" and state_codec._decoded_value(on_disk(key)) == state
    assert named[6]["status"] == "delivered" and 32 in named and 39 in named

    # The figures: shipments per owned partition and status, and the problem queue's parcels.
    registry = CollectorRegistry()
    registry.register(TimelineCollector(lambda: table_summaries.owned_summaries(worker.app, worker.settings, worker.timelines),
                                        wall_clock, 72, lambda corridor: 10.0))
    shipments = {(s.labels["partition"], s.labels["status"]): s.value
                 for family in text_string_to_metric_families(generate_latest(registry).decode())
                 for s in family.samples if s.name == "hub_shipments"}
    assert sum(shipments.values()) == len(found) and {int(p) for p, _status in shipments} == OWNED
    moving = owned_moving(worker.app, worker.settings, worker.timelines)
    assert sorted(m["shipment_id"] for m in moving["parcels"]) == sorted(s["moving"]["shipment_id"] for s in named.values() if s["moving"])
    assert moving["latest_event_at"] == max(s["last_event_at"] for _p, s in found) >= BASE + 39
