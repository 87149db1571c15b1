"""`hub bench --shipments N`: simulated partner traffic through real workers, measured.

Starts the broker unless HUB_KAFKA_BOOTSTRAP names one, creates a fresh topic prefix and app
id, starts `hub worker` processes, publishes the simulator's traffic as fast as the broker
takes it, waits until the workers have caught up, and prints:
- throughput: partner messages and canonical events per second, from the first partner
  record's broker timestamp to the last timeline record's;
- latency, partner event received → timeline updated: for each event, the timestamp of the
  first `hub.timelines` record that holds it minus the event's `received_at` (the partner
  record's broker timestamp), p50 and p99;
- peak memory (VmHWM) of each worker process.
No thresholds: it prints figures. The bench's topics are deleted at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from hub.cli._shared import delete_topics_starting, fail, percentile, start_worker, step, stop_process_group, wait_until_ready
from hub.config import Settings, kafka_client_options
from hub.kafka import broker


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("bench", help="measure throughput, latency and memory on simulated traffic")
    parser.add_argument("--shipments", type=int, required=True, help="number of simulated shipments")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    parser.add_argument("--clean", action="store_true", help="simulate without faults")
    parser.add_argument("--rate", type=float, default=None,
                        help="publish at most this many messages per second (default: as fast as possible)")
    parser.add_argument("--dir", type=Path, default=Path(".hub/bench"), help="broker and worker data and logs")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds to wait for the workers to catch up")
    parser.set_defaults(func=run)


@dataclass
class Worker:
    process: subprocess.Popen
    url: str
    log: Path

    def peak_memory_kib(self) -> int | None:
        try:
            with open(f"/proc/{self.process.pid}/status") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1])
        except OSError:
            return None
        return None


def run(args: argparse.Namespace) -> int:
    if args.shipments < 1 or args.workers < 1:
        return fail("bench", "--shipments and --workers must be at least 1")
    if args.rate is not None and args.rate <= 0:
        return fail("bench", "--rate must be positive")
    env = dict(os.environ)
    started_broker = None
    if not env.get("HUB_KAFKA_BOOTSTRAP"):
        step("starting the Kafka broker")
        try:
            state = broker.start(args.dir / "broker")
        except broker.BrokerError as err:
            return fail("bench", str(err))
        started_broker = args.dir / "broker"
        env["HUB_KAFKA_BOOTSTRAP"] = state.bootstrap
    run_id = f"bench{secrets.token_hex(4)}"
    env.update({
        "HUB_TOPIC_PREFIX": f"{run_id}.hub.", "HUB_PARTNER_PREFIX": f"{run_id}.partner.", "HUB_APP_ID": run_id,
        "HUB_COMMIT_INTERVAL": env.get("HUB_COMMIT_INTERVAL", "0.5"), "HUB_LOG_FORMAT": "json",
        "HUB_CLOCK": "stream", "HUB_AUTO_CLOSE": "off",
    })
    settings = Settings.from_env(env)
    workers: list[Worker] = []
    try:
        return _bench(args, env, settings, run_id, workers)
    finally:
        for worker in workers:
            stop_process_group(worker.process)
        asyncio.run(delete_topics_starting(settings, run_id))
        if started_broker is not None:
            broker.stop(started_broker)


def _bench(
    args: argparse.Namespace, env: dict[str, str], settings: Settings, run_id: str, workers: list[Worker]
) -> int:
    from hub.app import active_partners
    from hub.kafka.caught_up import wait_until_caught_up
    from hub.topics import ensure_topics, partner_topic
    from simulator import FaultRates, simulate
    from simulator.publish import Progress, publish_records, simulation_records

    partners = [p.id for p in active_partners()]
    asyncio.run(ensure_topics(settings, partners))
    step(f"simulating {args.shipments} shipments (seed {args.seed})")
    simulation = simulate(args.shipments, args.seed, FaultRates.none() if args.clean else FaultRates())
    records = simulation_records(simulation.messages, partners)
    skipped = len(simulation.messages) - len(records)
    logs = args.dir / run_id
    logs.mkdir(parents=True, exist_ok=True)
    for index in range(args.workers):
        port = broker.free_port()
        worker_env = {**env, "HUB_WEB_PORT": str(port), "HUB_WEB_URL": f"http://127.0.0.1:{port}",
                      "HUB_DATA_DIR": str(logs / f"worker-{index}")}
        log_path = logs / f"worker-{index}.log"
        process = start_worker(worker_env, log_path)
        workers.append(Worker(process, f"http://127.0.0.1:{port}", log_path))
    step(f"starting {args.workers} worker(s) (logs in {logs})")
    for worker in workers:
        if not wait_until_ready(worker.url, worker.process, 180):
            return fail("bench", f"a worker did not become ready; see {worker.log}")
    left_out = f" ({skipped} for partners without an adapter left out)" if skipped else ""
    step(f"publishing {len(records)} partner messages{left_out}")
    started = time.monotonic()
    asyncio.run(publish_records(settings.kafka_bootstrap, records, lambda p: partner_topic(settings, p),
                                total=len(records), rate=args.rate, progress=Progress(len(records)), security=kafka_client_options(settings)))
    published = time.monotonic() - started
    step("waiting until the workers have caught up")
    try:
        asyncio.run(wait_until_caught_up(settings, partners, timeout=args.timeout))
    except TimeoutError as err:
        return fail("bench", str(err))
    wall = time.monotonic() - started
    figures = asyncio.run(_measure(settings, partners))
    _report(args, len(records), published, wall, figures, workers)
    return 0


async def _read_all(bootstrap: str, topic: str, *, security: Mapping[str, object] | None = None) -> list[tuple[int, bytes | None]]:
    """(timestamp ms, value) of every record of `topic`, from the beginning."""
    from aiokafka import AIOKafkaConsumer, TopicPartition

    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, auto_offset_reset="earliest", **(security or {}))
    await consumer.start()
    try:
        await consumer._client.force_metadata_update()  # type: ignore[attr-defined]
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or [])]
        if not partitions:
            return []
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        records: list[tuple[int, bytes | None]] = []
        while True:
            positions = [await consumer.position(tp) for tp in partitions]
            if all(position >= ends[tp] for position, tp in zip(positions, partitions, strict=True)):
                break
            batch = await consumer.getmany(timeout_ms=500, max_records=5000)
            for messages in batch.values():
                records.extend((m.timestamp, m.value) for m in messages)
        return records
    finally:
        await consumer.stop()


@dataclass
class Figures:
    first_received_ms: int | None
    last_timeline_ms: int | None
    events: int
    latencies_ms: list[int]


async def _measure(settings: Settings, partners: list[str]) -> Figures:
    from hub import topics
    from hub.topics import partner_topic

    first = None
    for partner in partners:
        for timestamp, _value in await _read_all(settings.kafka_bootstrap, partner_topic(settings, partner), security=kafka_client_options(settings)):
            first = timestamp if first is None else min(first, timestamp)
    events = len(await _read_all(settings.kafka_bootstrap, topics.EVENTS.name(settings), security=kafka_client_options(settings)))
    seen: dict[str, None] = {}
    latencies: list[int] = []
    last = None
    timelines = await _read_all(settings.kafka_bootstrap, topics.TIMELINES.name(settings), security=kafka_client_options(settings))
    for timestamp, value in sorted(timelines, key=lambda r: r[0]):
        last = timestamp if last is None else max(last, timestamp)
        record = json.loads(value or b"{}")
        for event in record.get("events", []):
            if event["event_id"] in seen:
                continue
            seen[event["event_id"]] = None
            received = _epoch_ms(event["received_at"])
            latencies.append(timestamp - received)
    return Figures(first, last, events, latencies)


def _epoch_ms(text: str) -> int:
    from datetime import datetime

    return int(datetime.fromisoformat(text).timestamp() * 1000)


def _report(
    args: argparse.Namespace, messages: int, published: float, wall: float, figures: Figures, workers: list[Worker]
) -> None:
    span = None
    if figures.first_received_ms is not None and figures.last_timeline_ms is not None:
        span = max((figures.last_timeline_ms - figures.first_received_ms) / 1000, 1e-3)
    print(f"hub bench --shipments {args.shipments} --seed {args.seed} --workers {args.workers}"
          + (" --clean" if args.clean else "") + (f" --rate {args.rate:g}" if args.rate else ""))
    print(f"  partner messages        {messages} (published in {published:.1f} s)")
    print(f"  canonical events        {figures.events}")
    if span:
        print(f"  pipeline time           {span:.1f} s (first partner record → last timeline record)")
        print(f"  throughput              {messages / span:.0f} messages/s, {figures.events / span:.0f} events/s")
    print(f"  until caught up         {wall:.1f} s from the first publish")
    p50, p99 = percentile(figures.latencies_ms, 0.50), percentile(figures.latencies_ms, 0.99)
    if p50 is not None:
        print(f"  received → timeline     p50 {p50} ms, p99 {p99} ms ({len(figures.latencies_ms)} events)")
    for index, worker in enumerate(workers):
        peak = worker.peak_memory_kib()
        print(f"  worker {index} peak memory   " + (f"{peak / 1024:.0f} MiB (VmHWM)" if peak else "unknown"))
