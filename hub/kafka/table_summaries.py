"""Every owned shipment's summary, for `/metrics` and the problem queue, read cheaply.

A scrape reads the summary of every shipment this worker owns. Decoding each state through
the table would inflate all its events (about 10 KB of JSON per shipment, seconds per scrape
at 50,000 shipments) and evict the codec's cache of the states being processed. On RocksDB the
stored bytes are read instead, partition by partition, and only their summaries parsed
(hub/kafka/state_codec.py, `summary_of`); nothing is kept between scrapes, so memory does not
grow with the shipments. The in-memory store (tests, `HUB_STORE=memory://`) holds the
decoded states themselves: read as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from hub import topics
from hub.config import Settings
from hub.kafka import state_codec
from hub.kafka.partitioning import partition_of
from hub.kafka.table_store import WriteBehindStore

# Values written before the summary was stored in front (codec version 1) are rewritten as
# scrapes meet them, at most this many per scrape: about 0.3 s of the event loop. Rewriting
# 50,000 at once blocked one scrape for half a minute, as long as the session timeout; this
# way a scrape after an upgrade never costs more than one did before, and a worker's 50,000
# are all rewritten within 25 scrapes (the ones left are read inflated meanwhile).
REWRITES_PER_SCRAPE = 2000


def owned_timeline_partitions(app: Any, settings: Settings) -> set[int]:
    """The timeline partitions this worker owns now (not those it keeps as a standby)."""
    source = topics.SHIPMENT_EVENTS.name(settings)
    return {tp.partition for tp in app.assignor.assigned_actives() if tp.topic == source}


def owned_summaries(app: Any, settings: Settings, timelines: Any) -> Iterator[tuple[int, dict]]:
    """(partition, summary) of every live shipment in the timeline partitions this worker
    owns now (not those it keeps as a standby); redirects are not counted."""
    owned = owned_timeline_partitions(app, settings)
    store = timelines.data
    if isinstance(store, WriteBehindStore):
        # One database per partition, written while processing that partition's records
        # (keyed by shipment id, as hub.shipment-events): no key needs hashing.
        for partition, raw in store.raw_values(owned, recode=_rewrites(REWRITES_PER_SCRAPE)):
            summary = state_codec.summary_of(raw)
            if summary is not None:
                yield partition, summary
        return
    for key, state in list(timelines.items()):
        summary = state_codec.live_summary(state)
        if summary is not None:
            partition = partition_of(key, settings.partitions)
            if partition in owned:
                yield partition, summary


def _rewrites(limit: int) -> Callable[[bytes], bytes | None]:
    """`state_codec.as_current`, for the first `limit` older values met."""
    left = limit

    def recode(raw: bytes) -> bytes | None:
        nonlocal left
        if left <= 0:
            return None
        recoded = state_codec.as_current(raw)
        if recoded is not None:
            left -= 1
        return recoded

    return recode
