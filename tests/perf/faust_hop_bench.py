#!/usr/bin/env python
"""faust vs plain aiokafka forwarding benchmark.

Research for issue 15 (docs/research/faust-throughput.md); not part of the test suite.

Usage (with .venv/bin/python; HUB_KAFKA_BOOTSTRAP names the broker, FB_DIR the scratch folder):
    python tests/perf/faust_hop_bench.py --seed 50000            # create + fill input topic
    python tests/perf/faust_hop_bench.py --variant plain_send    # run one variant (subprocess-safe)
    python tests/perf/faust_hop_bench.py --all                   # run every variant, one at a time
    python tests/perf/faust_hop_bench.py --report                # print table from results.jsonl

Each variant: fresh consumer group, fresh 4-partition output topic, reads the
seeded input topic from the beginning, forwards N records.  The clock starts
when the first record reaches user code and stops when the N-th record has been
handed to the producer AND the producer has been flushed (all acked).
"""
import argparse
import asyncio
import json
import os
import random
import string
import subprocess
import sys
import threading
import time

BROKER = os.environ.get("HUB_KAFKA_BOOTSTRAP", "127.0.0.1:9092")
DIR = os.environ.get("FB_DIR", "/tmp/fbench")
STATE = os.path.join(DIR, "state.json")
RESULTS = os.path.join(DIR, "results.jsonl")
TIMEOUT = float(os.environ.get("FB_TIMEOUT", "50"))

# ---------------------------------------------------------------- counters
# Count ProduceRequests and records carried, to show records/request.
import aiokafka  # noqa: E402
from aiokafka.producer import sender as _sender  # noqa: E402

from hub.kafka import plain_hop  # noqa: E402 - the plain loop `hub bench` runs too

STATS = {"produce_requests": 0, "produced_records": 0}
_orig_create_request = _sender.SendProduceReqHandler.create_request


def _counting_create_request(self):
    STATS["produce_requests"] += 1
    STATS["produced_records"] += sum(b.record_count for b in self._batches.values())
    return _orig_create_request(self)


_sender.SendProduceReqHandler.create_request = _counting_create_request

if os.environ.get("FB_DIAG"):
    # count event-loop iterations and drains, to see how often the sender
    # task gets a chance to run relative to records handled
    import asyncio.base_events as _be

    from aiokafka.producer import message_accumulator as _ma
    _orig_run_once = _be.BaseEventLoop._run_once

    def _run_once(self):
        STATS["loop_iterations"] = STATS.get("loop_iterations", 0) + 1
        return _orig_run_once(self)

    _be.BaseEventLoop._run_once = _run_once
    _orig_wait_drain = _ma.MessageBatch.wait_drain

    def _wait_drain(self, timeout=None):
        STATS["batch_full_waits"] = STATS.get("batch_full_waits", 0) + 1
        return _orig_wait_drain(self, timeout)

    _ma.MessageBatch.wait_drain = _wait_drain


def rand_suffix(n=6):
    return "".join(random.choice(string.ascii_lowercase + string.digits) for _ in range(n))


def load_state():
    with open(STATE) as f:
        return json.load(f)


async def create_topic(name, partitions=4):
    await plain_hop.create_topic(BROKER, name, partitions)


# ---------------------------------------------------------------- seeding
async def seed(n):
    prefix = "fb-" + rand_suffix()
    in_topic = prefix + "-in"
    await create_topic(in_topic, 4)
    p = aiokafka.AIOKafkaProducer(bootstrap_servers=BROKER, linger_ms=5,
                                  max_batch_size=262144)
    await p.start()
    try:
        pad = "x" * 330
        futs = []
        for i in range(n):
            # ~400-byte JSON object (works with faust's default json codec)
            v = json.dumps({"id": i, "sku": f"SKU-{i % 977:05d}", "hub": "LHR",
                            "pad": pad}).encode()
            futs.append(await p.send(in_topic, v, key=str(i).encode()))
        await p.flush()
        await asyncio.gather(*futs)
    finally:
        await p.stop()
    st = {"prefix": prefix, "in_topic": in_topic, "n": n, "value_len": len(v)}
    with open(STATE, "w") as f:
        json.dump(st, f)
    print("seeded", st)


# ---------------------------------------------------------------- result helpers
Clock = plain_hop.HopClock


