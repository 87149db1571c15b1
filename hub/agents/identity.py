"""identity: hub.identity (keyed by identifier) → labels, merges and splits; events on to hub.shipment-events.

Records come a batch at a time (hub/agents/batches.py) and are handled per identifier: an
identifier's records of one batch, in their order, read its state once and write it once
(observations and the labels they spread reach one identifier several times in a burst).
What each record sends is sent after it, as before; a crash mid-batch leaves the whole batch
to be read again, and the handler re-sends what a record at a position it already applied
sent (hub/stages/identity.py), so grouping changes no outcome.
"""

from __future__ import annotations

import faust
import orjson

from hub.agents.batches import Batch, by_key, each_batch
from hub.agents.context import Wiring
from hub.agents.stage_time import timed
from hub.stages.identity import handle_identity

# An identifier's state not read yet in this batch (None is a state: a new identifier).
_UNREAD = object()


def register(hub: Wiring) -> None:
    @hub.app.agent(hub.topics.identity, name="identity", concurrency=1)
    async def identity_agent(stream: faust.StreamT) -> None:
        async for batch in each_batch(stream, hub.app):
            for key, events in by_key(batch.events).items():
                await timed("identity", _on_identifier(hub, batch, key, events), records=len(events))


async def _on_identifier(hub: Wiring, batch: Batch, key: bytes, events: list[faust.EventT]) -> None:
    identities = hub.tables.identities
    before: object = _UNREAD
    state = None
    for event in events:
        if not batch.take(event):
            continue  # of an older generation, or met during a rebalance: read again by its owner
        if before is _UNREAD:
            # Once a record of it is faust's current event: the store reads that record's partition.
            before = state = identities.get(key)
        position = f"{event.message.partition}:{event.message.offset}"
        state, sends = handle_identity(state, key.decode(), orjson.loads(event.value), position)
        await hub.send(sends)
    if before is not _UNREAD and state != before:
        # faust's current event is this identifier's last record taken: its changelog partition.
        identities[key] = state
