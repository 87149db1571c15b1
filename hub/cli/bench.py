"""`hub bench --shipments N`: simulated partner traffic through real workers, measured.

Starts the broker unless HUB_KAFKA_BOOTSTRAP names one. A run: a fresh topic prefix and app
id, the example contracts, K `hub worker` processes; the simulator's traffic published (as
fast as the broker takes it, or at `--rate`), then a wait until the workers have caught up.
With `--workers K` above 1 there are two runs, 1 worker then K, on the same simulation. After
the first run, the plain aiokafka consume → produce loop (hub/kafka/plain_hop.py) forwards the
same partner records once on the same broker: the reference the hub's rates are set against.

Printed (and written with `--json FILE`), no thresholds; figures in hub/cli/bench_figures.py:
- messages/s and canonical events/s, first partner record → last timeline record (broker
  timestamps), and each as a share of the plain loop's records/s. With `--backlog` everything
  is published before the workers start, and they are timed from their first canonical event:
  how fast a backlog is caught up, with no publisher beside them (as the plain loop is run);
- latency p50 and p99 from each partner record (its broker timestamp, the events'
  `received_at`) to the first timeline record holding its event, and to the settlement entry
  it completed (`inputs_received_at`);
- per stage, its own seconds on the event loop and their share (`hub_stage_busy_seconds_total`
  from each worker's /metrics; `parse`, `fold` and `settle` are CPU seconds in the worker's
  stage helpers), each worker's CPU seconds while the traffic ran (/proc; its helper processes
  included) and peak memory (VmHWM, the helpers' added), and the whole machine's CPU seconds over the same span against what its
  cores had (/proc/stat): what the broker and the publisher took beside the workers;
- with two runs, the scaling from 1 worker to K;
- the restart: once the first run has caught up its worker is SIGKILLed and started again on
  its data directory (HUB_STORE=rocksdb://: only the changelog's tail is read), then on an
  empty one; for each, seconds until /health says ready (polled every 0.5 s), changelog
  records read back, and peak memory.
Progress goes to stderr as it runs. The bench's topics are deleted at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import signal
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from hub.cli import bench_figures as figures
from hub.cli._shared import delete_topics_starting, fail, start_worker, step, stop_process_group, wait_until_ready
from hub.cli.bench_figures import Latency, Report, Restart, Run, Start, TimedRecord
from hub.config import Settings, kafka_client_options
from hub.kafka import broker
from hub.kafka.plain_hop import HopResult
from hub.web.metrics_text import Series, by_labels, combine, parse_metrics

# Seconds between two progress lines while the workers catch up.
PROGRESS_EVERY = 10.0


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("bench", help="measure throughput, latency, stage times and memory on simulated traffic")
    parser.add_argument("--shipments", type=int, required=True, help="number of simulated shipments")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=1,
                        help="worker processes; above 1, a run with one worker comes first and the scaling is printed (default 1)")
    parser.add_argument("--clean", action="store_true", help="simulate without faults")
    parser.add_argument("--rate", type=float, default=None,
                        help="publish at most this many messages per second: latency at a fixed load (default: as fast as possible)")
    parser.add_argument("--backlog", action="store_true",
                        help="publish everything before the workers start, and time them from their first canonical event: "
                             "how fast a worker catches up a backlog, with no publisher sharing the machine (latency then "
                             "includes the wait)")
    parser.add_argument("--json", type=Path, default=None, metavar="FILE", help="also write the figures to FILE as JSON")
    parser.add_argument("--dir", type=Path, default=Path(".hub/bench"), help="broker and worker data and logs")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds to wait for the workers to catch up, per run")
    parser.set_defaults(func=run)


@dataclass
class Worker:
    process: subprocess.Popen
    url: str
    log: Path

    def processes(self) -> list[int]:
        """The worker's pid and its descendants' (its stage helpers, hub/agents/helper_pool.py)."""
        pids, i = [self.process.pid], 0
        while i < len(pids):
            for children in Path(f"/proc/{pids[i]}/task").glob("*/children"):
                try:
                    pids += [int(pid) for pid in children.read_text().split()]
                except OSError:
                    pass
            i += 1
        return pids

    def peak_memory_mib(self) -> float | None:
        """The peak resident memory (VmHWM) of the worker and its helpers, added up."""
        peaks = [_peak_mib(pid) for pid in self.processes()]
        return sum(p for p in peaks if p is not None) if peaks[0] is not None else None

    def cpu_seconds(self) -> float | None:
        """CPU seconds of the worker and its helpers, every thread."""
        seconds = [_cpu_seconds(pid) for pid in self.processes()]
        return sum(s for s in seconds if s is not None) if seconds[0] is not None else None

    def metrics(self) -> Series:
        with urllib.request.urlopen(f"{self.url}/metrics", timeout=10) as response:
            return parse_metrics(response.read().decode())


def _peak_mib(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _cpu_seconds(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return figures.cpu_seconds_from_stat(stat.read(), os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError):
        return None


def run(args: argparse.Namespace) -> int:
    if args.shipments < 1 or args.workers < 1:
        return fail("bench", "--shipments and --workers must be at least 1")
    if args.rate is not None and args.rate <= 0:
        return fail("bench", "--rate must be positive")
    if args.rate is not None and args.backlog:
        return fail("bench", "--rate and --backlog do not go together: a backlog is published before the workers start")
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
    run_ids: list[str] = []
    try:
        report = _bench(args, env, run_ids)
        if isinstance(report, int):
            return report
        print(figures.render(report))
        if args.json is not None:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(figures.as_json(report), indent=2) + "\n")
            step(f"figures written to {args.json}")
        return 0
    finally:
        for run_id in run_ids:
            asyncio.run(delete_topics_starting(Settings.from_env(_run_env(env, run_id)), run_id))
        if started_broker is not None:
            broker.stop(started_broker)


def _run_env(env: dict[str, str], run_id: str) -> dict[str, str]:
    return {
        **env, "HUB_TOPIC_PREFIX": f"{run_id}.hub.", "HUB_PARTNER_PREFIX": f"{run_id}.partner.", "HUB_APP_ID": run_id,
        "HUB_COMMIT_INTERVAL": env.get("HUB_COMMIT_INTERVAL", "0.5"), "HUB_LOG_FORMAT": "json",
        "HUB_CLOCK": "stream", "HUB_AUTO_CLOSE": "off",
    }


def _bench(args: argparse.Namespace, env: dict[str, str], run_ids: list[str]) -> Report | int:
    from hub.app import active_partners
    from simulator import FaultRates, simulate
    from simulator.publish import simulation_records

    partners = [p.id for p in active_partners()]
    step(f"simulating {args.shipments} shipments (seed {args.seed})")
    simulation = simulate(args.shipments, args.seed, FaultRates.none() if args.clean else FaultRates())
    records = simulation_records(simulation.messages, partners)
    notes = []
    if skipped := len(simulation.messages) - len(records):
        notes.append(f"{skipped} messages for partners without an adapter left out")
    counts = [1, args.workers] if args.workers > 1 else [1]
    runs: list[Run] = []
    restarts: list[Restart] = []
    plain_hop = None
    for index, workers in enumerate(counts):
        run_id = f"bench{secrets.token_hex(4)}"
        run_ids.append(run_id)
        settings = Settings.from_env(_run_env(env, run_id))
        step(f"run {index + 1} of {len(counts)}: {workers} worker(s) under {run_id}")
        # The first run's worker is also killed and restarted once caught up (figures of `Restart`).
        outcome = _run_once(args, _run_env(env, run_id), settings, run_id, workers, records, partners,
                            restarts if index == 0 else None)
        if isinstance(outcome, int):
            return outcome
        runs.append(outcome)
        if plain_hop is None:
            plain_hop = _plain_hop(settings, run_id, partners, len(records))
    command = (f"HUB_STORE={Settings.from_env(env).store} hub bench --shipments {args.shipments} --seed {args.seed} --workers {args.workers}"
               + (" --clean" if args.clean else "") + (f" --rate {args.rate:g}" if args.rate else "")
               + (" --backlog" if args.backlog else ""))
    if args.backlog:
        notes.append("--backlog: published before the workers started, timed from their first canonical event; "
                     "latency includes the wait")
    if args.rate:
        notes.append(f"publishing at {args.rate:g} messages/s bounds the rates above: compare latency, not throughput")
    return Report(command, args.rate, runs, plain_hop, notes, restarts[0] if restarts else None, backlog=args.backlog)


def _run_once(
    args: argparse.Namespace, env: dict[str, str], settings: Settings, run_id: str, count: int, records: list, partners: list[str],
    restarts: list[Restart] | None = None,
) -> Run | int:
    from hub.cli.contracts import publish_contract_file
    from hub.cli.demo import CONTRACTS_FILE
    from hub.topics import ensure_topics, partner_topic
    from simulator.publish import Progress, publish_records

    asyncio.run(ensure_topics(settings, partners))
    asyncio.run(_keep_timelines_until_read(settings))
    # Contracts make the settle and turnover stages do their work, as in production.
    publish_contract_file(settings, CONTRACTS_FILE)
    logs = args.dir / run_id
    logs.mkdir(parents=True, exist_ok=True)
    workers: list[Worker] = []
    worker_envs: list[dict[str, str]] = []

    def publish() -> float:
        """Publish every record; the seconds it took."""
        step(f"publishing {len(records)} partner messages" + (f" at {args.rate:g}/s" if args.rate else ""))
        began = time.monotonic()
        asyncio.run(publish_records(settings.kafka_bootstrap, records, lambda p: partner_topic(settings, p),
                                    total=len(records), rate=args.rate, progress=Progress(len(records)),
                                    security=kafka_client_options(settings)))
        return time.monotonic() - began

    try:
        if args.backlog:
            published = publish()
        for index in range(count):
            port = broker.free_port()
            # A stable worker id (static membership), as in production: a restarted worker takes
            # its partitions back without waiting out the dead one's session.
            worker_env = {**env, "HUB_WEB_PORT": str(port), "HUB_WEB_URL": f"http://127.0.0.1:{port}",
                          "HUB_DATA_DIR": str(logs / f"worker-{index}"), "HUB_WORKER_ID": f"bench-{index}"}
            log_path = logs / f"worker-{index}.log"
            worker_envs.append(worker_env)
            workers.append(Worker(start_worker(worker_env, log_path), f"http://127.0.0.1:{port}", log_path))
        step(f"starting {count} worker(s) (logs in {logs})")
        for worker in workers:
            if not wait_until_ready(worker.url, worker.process, 180):
                return fail("bench", f"a worker did not become ready; see {worker.log}")
        cpu_before = [worker.cpu_seconds() for worker in workers]
        machine_before = _machine_cpu_seconds()
        started = time.monotonic()
        if not args.backlog:
            published = publish()
        step("waiting until the workers have caught up")
        try:
            asyncio.run(_caught_up_with_progress(settings, partners, workers, len(records), args.timeout))
        except TimeoutError as err:
            return fail("bench", str(err))
        caught_up = time.monotonic() - started
        step("reading the timelines and settlements back")
        measured = asyncio.run(_measure(settings, partners, from_first_event=args.backlog))
        series = combine(worker.metrics() for worker in workers)
        cpu = [_spent(before, worker.cpu_seconds()) for before, worker in zip(cpu_before, workers, strict=True)]
        machine = _spent(machine_before, _machine_cpu_seconds())
        cpu_span = time.monotonic() - started
        peaks = [worker.peak_memory_mib() for worker in workers]
        if restarts is not None:
            restarts.append(_restart(settings, workers[0], worker_envs[0], logs))
    finally:
        for worker in workers:
            stop_process_group(worker.process)
    first, last, events, to_timeline, to_settlement = measured
    span = max((last - first) / 1000, 1e-3) if first is not None and last is not None else None
    return Run(count, len(records), events, published, span, caught_up, Latency.of(to_timeline), Latency.of(to_settlement),
               figures.stages_from_metrics(series), cpu, peaks, machine, cpu_span, os.cpu_count())


async def _keep_timelines_until_read(settings: Settings) -> None:
    """Latency to the timeline is read back from hub.timelines after the run: the first record
    holding each event. That topic is compacted, and once a partition's 16 MB segment rolls
    (2,000 shipments and more) the log cleaner removes a shipment's older timelines, so the first
    record left holding an event came seconds later than the one that first held it: a p99 of
    7.8 s at 400 messages/s on 2,000 shipments was that. The run's topic keeps its records a day
    before the cleaner may take them (`min.compaction.lag.ms`); the bench's topics go at its end."""
    from aiokafka.admin import AIOKafkaAdminClient
    from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

    from hub import topics

    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap, **kafka_client_options(settings))
    await admin.start()
    try:
        # AlterConfigs replaces the topic's settings: all of them are given.
        configs = {**topics.TIMELINES.configs(), "min.compaction.lag.ms": str(topics.DAY_MS)}
        name = topics.TIMELINES.name(settings)
        responses = await admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, name, configs)])
        for resource in responses[0].to_object()["resources"]:
            if resource["error_code"]:
                raise RuntimeError(f"cannot keep {name}'s records for reading: {resource['error_message']} (error {resource['error_code']})")
        # The broker takes the change from its metadata log a moment after answering.
        deadline = time.monotonic() + 30
        while await _topic_config(admin, name, "min.compaction.lag.ms") != configs["min.compaction.lag.ms"]:
            if time.monotonic() > deadline:
                raise RuntimeError(f"the broker did not take {name}'s min.compaction.lag.ms within 30 s")
            await asyncio.sleep(0.1)
    finally:
        await admin.close()