def emit(variant, clock, extra=None, partial=False):
    t1 = clock.t1 or time.perf_counter()
    c1 = clock.c1 or time.process_time()
    cpu = (c1 - clock.c0) if clock.c0 is not None else float("nan")
    el = (t1 - clock.t0) if clock.t0 else float("nan")
    eps = clock.count / el if clock.t0 and el > 0 else 0.0
    res = {
        "variant": variant,
        "n": clock.count,
        "elapsed_s": round(el, 3),
        "eps": round(eps, 1),
        "cpu_s": round(cpu, 3),
        "cpu_util": round(cpu / el, 2) if el and el > 0 else None,
        "events_per_cpu_s": round(clock.count / cpu, 1) if cpu and cpu > 0 else None,
        "loadavg1": os.getloadavg()[0],
        "produce_requests": STATS["produce_requests"],
        "records_per_request": round(STATS["produced_records"] / STATS["produce_requests"], 2)
        if STATS["produce_requests"] else None,
        "partial_timeout": partial,
    }
    for k in ("loop_iterations", "batch_full_waits"):
        if k in STATS:
            res[k] = STATS[k]
    if extra:
        res.update(extra)
    line = json.dumps(res)
    print("RESULT " + line, flush=True)
    with open(RESULTS, "a") as f:
        f.write(line + "\n")


def watchdog(variant, clock, extra=None):
    def _run():
        time.sleep(TIMEOUT)
        emit(variant, clock, extra, partial=True)
        os._exit(2)

    threading.Thread(target=_run, daemon=True).start()


# ---------------------------------------------------------------- plain aiokafka
async def plain(variant, mode, linger_ms=0, yield_per_record=False, max_batch=16384):
    st = load_state()
    out = st["prefix"] + "-out-" + variant + "-" + rand_suffix(4)
    await create_topic(out, 4)
    clock = Clock(st["n"])
    watchdog(variant, clock)
    await plain_hop.forward(BROKER, [st["in_topic"]], out, clock, group_id="fbg-" + rand_suffix(), mode=mode,
                            linger_ms=linger_ms, max_batch_size=max_batch, yield_per_record=yield_per_record)
    emit(variant, clock)
    os._exit(0)


