"""The RocksDB table store (`HUB_STORE=rocksdb://`): faust's own, writing to disk only what its changelog holds.

faust's RocksDB store writes a table value to disk the moment the agent sets it, and sends
the changelog record after. A worker killed in between keeps, on disk, a state its changelog
never received; restarted on the same data directory it reprocesses the records it had not
committed, finds their effects already in the state (a repeat, so nothing is written again)
and the changelog stays without them for good: a worker that later rebuilds that partition
from the changelog (another worker, an empty data directory) loses those events.

This store writes behind the changelog instead: a value set by an agent is kept in memory
(and read from there) until the broker has acknowledged its changelog record, then written
to RocksDB together with that record's offset, in the order of acknowledgement. What is on
disk is therefore always a prefix of the changelog, and a restart reads the changelog from
the offset on disk: exactly the state the in-memory store would rebuild, read from the tail.

hub/kafka/faust_fixes.py (fix 8) tells the store which changelog record each write is and
when the broker acknowledged it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import rocksdict
from faust.stores import rocksdb
from faust.streams import current_event
from faust.types import TP


def rocksdb_options() -> dict[str, int]:
    """Memory each table partition's database may hold (faust's defaults: 64 MiB write buffers,
    three of them, and a 2 GiB block cache, per partition and table). With these a worker's
    RocksDB memory is bounded by tables × partitions × 8 MiB, whatever the number of shipments;
    reads the cache misses come from the operating system's page cache. A new dict each call:
    faust pops keys from the one it is given."""
    return {"write_buffer_size": 2 * 1024**2, "max_write_buffer_number": 2, "block_cache_size": 4 * 1024**2}


# What a write not yet acknowledged leaves: the value (None: deleted) and how many writes of
# the key are still waiting, per partition.
_Pending = dict[bytes, list[Any]]


class WriteBehindStore(rocksdb.Store):
    """faust's RocksDB store with the write to disk moved after the changelog's acknowledgement."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pending: dict[int, _Pending] = {}
        # The changelog record just sent by the table (faust sends it before the store write).
        self._sending: Any = None
        self._writes: dict[Any, tuple[int, bytes, bytes | None]] = {}

    # -- what fix 8 calls -------------------------------------------------------------

    def changelog_sending(self, future: Any) -> None:
        """The table has just sent the changelog record of the write that follows."""
        self._sending = future
        # faust calls back only when the record was taken; a failed one must not wait forever.
        future.add_done_callback(self.changelog_acknowledged)

    def changelog_acknowledged(self, future: Any) -> None:
        """The broker has answered for a changelog record: write its value to disk if it was taken."""
        write = self._writes.pop(future, None)
        if write is None:
            return
        partition, key, value = write
        taken = not future.cancelled() and future.exception() is None
        if taken:
            db = self._db_for_partition(partition)
            if value is None:
                db.delete(key)
            else:
                db.put(key, value)
        pending = self._pending.get(partition, {})
        entry = pending.get(key)
        if entry is not None:
            entry[1] -= 1
            if entry[1] <= 0:
                del pending[key]

    def waiting(self) -> int:
        """Writes whose changelog record the broker has not yet acknowledged."""
        return len(self._writes)

    # -- writes -----------------------------------------------------------------------

    def _write(self, key: bytes, value: bytes | None) -> None:
        event = current_event()
        assert event is not None, "a table is written only while processing an event"
        partition = event.message.partition
        future, self._sending = self._sending, None
        if future is None:
            # Not a table write (nothing was sent to the changelog): as faust does.
            if value is None:
                super()._del(key)
            else:
                super()._set(key, value)
            return
        self._db_for_partition(partition)  # open, so the partition is iterated
        self._key_index[key] = partition
        self._writes[future] = (partition, key, value)
        entry = self._pending.setdefault(partition, {}).setdefault(key, [None, 0])
        entry[0], entry[1] = value, entry[1] + 1

    def _set(self, key: bytes, value: bytes | None) -> None:
        self._write(key, value)

    def _del(self, key: bytes) -> None:
        self._write(key, None)

    # -- reads: what waits in memory first --------------------------------------------

    def _waiting_entry(self, key: bytes) -> list[Any] | None:
        event = current_event()
        if event is not None and not self.table.is_global and not self.table.use_partitioner:
            return self._pending.get(event.message.partition, {}).get(key)
        for pending in self._pending.values():
            entry = pending.get(key)
            if entry is not None:
                return entry
        return None

    def _get(self, key: bytes) -> bytes | None:
        entry = self._waiting_entry(key)
        if entry is not None:
            return entry[0]
        return super()._get(key)

    def _contains(self, key: bytes) -> bool:
        entry = self._waiting_entry(key)
        if entry is not None:
            return entry[0] is not None
        return super()._contains(key)

    def _active_partitions(self) -> Iterator[tuple[int, Any]]:
        actives = self.app.assignor.assigned_actives()
        topic = self.table.changelog_topic_name  # type: ignore[attr-defined]
        for partition, db in list(self._dbs.items()):
            if TP(topic=topic, partition=partition) in actives or self.table.is_global:
                yield partition, db

    def _iteritems(self) -> Iterator[tuple[bytes, bytes]]:
        for partition, db in self._active_partitions():
            for key, value, _on_disk in self._partition_items(partition, db):
                yield key, value

    def _partition_items(self, partition: int, db: Any, read_opt: Any = None) -> Iterator[tuple[bytes, bytes, bool]]:
        """One partition's (key, value, on disk): on disk, then what waits for its acknowledgement (newer)."""
        pending = dict(self._pending.get(partition, {}))
        on_disk = self._visible_items(db) if read_opt is None else db.items(read_opt=read_opt)
        for key, value in on_disk:
            if key not in pending and key != self.offset_key:
                yield key, value, True
        for key, (value, _count) in pending.items():
            if value is not None:
                yield key, value, False

    def raw_values(self, partitions: set[int], recode: Callable[[bytes], bytes | None]) -> Iterator[tuple[int, bytes]]:
        """(partition, stored bytes) of every key in those of `partitions` this store holds,
        what waits for its acknowledgement included: for reading every value cheaply, without
        the table's decoding. The scan does not fill RocksDB's block cache, kept for the keys
        being processed.

        A value on disk for which `recode` gives other bytes is rewritten with them: they must
        decode to the same value (an older encoding made current), so the disk still holds
        what the changelog holds."""
        read_opt = None
        if self.use_rocksdict:
            read_opt = rocksdict.ReadOptions()
            read_opt.fill_cache(False)  # type: ignore[call-arg]  # rocksdict 0.3.29 stub omits its argument
        for partition, db in list(self._dbs.items()):
            if partition in partitions:
                for key, value, on_disk in self._partition_items(partition, db, read_opt):
                    recoded = recode(value) if on_disk else None
                    if recoded is not None:
                        db.put(key, recoded)
                        value = recoded
                    yield partition, value

    def _iterkeys(self) -> Iterator[bytes]:
        for key, _value in self._iteritems():
            yield key

    def _itervalues(self) -> Iterator[bytes]:
        for _key, value in self._iteritems():
            yield value

    def _size(self) -> int:
        return sum(1 for _ in self._iteritems())

    # -- partitions leaving, state reset ----------------------------------------------

    def revoke_partitions(self, table: Any, tps: set[TP]) -> None:
        # Acknowledgements still on their way write to disk (the changelog holds them); reads
        # of a partition no longer owned must not see what waited for them.
        for tp in tps:
            if tp.topic in table.changelog_topic.topics:
                self._pending.pop(tp.partition, None)
        super().revoke_partitions(table, tps)

    def reset_state(self) -> None:
        self._pending.clear()
        self._writes.clear()
        super().reset_state()