async def _topic_config(admin: object, topic: str, config: str) -> str | None:
    """The topic's `config` as the broker has it; None while the broker does not know the topic yet."""
    from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
    from aiokafka.errors import UnknownTopicOrPartitionError

    described = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic, {config: None})])  # type: ignore[attr-defined]
    resource = described[0].to_object()["resources"][0]
    if resource["error_code"] == UnknownTopicOrPartitionError.errno:
        return None
    if resource["error_code"]:
        raise RuntimeError(f"cannot read {topic}'s {config}: {resource['error_message']} (error {resource['error_code']})")
    return next((e["config_value"] for e in resource["config_entries"] if e["config_names"] == config), None)


def _restart(settings: Settings, worker: Worker, env: dict[str, str], logs: Path) -> Restart:
    """SIGKILL the caught-up worker; start it again on its data directory, then (stopped) on an empty one."""
    step("killing the worker (SIGKILL) and starting it again on its data directory")
    os.killpg(worker.process.pid, signal.SIGKILL)
    worker.process.wait(10)
    on_data_dir = _timed_start(env, logs / "worker-0-restart.log")
    step("starting it on an empty data directory")
    on_empty_dir = _timed_start({**env, "HUB_DATA_DIR": str(logs / "worker-0-empty")}, logs / "worker-0-empty.log")
    return Restart(settings.store, on_data_dir, on_empty_dir)