# ---------------------------------------------------------------- faust
def faust_run(variant, *, body="send", settings=None, serializer=None, take=500,
              within=1.0, stream_mod=None, nostampede=False):
    import faust
    from faust.worker import Worker

    if nostampede:
        # faust.topics.Topic.publish_message awaits self._get_producer() ->
        # app.maybe_start_producer(), which is wrapped in mode's @stampede
        # (3x `await asyncio.sleep(0)` per call).  Return the (already
        # started) producer directly instead.
        import faust.topics as _ft

        async def _get_producer(self):
            producer = self.app.producer
            if not producer._started.is_set():  # keep the lazy-start semantics
                return await self.app.maybe_start_producer()
            return producer

        _ft.Topic._get_producer = _get_producer

    st = load_state()
    settings = dict(settings or {})
    out_name = st["prefix"] + "-out-" + variant + "-" + rand_suffix(4)
    asyncio.run(create_topic(out_name, 4))
    app = faust.App(
        "fbapp-" + variant.replace("_", "-") + "-" + rand_suffix(),
        broker="kafka://" + BROKER,
        consumer_auto_offset_reset="earliest",
        web_enabled=False,
        topic_partitions=4,
        store="memory://",
        **settings,
    )
    ser = {"value_serializer": serializer} if serializer else {}
    in_topic = app.topic(st["in_topic"], **ser)
    out = app.topic(out_name, partitions=4, **ser)
    clock = Clock(st["n"])
    info = {"settings": {k: (v if isinstance(v, (int, float, str, bool)) else str(v))
                         for k, v in settings.items()}}
    watchdog(variant, clock, info)

    async def finish():
        await app.producer.flush()
        clock.t1 = time.perf_counter()
        clock.c1 = time.process_time()
        ak = app.producer._producer
        info["aiokafka_linger_s"] = getattr(ak._message_accumulator, "_linger_time", None)
        info["aiokafka_batch_size"] = getattr(ak._message_accumulator, "_batch_size", None)
        emit(variant, clock, info)
        os._exit(0)

    def wrap(stream):
        if stream_mod == "noack":
            return stream.noack()
        return stream

    if body == "send":
        @app.agent(in_topic)
        async def fwd(stream):
            async for v in wrap(stream):
                await out.send(value=v)
                if clock.tick():
                    await finish()

    elif body == "consume_only":
        @app.agent(in_topic)
        async def fwd(stream):
            async for _v in wrap(stream):
                if clock.tick():
                    await finish()

    elif body == "events":
        @app.agent(in_topic)
        async def fwd(stream):
            async for ev in wrap(stream).events():
                await out.send(value=ev.value)
                if clock.tick():
                    await finish()

    elif body == "send_soon":
        @app.agent(in_topic)
        async def fwd(stream):
            async for v in wrap(stream):
                out.send_soon(value=v)
                if clock.tick():
                    await finish()

    elif body == "take_send":
        @app.agent(in_topic)
        async def fwd(stream):
            async for batch in wrap(stream).take(take, within=within):
                for v in batch:
                    await out.send(value=v)
                if clock.tick(len(batch)):
                    await finish()

    elif body == "take_soon":
        @app.agent(in_topic)
        async def fwd(stream):
            async for batch in wrap(stream).take(take, within=within):
                for v in batch:
                    out.send_soon(value=v)
                if clock.tick(len(batch)):
                    await finish()

    elif body == "take_gather":
        @app.agent(in_topic)
        async def fwd(stream):
            async for batch in wrap(stream).take(take, within=within):
                await asyncio.gather(*[out.send(value=v) for v in batch])
                if clock.tick(len(batch)):
                    await finish()

    elif body == "take_direct":
        # bypass faust's per-record publish path: hand raw bytes straight to the
        # underlying aiokafka producer (still faust's producer instance, so
        # changelogs/transactions share it), one call per record, no await per
        # delivery.
        @app.agent(in_topic)
        async def fwd(stream):
            ak = None
            async for batch in wrap(stream).take(take, within=within):
                if ak is None:
                    ak = app.producer._producer
                for v in batch:
                    await ak.send(out_name, v if isinstance(v, bytes) else json.dumps(v).encode())
                if clock.tick(len(batch)):
                    await finish()

    elif body == "take_send_batch":
        # group per partition and submit aiokafka BatchBuilders
        @app.agent(in_topic)
        async def fwd(stream):
            ak = None
            rr = 0
            async for batch in wrap(stream).take(take, within=within):
                if ak is None:
                    ak = app.producer._producer
                rr = (rr + 1) % 4
                b = ak.create_batch()
                for v in batch:
                    data = v if isinstance(v, bytes) else json.dumps(v).encode()
                    if b.append(key=None, value=data, timestamp=None) is None:
                        await ak.send_batch(b, out_name, partition=rr)
                        rr = (rr + 1) % 4
                        b = ak.create_batch()
                        b.append(key=None, value=data, timestamp=None)
                if b.record_count():
                    await ak.send_batch(b, out_name, partition=rr)
                if clock.tick(len(batch)):
                    await finish()

    elif body == "take_events_direct":
        # take_events keeps Event objects, so offsets/acks stay faust-managed;
        # forward raw message bytes (no re-serialisation) via aiokafka.
        @app.agent(in_topic)
        async def fwd(stream):
            ak = None
            async for events in wrap(stream).take_events(take, within=within):
                if ak is None:
                    ak = app.producer._producer
                for ev in events:
                    await ak.send(out_name, ev.message.value, key=ev.message.key)
                if clock.tick(len(events)):
                    await finish()
    elif body == "psend":
        # per-record agent, but publish via faust's Producer.send (driver
        # level: no Topic.publish_message, no @stampede)
        @app.agent(in_topic)
        async def fwd(stream):
            producer = app.producer
            async for v in wrap(stream):
                await producer.send(out_name, None, v if isinstance(v, bytes) else json.dumps(v).encode(),
                                    None, None, None)
                if clock.tick():
                    await finish()

    elif body == "take_psend":
        @app.agent(in_topic)
        async def fwd(stream):
            producer = app.producer
            async for batch in wrap(stream).take(take, within=within):
                for v in batch:
                    await producer.send(out_name, None,
                                        v if isinstance(v, bytes) else json.dumps(v).encode(),
                                        None, None, None)
                if clock.tick(len(batch)):
                    await finish()

    elif body in ("take_table", "table"):
        # stateful: per-SKU counter Table (changelog topic + recovery) and a
        # forwarded record per input record
        # take() runs the stream in a background task, so there is no
        # current_event in the agent's task; use_partitioner=True makes the
        # changelog partition = hash(key) instead of the event's partition.
        counts = app.Table("fbcounts-" + rand_suffix(), default=int, partitions=4,
                           use_partitioner=(body == "take_table"))

        if body == "take_table":
            @app.agent(in_topic)
            async def fwd(stream):
                producer = app.producer
                async for batch in wrap(stream).take(take, within=within):
                    for v in batch:
                        counts[v["sku"]] += 1
                        await producer.send(out_name, None, json.dumps(v).encode(),
                                            None, None, None)
                    if clock.tick(len(batch)):
                        await finish()
        else:
            @app.agent(in_topic)
            async def fwd(stream):
                async for v in wrap(stream):
                    counts[v["sku"]] += 1
                    await out.send(value=v)
                    if clock.tick():
                        await finish()
    else:
        raise SystemExit("unknown body " + body)

    worker = Worker(app, loglevel="WARNING", quiet=True, redirect_stdouts=False)
    worker.execute_from_commandline()


