"""timeline: hub.shipment-events (keyed by shipment id) → hub.timelines; what a timeline owes → hub.turnover.

Records come a batch at a time (hub/agents/batches.py) and are handled per shipment: a
shipment's records of one batch, in their order, read its state once, write it once, and
publish its timeline once (the latest: hub.timelines is compacted, only the last counts), as
Kafka Streams' record cache does for a table. Money is still settled after every record:
what is sent to hub.turnover must not depend on where a batch happened to end, or a replay
after a crash (other batches) could miss a reversal of what the first run sent.

The work itself is pure (hub/stages/shipment_step.py): a shipment's state and records in, the
state to write and the records to publish out. With tables on disk it runs in a helper process
(hub/agents/fold_pool.py), handed the state's stored bytes; the event loop only reads and writes
the table and publishes. With tables in memory (they hold states, not bytes) it runs here.
"""

from __future__ import annotations

import time

import faust

from hub import metrics, topics
from hub.agents.batches import Batch, KeyState, by_key, each_batch
from hub.agents.context import Wiring
from hub.agents.fold_pool import FoldPool
from hub.agents.stage_time import count_stage, timed
from hub.kafka.table_store import WriteBehindStore
from hub.logs import log
from hub.stages.shipment_step import FoldedPart, ShipmentWork, Step, keep_shipments, shipment_step


def register(hub: Wiring) -> None:
    source_topic = topics.SHIPMENT_EVENTS.name(hub.settings)
    pool = FoldPool(hub.settings.timeline_processes, source_topic, hub.settings.timeline_cache)
    @hub.app.agent(hub.topics.shipment_events, name="timeline", concurrency=1)
    async def timeline_agent(stream: faust.StreamT) -> None:
        await pool.start_early()
        if not pool.processes or not isinstance(hub.tables.timelines.data, WriteBehindStore):
            # Folded here (as each batch below decides): the caches are this process's. With
            # helpers, the worker's stay as they are (the state codec's serves every table
            # here); a helper lost leaves the batch's rest to the modules' own sizes.
            keep_shipments(hub.settings.timeline_cache)
        try:
            async for batch in each_batch(stream, hub.app, linger=hub.settings.batch_linger):
                # Settle nothing before every contract on hub.contracts has been read.
                await hub.contracts.ready.wait()
                store = hub.tables.timelines.data
                if isinstance(store, WriteBehindStore):
                    await _fold_stored(hub, pool, batch, store)
                else:
                    await _fold_here(hub, batch, source_topic)
        finally:
            pool.close()


async def _fold_stored(hub: Wiring, pool: FoldPool, batch: Batch, store: WriteBehindStore) -> None:
    """Each shipment of the batch folded from its stored bytes, by the pool, a part at a time."""
    started = time.perf_counter()
    work: list[ShipmentWork] = []
    # Each shipment's key and last record taken: its write goes to that record's changelog partition.
    last: dict[str, tuple[bytes, faust.EventT]] = {}
    for key, events in by_key(batch.events).items():
        taken = [event for event in events if batch.take(event)]
        if taken:
            # Read while one of the shipment's records is faust's current event: the store reads its partition.
            work.append(ShipmentWork(key.decode(), store._get(key), [event.value for event in taken]))
            last[work[-1].shipment_id] = (key, taken[-1])
    count_stage("timeline", time.perf_counter() - started, 0)
    done = 0
    async for shipments, part in pool.fold_in_parts(work, hub.contracts.current):
        _count_helper_work(part)
        for shipment, step in zip(shipments, part.steps, strict=True):
            key, event = last[shipment.shipment_id]
            batch.make_current(event)
            await timed("timeline", _apply_stored(hub, key, step), records=step.records)
            done += 1
    assert done == len(work), "every shipment of the batch folded"


async def _apply_stored(hub: Wiring, key: bytes, step: Step) -> None:
    await _publish(hub, step)
    if step.state is not None:
        hub.tables.timelines[key] = step.state  # bytes: stored and sent to the changelog as they are


async def _fold_here(hub: Wiring, batch: Batch, source_topic: str) -> None:
    """Each shipment of the batch folded on the event loop, from the state the table holds."""
    for key, events in by_key(batch.events).items():
        shipment = KeyState(hub.tables.timelines, key)
        taken = list(shipment.taken(batch, events))
        if not taken:
            continue
        started = time.thread_time()
        step = shipment_step(shipment.state, key.decode(), [event.value for event in taken], hub.contracts.current, source_topic)
        _count_helper_work(FoldedPart([step], time.thread_time() - started))
        await timed("timeline", _publish(hub, step), records=len(taken))
        shipment.state = step.state
        shipment.write()  # the current event is the shipment's last record taken: its changelog partition


def _count_helper_work(part: FoldedPart) -> None:
    """The part's CPU seconds: settling as `settle`, the rest as `fold`."""
    settle = sum(step.settle_seconds for step in part.steps)
    count_stage("fold", max(0.0, part.cpu_seconds - settle), sum(step.records for step in part.steps))
    count_stage("settle", settle, sum(step.settled for step in part.steps))


async def _publish(hub: Wiring, step: Step) -> None:
    """What a shipment's step sends, in its order, and what the worker counts and logs of it."""
    for out in step.outputs:
        await hub.publish(getattr(hub.topics, out.topic), out.key, out.value, out.headers)
    if step.retirements:
        metrics.RETIREMENTS.inc(step.retirements)
    for partner in step.duplicates:
        metrics.DUPLICATES.labels(partner).inc()
    hub.stream_clock.advance(step.clock)
    for missing in step.withheld:
        metrics.SETTLEMENTS_WITHHELD.labels(missing.contract_id, missing.reason).inc()
        log.warning("settlement_withheld", contract=missing.contract_id, event_id=missing.event_id, reason=missing.reason)
    if step.published is not None:
        shipment_id, kind, status = step.published
        log.debug("timeline_published", shipment_id=shipment_id, kind=kind, status=status)