def _timed_start(env: dict[str, str], log: Path) -> Start:
    """Start a worker, time it until ready, read what it recovered; stop it again."""
    started = time.monotonic()
    worker = Worker(start_worker(env, log), env["HUB_WEB_URL"], log)
    try:
        ready = wait_until_ready(worker.url, worker.process, 600)
        seconds = time.monotonic() - started if ready else None
        records = None
        if ready:
            recovered = by_labels(worker.metrics(), "hub_changelog_records_recovered_total", "table")
            records = int(sum(recovered.values()))
        return Start(seconds, records, worker.peak_memory_mib())
    finally:
        stop_process_group(worker.process)


def _machine_cpu_seconds() -> float | None:
    try:
        with open("/proc/stat") as stat:
            return figures.machine_cpu_seconds_from_stat(stat.read(), os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError):
        return None


def _spent(before: float | None, after: float | None) -> float | None:
    return after - before if before is not None and after is not None else None


async def _caught_up_with_progress(settings: Settings, partners: list[str], workers: list[Worker], messages: int,
                                   timeout: float) -> None:
    """Wait until caught up; a progress line from the workers' /metrics every PROGRESS_EVERY seconds and at the end."""
    from hub.kafka.caught_up import wait_until_caught_up

    waiting = asyncio.ensure_future(wait_until_caught_up(settings, partners, timeout=timeout))
    started = time.monotonic()
    finished = False
    while not finished:
        finished = bool((await asyncio.wait({waiting}, timeout=PROGRESS_EVERY))[0])
        if finished:
            waiting.result()  # not caught up in time: raises TimeoutError
        try:
            series = combine(await asyncio.gather(*(asyncio.to_thread(w.metrics) for w in workers)))
        except OSError:
            continue  # a worker busy past the scrape's timeout: the next line says more
        step(("caught up; " if finished else "") + figures.progress_line(series, messages, time.monotonic() - started))