# ---------------------------------------------------------------- variants
MB = 1024 * 1024
VARIANTS = {
    # (a) plain aiokafka
    "plain_send": lambda v: asyncio.run(plain(v, "send")),
    "plain_send_batch": lambda v: asyncio.run(plain(v, "send_batch")),
    "plain_consume_only": lambda v: asyncio.run(plain(v, "consume_only")),
    # (a') plain aiokafka + the per-record `await asyncio.sleep(0)` faust does
    "plain_send_yield": lambda v: asyncio.run(plain(v, "send", yield_per_record=True)),
    "plain_send_yield_linger10": lambda v: asyncio.run(
        plain(v, "send", yield_per_record=True, linger_ms=10)),
    # (b) bare faust forwarder
    "faust_send": lambda v: faust_run(v),
    "faust_consume_only": lambda v: faust_run(v, body="consume_only"),
    "faust_consume_only_noack": lambda v: faust_run(v, body="consume_only", stream_mod="noack"),
    # (c) take + not awaiting sends one by one
    "faust_send_soon": lambda v: faust_run(v, body="send_soon"),
    "faust_take_send": lambda v: faust_run(v, body="take_send"),
    "faust_take_soon": lambda v: faust_run(v, body="take_soon"),
    "faust_take_gather": lambda v: faust_run(v, body="take_gather"),
    "faust_take_soon_threaded": lambda v: faust_run(
        v, body="take_soon", settings={"producer_threaded": True}),
    # (d) settings on the bare forwarder
    "faust_send_linger10": lambda v: faust_run(v, settings={"producer_linger": 0.010}),
    "faust_send_linger_ms10": lambda v: faust_run(v, settings={"producer_linger_ms": 10}),
    "faust_send_batch1MB": lambda v: faust_run(
        v, settings={"producer_max_batch_size": MB, "producer_linger": 0.010}),
    "faust_send_buf100k": lambda v: faust_run(v, settings={"stream_buffer_maxsize": 100000}),
    "faust_send_commit100k": lambda v: faust_run(v, settings={"broker_commit_every": 100000}),
    "faust_send_acks0": lambda v: faust_run(v, settings={"producer_acks": 0}),
    "faust_send_nowaitempty": lambda v: faust_run(v, settings={"stream_wait_empty": False}),
    "faust_send_raw": lambda v: faust_run(v, serializer="raw"),
    "faust_send_fetch8MB": lambda v: faust_run(
        v, settings={"consumer_max_fetch_size": 8 * MB, "broker_max_poll_records": 5000}),
    "faust_send_recovery0": lambda v: faust_run(v, settings={"stream_recovery_delay": 0.0}),
    "faust_send_noack": lambda v: faust_run(v, stream_mod="noack"),
    "faust_send_allsettings": lambda v: faust_run(v, serializer="raw", settings={
        "producer_linger": 0.010, "producer_max_batch_size": MB,
        "stream_buffer_maxsize": 100000, "broker_commit_every": 100000,
        "stream_wait_empty": False, "consumer_max_fetch_size": 8 * MB,
        "stream_recovery_delay": 0.0}),
    # mode @stampede removed from the per-record publish path (monkeypatch)
    "faust_send_nostampede": lambda v: faust_run(v, nostampede=True),
    "faust_take_send_nostampede": lambda v: faust_run(v, body="take_send", nostampede=True),
    "faust_take_soon_nostampede": lambda v: faust_run(v, body="take_soon", nostampede=True),
    "faust_send_nostampede_linger10": lambda v: faust_run(
        v, nostampede=True, settings={"producer_linger": 0.010}),
    "faust_send_psend": lambda v: faust_run(v, body="psend", serializer="raw"),
    "faust_take_psend": lambda v: faust_run(v, body="take_psend", serializer="raw"),
    "faust_take_psend_nostampede": lambda v: faust_run(v, body="take_psend", serializer="raw",
                                                       nostampede=True),
    # stateful (Table + changelog) variants
    "faust_table_send": lambda v: faust_run(v, body="table"),
    "faust_take_table": lambda v: faust_run(v, body="take_table"),
    "faust_take_table_nostampede": lambda v: faust_run(v, body="take_table", nostampede=True),
    # (e) events()/noack
    "faust_events": lambda v: faust_run(v, body="events"),
    # (f) proposals: keep faust app, move more records per call
    "faust_take_direct": lambda v: faust_run(v, body="take_direct", serializer="raw"),
    "faust_take_events_direct": lambda v: faust_run(v, body="take_events_direct"),
    "faust_take_send_batch": lambda v: faust_run(v, body="take_send_batch", serializer="raw"),
    "faust_take_direct_linger10": lambda v: faust_run(
        v, body="take_direct", serializer="raw", settings={"producer_linger": 0.010}),
}

