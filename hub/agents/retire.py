"""The retirement sweep: asks the finished, quiet shipments of this worker's timeline partitions to retire.

faust writes a table's changelog to the partition of the message being processed, so a
shipment's state is written only while processing a message keyed by it: the sweep writes
nothing. For each candidate it sends `{"kind": "retire", "as_of": t, "after": s}` on the
shipment's key of hub.shipment-events, and the timeline stage decides again, on the state
itself and on what the message carries (hub/stages/retire.py), whenever it reads it.

Cheap and bounded: every tick reads one slice of the owned shipments (a key's slice is a hash
of the key), so a state is decoded once every `SLICES` ticks (an hour at the default 60 s),
and keys of other slices are passed over without decoding their values. The table scan is one
function, `states_in_slice`, so that a cheaper reading (a state's summary alone) can take its place.

Event time "now" is the latest event time this worker has normalised (the stream clock), never
ahead of the wall clock: one partner's clock set years ahead cannot retire everything. A
worker that has read nothing since it started asks nothing. The message carries the time and
the threshold, so a replay of hub.shipment-events decides exactly as the first reading did.
"""

from __future__ import annotations

import asyncio
import json
import zlib
from collections.abc import Iterator
from typing import Any

import faust
from faust.stores.base import SerializedStore

from hub import metrics
from hub.agents.context import Wiring
from hub.kafka.partitioning import partition_of
from hub.kafka.table_summaries import owned_timeline_partitions
from hub.stages.retire import retirable, retire_message

# A full pass over a worker's shipments takes this many ticks.
SLICES = 60
# The scan gives the event loop back every this many keys.
YIELD_EVERY = 1_000


def register(hub: Wiring) -> None:
    sweep = RetireSweep(hub)

    @hub.app.timer(interval=hub.settings.retire_sweep_seconds)
    async def sweep_for_retirement() -> None:
        # Every worker, not only the leader: each sweeps the partitions it owns.
        await sweep.tick()


class RetireSweep:
    def __init__(self, hub: Wiring) -> None:
        self.hub = hub
        self.next_slice = 0

    async def tick(self) -> int:
        """Sweep the next slice; how many retire messages it sent."""
        hub = self.hub
        slice_no, self.next_slice = self.next_slice, (self.next_slice + 1) % SLICES
        if not hub.app.flow_control.is_active():
            return 0  # a rebalance under way: the next tick sweeps what this worker then owns
        owned = owned_timeline_partitions(hub.app, hub.settings)
        as_of = min(hub.stream_clock.now(), metrics.wall_clock()).timestamp()
        after = hub.settings.retire_after_days * 86400
        sent = 0
        for seen, (key, state) in enumerate(states_in_slice(hub.tables.timelines, slice_no, SLICES), start=1):
            if seen % YIELD_EVERY == 0:
                await asyncio.sleep(0)
            if partition_of(key, hub.settings.partitions) in owned and retirable(state, as_of, after):
                await hub.topics.shipment_events.send(key=key, value=json.dumps(retire_message(as_of, after)).encode())
                metrics.RETIRE_REQUESTS.inc()
                sent += 1
        return sent


def states_in_slice(table: faust.Table, slice_no: int, slices: int) -> Iterator[tuple[bytes, Any]]:
    """(key, state) of the table's shipments in slice `slice_no` of `slices`: the sweep's one
    table scan. On RocksDB the values are read as bytes and only the slice's are decoded; in
    memory they are the states themselves (a copy of the keys is taken: the agent may write
    while the sweep yields)."""
    store = table.data
    if isinstance(store, SerializedStore):
        for key, raw in store._iteritems():
            if zlib.crc32(key) % slices == slice_no:
                yield key, store._decode_value(raw)
        return
    for key, state in list(store.data.items()):
        if zlib.crc32(key) % slices == slice_no:
            yield key, state