async def _read_timed(settings: Settings, topic: str) -> list[TimedRecord]:
    from hub.kafka.topic_reader import read_records

    return [(r.timestamp_ms, r.value) for r in await read_records(settings.kafka_bootstrap, topic, security=kafka_client_options(settings))]


async def _measure(settings: Settings, partners: list[str], *, from_first_event: bool = False
                   ) -> tuple[int | None, int | None, int, list[int], list[int]]:
    """(first partner record ms, or first canonical event's with `from_first_event`; last timeline
    record ms, canonical events, ms to timeline, ms to settlement)."""
    from hub import topics
    from hub.topics import partner_topic

    first = None
    for partner in partners:
        for timestamp, _value in await _read_timed(settings, partner_topic(settings, partner)):
            first = timestamp if first is None else min(first, timestamp)
    canonical = await _read_timed(settings, topics.EVENTS.name(settings))
    events = len(canonical)
    if from_first_event:
        first = min((timestamp for timestamp, _ in canonical), default=None)
    timelines = await _read_timed(settings, topics.TIMELINES.name(settings))
    last = max((timestamp for timestamp, _ in timelines), default=None)
    settlements = await _read_timed(settings, topics.SETTLEMENTS.name(settings))
    return first, last, events, figures.timeline_latencies(timelines), figures.settlement_latencies(settlements)


def _plain_hop(settings: Settings, run_id: str, partners: list[str], records: int) -> HopResult:
    """The plain aiokafka loop forwards the run's partner records once, to a topic of its own."""
    from hub.kafka import plain_hop
    from hub.topics import partner_topic, replication_factor

    target = f"{run_id}.plain-hop"
    step(f"the plain aiokafka consume → produce loop over the same {records} partner records")
    security = kafka_client_options(settings)
    asyncio.run(plain_hop.create_topic(settings.kafka_bootstrap, target, settings.partitions, replication_factor(settings), security=security))
    clock = plain_hop.HopClock(records)
    asyncio.run(plain_hop.forward(settings.kafka_bootstrap, [partner_topic(settings, p) for p in partners], target, clock,
                                  group_id=f"{run_id}-plain-hop", idle_timeout=30.0, security=security))
    return HopResult.of(clock)