ORDER = list(VARIANTS)


def report(path=RESULTS):
    rows = {}
    with open(path) as f:
        for line in f:
            r = json.loads(line)
            rows.setdefault(r["variant"], []).append(r)
    pb = rows.get("plain_send", [])
    base = max((r["eps"] for r in pb), default=None)
    base_cpu = max((r.get("events_per_cpu_s") or 0 for r in pb), default=None)
    hdr = (f"| {'variant':32} | {'events/s':>9} | {'ratio':>6} | {'events/CPU-s':>12} | "
           f"{'ratio':>6} | {'rec/ProduceReq':>14} | {'cpu util':>8} | {'load1':>5} | note |")
    print(hdr)
    print("|" + "|".join("-" * (len(c)) for c in hdr.split("|")[1:-1]) + "|")
    for v in ORDER + sorted(set(rows) - set(ORDER)):
        if v not in rows:
            continue
        rs = rows[v]
        best = max(rs, key=lambda r: r["eps"])
        ratio = best["eps"] / base if base else float("nan")
        epc = best.get("events_per_cpu_s") or 0
        cratio = epc / base_cpu if base_cpu else float("nan")
        note = f"partial ({best['n']} in {best['elapsed_s']}s)" if best.get("partial_timeout") else ""
        print(f"| {v:32} | {best['eps']:>9.0f} | {ratio:>6.3f} | {epc:>12.0f} | {cratio:>6.3f} | "
              f"{str(best.get('records_per_request')):>14} | {str(best.get('cpu_util')):>8} | "
              f"{best.get('loadavg1', 0):>5.1f} | {note} |")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int)
    ap.add_argument("--variant")
    ap.add_argument("--all", action="store_true")
    ap.add_argument("--only", nargs="*")
    ap.add_argument("--report", action="store_true")
    ap.add_argument("--results", default=RESULTS)
    ap.add_argument("--list", action="store_true")
    a = ap.parse_args()
    if a.seed:
        asyncio.run(seed(a.seed))
    if a.list:
        print("\n".join(ORDER))
    if a.variant:
        VARIANTS[a.variant](a.variant)
    if a.all or a.only:
        for v in (a.only or ORDER):
            print("==>", v, flush=True)
            subprocess.run([sys.executable, __file__, "--variant", v], timeout=TIMEOUT + 30)
            time.sleep(1)
    if a.report:
        report(a.results)


if __name__ == "__main__":
    main()
