"""The RocksDB table store writes to disk only what its changelog holds (hub/kafka/table_store.py,
faust fix 8), through faust's own table and store objects; the broker's answers are scripted."""

from __future__ import annotations

import asyncio
import uuid
import weakref
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import faust
import pytest
from faust.streams import _current_event
from faust.topics import Topic
from faust.types import TP

from hub.kafka import faust_fixes
from hub.kafka.table_store import WriteBehindStore

pytestmark = pytest.mark.service


class _Event:
    """What faust's current_event() gives a store: the record being processed."""

    TOPIC = "hub.shipment-events"

    def __init__(self, partition: int) -> None:
        self.message = SimpleNamespace(partition=partition, topic=self.TOPIC)


class _Changelog:
    """Changelog records sent and not yet answered; `acknowledge` answers them as the broker would."""

    def __init__(self) -> None:
        self.sent: list[tuple[asyncio.Future, object]] = []
        self.offset = 0

    def send_soon(self, topic: Topic, *, key=None, value=None, partition=None, callback=None, **kwargs):
        future = asyncio.get_running_loop().create_future()
        future.message = SimpleNamespace(partition=partition, callback=callback, topic=topic.get_topic_name())
        self.sent.append((future, callback))
        return future

    def acknowledge(self, count: int | None = None) -> None:
        answered, self.sent = self.sent[:count], self.sent[count:] if count is not None else []
        for future, callback in answered:
            tp = TP(future.message.topic, future.message.partition)
            future.set_result(SimpleNamespace(topic_partition=tp, offset=self.offset))
            self.offset += 1
            callback(future)  # faust's _on_published calls the callback right after the result


@pytest.fixture
def changelog(monkeypatch) -> _Changelog:
    scripted = _Changelog()
    monkeypatch.setattr(Topic, "send_soon", lambda self, **kw: scripted.send_soon(self, **kw))
    return scripted


@pytest.fixture
def open_table(tmp_path: Path) -> Iterator:
    """A worker's `timelines` table on RocksDB under tmp_path; opening it again is a restart."""
    faust_fixes.apply()
    stores: list[WriteBehindStore] = []

    def open_() -> faust.Table:
        for store in stores:  # the previous worker is gone: its databases are closed
            for db in store._dbs.values():
                db.close()
            store._dbs.clear()
        app = faust.App(f"store-{uuid.uuid4().hex[:6]}", broker="kafka://127.0.0.1:1", store="rocksdb://",
                        datadir=str(tmp_path), key_serializer="raw", value_serializer="raw")
        app.conf.id = "store-test"  # the same table files on every open
        table = app.Table("timelines", key_type=bytes, partitions=3)
        assert isinstance(table.data, WriteBehindStore)
        # No broker: the partition counts a first write checks are taken as verified.
        table._verified_source_topics_for_partitions.add(_Event.TOPIC)
        stores.append(table.data)
        return table

    yield open_
    for store in stores:
        for db in store._dbs.values():
            db.close()


def _processing(partition: int) -> _Event:
    """The record being processed (faust holds it weakly: the caller keeps it)."""
    event = _Event(partition)
    _current_event.set(weakref.ref(event))
    return event


async def test_a_value_reaches_disk_only_once_its_changelog_record_is_acknowledged(changelog, open_table):
    table = open_table()
    event = _processing(1)
    table[b"s1"] = {"events": ["a"]}
    table[b"s1"] = {"events": ["a", "b"]}
    assert table[b"s1"] == {"events": ["a", "b"]}  # read back before any answer
    changelog.acknowledge(1)
    assert table[b"s1"] == {"events": ["a", "b"]}  # the newest write still wins over the disk
    changelog_tp = TP(table.changelog_topic.get_topic_name(), 1)
    assert table.data.persisted_offset(changelog_tp) == 0

    # Killed here: the second write's record was never acknowledged.
    restarted = open_table()
    event = _processing(1)
    assert restarted.get(b"s1") == {"events": ["a"]}
    assert restarted.data.persisted_offset(changelog_tp) == 0
    del event


async def test_what_the_broker_acknowledged_is_on_disk_with_its_offset(changelog, open_table):
    table = open_table()
    event = _processing(2)
    table[b"s1"] = {"events": ["a"]}
    table[b"s2"] = {"events": ["x"]}
    del table[b"s1"]
    assert b"s1" not in table and table[b"s2"] == {"events": ["x"]}
    changelog.acknowledge()
    restarted = open_table()
    event = _processing(2)
    assert restarted.get(b"s1") is None
    assert restarted.get(b"s2") == {"events": ["x"]}
    assert restarted.data.persisted_offset(TP(table.changelog_topic.get_topic_name(), 2)) == 2
    del event


async def test_a_failed_changelog_record_is_not_kept_waiting(changelog, open_table):
    table = open_table()
    event = _processing(0)
    table[b"s1"] = {"events": ["a"]}
    future, _callback = changelog.sent.pop()
    future.set_exception(RuntimeError("broker refused"))  # faust calls no callback then
    await asyncio.sleep(0)  # the future's own done-callbacks run
    assert table.data.waiting() == 0
    assert table.get(b"s1") is None  # never on the changelog: not in the state either
    del event


def test_two_app_ids_on_one_data_directory_keep_their_tables_apart(tmp_path):
    """Persisted offsets belong to one app's changelogs: another app id (a new prefix) starts empty."""
    from hub.app import create_app
    from hub.config import Settings

    paths = {
        create_app(Settings(app_id=app_id, kafka_bootstrap="127.0.0.1:1", data_dir=str(tmp_path))).tables["timelines"].data.partition_path(0)
        for app_id in ("demo1", "demo2")
    }
    assert len(paths) == 2 and all(str(p).startswith(str(tmp_path)) for p in paths)
