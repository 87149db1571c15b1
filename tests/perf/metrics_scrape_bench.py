#!/usr/bin/env python
"""What one /metrics scrape of the shipment figures costs on a RocksDB timelines table.

Not part of the test suite. Fills a worker's `timelines` table (hub.app.create_app, HUB_STORE
rocksdb://, every partition owned) with N shipment states shaped like the worker's: simulated
journeys folded by the timeline stage (PartitionedRun), each with the summary
hub/stages/money.py keeps, copied under N keys with their event ids made distinct. Then times
the shipment collector (hub/metrics.py, TimelineCollector, rendered as Prometheus text):

- before: every state decoded through the table (`timelines.items()`), on codec version 1
  values: the code before hub/kafka/table_summaries.py;
- after: hub/kafka/table_summaries.py on the same version 1 values: its first scrape inflates
  each and rewrites some in the current encoding (a worker just upgraded on its data directory); then,
  once all are rewritten, the scrapes after it, which read only the summaries.

Usage: PYTHONPATH=. .venv/bin/python tests/perf/metrics_scrape_bench.py [--shipments 5000 50000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterable

import orjson
from faust.types import TP
from prometheus_client import CollectorRegistry, generate_latest

from hub.app import create_app
from hub.config import Settings
from hub.kafka import state_codec, table_summaries
from hub.kafka.partitioning import partition_of
from hub.metrics import TimelineCollector, wall_clock
from hub.stages.timeline_build import summarise
from schemas.timeline import Timeline
from tests.support.simulated_states import folded_run


def shipment_states(shipments: int) -> list[dict]:
    """Live timeline states of simulated journeys, each with its summary."""
    run = folded_run(shipments, seed=7)
    states = []
    for key, state in run.timelines.items():
        record = run.published.get(key)
        if isinstance(record, Timeline) and record.events and not state.get("redirect"):
            states.append({**state, "summary": summarise(record)})
    return states


def encode_v1(state: dict) -> bytes:
    """A value as written before codec version 2 (every state deflated whole)."""
    deflate = zlib.compressobj(1, zdict=state_codec._DICTIONARY_1)
    return b"\x01" + deflate.compress(orjson.dumps(state)) + deflate.flush()


def fill(timelines, bases: list[dict], count: int, encode: Callable[[dict], bytes]) -> tuple[int, int]:
    """`count` distinct shipments written straight to their partitions' databases (as acknowledged
    writes are), then compacted; (bytes stored, bytes of JSON)."""
    store, stored, as_json = timelines.data, 0, 0
    for n in range(count):
        text = orjson.dumps(bases[n % len(bases)]).replace(b'"evt_', f'"evt_{n:06d}'.encode())
        key = f"shp_{n:08d}".encode()
        value = encode(orjson.loads(text))
        store._db_for_partition(partition_of(key, 6)).put(key, value)
        stored, as_json = stored + len(value), as_json + len(text)
    for db in store._dbs.values():
        # Settled as a running worker's are: no compaction of the fill left to run during a scrape.
        db.flush()
        db.compact_range(None, None)
    return stored, as_json


def before(app, settings: Settings, timelines) -> Iterable[tuple[int, dict]]:
    """hub/app.py's owned_summaries before table_summaries, as it was."""
    source = "hub.shipment-events"
    owned = {tp.partition for tp in app.assignor.assigned_actives() if tp.topic == source}
    for key, state in list(timelines.items()):
        if state and "summary" in state and not state.get("redirect"):
            partition = partition_of(key, settings.partitions)
            if partition in owned:
                yield partition, state["summary"]


def scrape(summaries: Callable[[], Iterable[tuple[int, dict]]]) -> bytes:
    registry = CollectorRegistry()
    registry.register(TimelineCollector(summaries, wall_clock, 72, lambda corridor: 10.0))
    return generate_latest(registry)


def measure(label: str, summaries: Callable[[], Iterable[tuple[int, dict]]], repeat: int, memory: bool = True) -> bytes:
    walls, cpus, text = [], [], b""
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        text = scrape(summaries)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    peak = ""
    if memory:
        tracemalloc.start()
        scrape(summaries)
        peak = f", peak Python memory {tracemalloc.get_traced_memory()[1] / 2**20:8.1f} MiB"
        tracemalloc.stop()
    print(f"  {label:<28} {statistics.median(walls) * 1000:9.1f} ms wall (median of {repeat}), "
          f"{statistics.median(cpus) * 1000:9.1f} ms CPU{peak}")
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shipments", type=int, nargs="+", default=[5000, 50000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--journeys", type=int, default=200, help="simulated journeys the states are copied from")
    args = parser.parse_args()
    bases = shipment_states(args.journeys)
    print(f"{len(bases)} simulated shipment states, {statistics.mean(len(s['events']) for s in bases):.1f} events each on average")
    with tempfile.TemporaryDirectory(prefix="scrape-bench-") as scratch:
        for count in args.shipments:
            print(f"{count} shipments on one worker (6 partitions, all owned):")
            texts = []
            for name, reader in (("before", before), ("after", table_summaries.owned_summaries)):
                settings = Settings(app_id=f"bench-{count}-{name}", kafka_bootstrap="127.0.0.1:1", data_dir=scratch)
                app = create_app(settings)
                timelines = app.tables["timelines"]
                actives = {TP(t, p) for t in ("hub.shipment-events", timelines.changelog_topic.get_topic_name()) for p in range(6)}
                app.assignor.assigned_actives = lambda actives=actives: actives
                stored, as_json = fill(timelines, bases, count, encode_v1)
                print(f"  {name}, on version 1 values: {stored / count:.0f} bytes stored per shipment ({as_json / count:.0f} as JSON)")

                def summaries(reader=reader, app=app, settings=settings, timelines=timelines):
                    return reader(app, settings, timelines)

                if name == "before":
                    texts.append(measure("scrape", summaries, args.repeat))
                else:
                    # The first scrape after the upgrade meets version 1 values and rewrites some.
                    rewrites = table_summaries.REWRITES_PER_SCRAPE
                    texts.append(measure(f"first scrape (rewrites {rewrites})", summaries, 1, memory=False))
                    # The rest as the next scrapes would, untimed.
                    stored = sum(len(v) for _p, v in timelines.data.raw_values(set(range(6)), recode=state_codec.as_current))
                    print(f"  ({-(-count // rewrites)} scrapes rewrite them all)")
                    print(f"  after, now on current values: {stored / count:.0f} bytes stored per shipment")
                    texts.append(measure("scrape", summaries, args.repeat))
                for db in timelines.data._dbs.values():
                    db.close()
            assert len(set(texts)) == 1, "the figures differ"
            print("  the same /metrics text every way")


if __name__ == "__main__":
    main()
