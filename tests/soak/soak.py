"""The fault soak (issue 13): simulated traffic with every fault on through two real workers on
a broker of its own, while a worker is SIGKILLed and restarted at random moments and the
broker is stopped and restarted once mid-stream; then every check, one printed figure each.

    .venv/bin/python -m tests.soak.soak --messages 20000 --kills 10 --seed 7 [--partitions 6] [--keep DIR]

Checks: every shipment's status, identifiers, event set and carriers equal the simulator's
ground truth; settlement totals and period fees equal the standard-library oracle to the
kopeck per contract, payer, payee and period; every published partner message has exactly one
counted outcome (from the workers' log lines, since a killed worker's counters die with it and
its unfinished messages are processed again); every repeated entry_id is byte-identical; no
partition of the hub's consumer group ends with lag; no worker crashed. Stalls the workers'
watchdog reports (`partition_stall`) are counted per kind and printed, not failed on.
Exit 0 when every check passed, 1 when one failed, 2 on bad arguments.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import math
import random
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hub import topics
from hub.app import active_partners
from hub.cli.contracts import publish_contract_file
from hub.config import Settings
from hub.kafka import broker
from hub.kafka.caught_up import group_topics, lag_by_partition
from hub.kafka.topic_reader import read_records
from hub.topics import ensure_topics, partner_topic
from simulator.faults import FaultRates
from simulator.generate import OUTCOMES, Simulation, simulate
from simulator.output import write_simulation, write_truth
from simulator.publish import publish_records
from simulator.replay import entries_until, load_records
from tests.integration.test_settlement_e2e import CONTRACTS, QUARTERS, close, expected_net, fees, net_totals
from tests.support import settlement_oracle
from tests.support.environment import hub_environment
from tests.support.simulation import expected_outcomes, logged_outcomes
from tests.support.timeline_check import shipment_problems
from tests.support.worker import WorkerProcess, free_port

# simulate() writes about 12.5 partner messages per shipment with the default fault rates.
MESSAGES_PER_SHIPMENT = 12.5
# Today's speed: a little below what two workers sustain on an otherwise idle 2-core machine
# (`hub bench --workers 2`: ~50 messages/s); 20,000 messages then take long enough for every kill.
DEFAULT_RATE = 40.0
WORKERS = 2
READY_TIMEOUT = 180.0  # a worker restarted while the broker restarts waits for it
# The status a worker's progress watchdog exits with when its fetcher died (hub/kafka/watchdog.py):
# its supervisor, here the soak, restarts it; a stall healed, reported and not failed on.
WATCHDOG_EXIT = 70


@dataclass(frozen=True)
class SoakOptions:
    messages: int = 20_000
    kills: int = 10
    seed: int = 7
    partitions: int = 6
    rate: float = DEFAULT_RATE
    keep: Path | None = None
    catch_up_timeout: float = 1200.0
    progress_every: float = 10.0


@dataclass
class Figure:
    name: str
    value: str
    ok: bool | None  # None: reported, not a check
    problems: list[str] = field(default_factory=list)


@dataclass
class SoakReport:
    published: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)  # outcome → distinct partner messages
    kills: int = 0
    broker_restarts: int = 0
    stalls: Counter[str] = field(default_factory=Counter)  # kind → partition_stall lines
    figures: list[Figure] = field(default_factory=list)
    directory: Path | None = None

    @property
    def passed(self) -> bool:
        return bool(self.figures) and all(f.ok is not False for f in self.figures)

    def add(self, name: str, value: str, ok: bool | None = None, problems: list[str] | None = None) -> None:
        self.figures.append(Figure(name, value, ok, problems or []))

    def render(self) -> str:
        lines = ["soak figures:"]
        for f in self.figures:
            mark = {True: "ok", False: "FAIL", None: "--"}[f.ok]
            lines.append(f"  {mark:<4}  {f.name:<22} {f.value}")
        for f in self.figures:
            if f.ok is False and f.problems:
                lines.append(f"{f.name}: {len(f.problems)} problem(s)")
                lines.extend(f"    {p}" for p in f.problems[:25])
        failed = [f.name for f in self.figures if f.ok is False]
        lines.append("soak passed" if self.passed else f"soak FAILED: {', '.join(failed) or 'no figures'}")
        return "\n".join(lines)


def _say(message: str) -> None:
    print(message, flush=True)


def simulate_at_least(messages: int, seed: int) -> Simulation:
    """A simulation with every fault on and at least `messages` partner messages."""
    shipments = max(1, math.ceil(messages / MESSAGES_PER_SHIPMENT))
    while True:
        sim = simulate(shipments, seed=seed, rates=FaultRates())
        if len(sim.messages) >= messages:
            return sim
        shipments = math.ceil(shipments * messages / len(sim.messages)) + 1


class Publisher(threading.Thread):
    """The simulation's partner messages in manifest order at a steady rate; counts what it sent."""

    def __init__(self, settings: Settings, directory: Path, rate: float) -> None:
        super().__init__(name="soak-publisher", daemon=True)
        self.settings, self.rate = settings, rate
        self.records = load_records(directory, entries_until(directory, None))
        self.sent = 0
        self.published: int | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.published = asyncio.run(publish_records(
                self.settings.kafka_bootstrap, self.records, lambda p: partner_topic(self.settings, p),
                total=len(self.records), rate=self.rate, progress=self,  # type: ignore[arg-type]
            ))
        except BaseException as err:  # noqa: BLE001 - reported as a failed figure
            self.error = err

    # The progress protocol of simulator.publish: only the count is kept.
    def update(self, done: int, force: bool = False) -> None:
        self.sent = done

    def finish(self, done: int) -> None:
        self.sent = done


def log_lines(path: Path) -> tuple[list[dict[str, Any]], int]:
    """A worker log's JSON objects, and how many lines starting with `{` could not be read.

    The worker's stdout (structlog) and stderr (library logging) share the file and output is
    unbuffered: print() writes a line and its newline separately, so a stderr line can land in
    between, and a SIGKILL can cut a line before its newline (the restarted worker appends to
    it). So every JSON object at the start of a line is read, and any right after it or after
    a cut one; WorkerProcess.log_lines() drops such lines whole.
    """
    decoder = json.JSONDecoder()
    found: list[dict[str, Any]] = []
    unreadable = 0
    for line in path.read_text(errors="replace").splitlines():
        at = 0
        while line.startswith("{", at):
            try:
                value, at = decoder.raw_decode(line, at)
            except json.JSONDecodeError:
                unreadable += 1
                at = line.find('{"', at + 1)
                if at < 0:
                    break
                continue
            if isinstance(value, dict):
                found.append(value)
    return found, unreadable


def app_crashes(worker: WorkerProcess) -> list[str]:
    """The worker's app-level crashes (faust stops the whole app on an exception that escapes
    a task or timer; the process may linger before it exits): reason and the hub's frames."""
    lines = worker.log_path.read_text(errors="replace").splitlines()
    found = []
    for n, line in enumerate(lines):
        if "[^-App]: Crashed reason=" not in line:
            continue
        reason = line.split("Crashed reason=", 1)[1].strip()
        frames = [f.strip() for f in lines[n + 1:n + 40] if f.strip().startswith('File "') and "/hub/" in f]
        found.append(f"{worker.worker_id} {line[1:24]}: {reason}" + (f" at {'; '.join(frames[-2:])}" if frames else ""))
    return found


async def _end_offsets(bootstrap: str, names: list[str]) -> dict[tuple[str, int], int]:
    from aiokafka import AIOKafkaConsumer, TopicPartition

    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        await consumer._client.force_metadata_update()  # as hub.kafka.caught_up does
        partitions = [TopicPartition(t, p) for t in names for p in sorted(consumer.partitions_for_topic(t) or ())]
        ends = await consumer.end_offsets(partitions)
        return {(tp.topic, tp.partition): end for tp, end in ends.items()}
    finally:
        await consumer.stop()


class Soak:
    """One soak run; `run()` returns its report. Stops what it started in every case."""

    def __init__(self, options: SoakOptions, say: Callable[[str], None] = _say) -> None:
        self.options, self.say = options, say
        self.report = SoakReport()
        self.started = time.monotonic()
        self.directory = options.keep or Path(tempfile.mkdtemp(prefix="hub-soak-"))
        self.broker_dir = self.directory / "broker"
        self.sim_dir = self.directory / "simulation"
        self.workers: list[WorkerProcess] = []
        self.partner_ids = [p.id for p in active_partners()]
        self.broker_lock = threading.Lock()  # held while the broker restarts and while lag is measured
        self.unexpected_exits: list[str] = []
        self.watchdog_exits = 0
        self.broker_moved: str | None = None  # set when a restarted broker came back on another port
        self.phases: dict[str, float] = {}

    def elapsed(self) -> str:
        return f"[{time.monotonic() - self.started:5.0f}s]"

    # -- the run -----------------------------------------------------------------------------

    def run(self) -> SoakReport:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.report.directory = self.directory
        o = self.options
        try:
            sim = simulate_at_least(o.messages, o.seed)
            write_simulation(sim, self.sim_dir)
            write_truth(sim, self.sim_dir)
            self.say(f"soak: {len(sim.messages)} partner messages from {sim.shipments_requested} shipments "
                     f"(seed {o.seed}, every fault on: {sim.rates.as_json()}), {WORKERS} workers, "
                     f"{o.partitions} partitions, {o.kills} kills, 1 broker restart, {o.rate:g} messages/s; "
                     f"data in {self.directory}")
            state = broker.start(self.broker_dir)
            self.env = hub_environment(state.bootstrap, self.directory, str(o.partitions))
            self.settings = Settings.from_env(self.env)
            asyncio.run(ensure_topics(self.settings, self.partner_ids))
            publish_contract_file(self.settings, CONTRACTS)
            self.workers = [
                WorkerProcess(self.env, self.directory / f"worker-{n}.log", free_port(), worker_id=f"w{n}")
                for n in range(WORKERS)
            ]
            with ThreadPoolExecutor(WORKERS) as pool:  # both start at once: half the wait
                list(pool.map(lambda w: w.start(READY_TIMEOUT), self.workers))
            self.phases["set-up"] = time.monotonic() - self.started
            self.say(f"{self.elapsed()} broker on {state.bootstrap}, workers ready at "
                     f"{', '.join(w.url for w in self.workers)}")
            self.stream(sim)
            self.check(sim)
        except Exception as err:  # noqa: BLE001 - the soak reports, it does not crash
            self.report.add("soak run", f"aborted: {type(err).__name__}: {err}", False,
                            [line for w in self.workers for line in w.log_tail(15).splitlines()])
        finally:
            for worker in self.workers:
                worker.stop()
            broker.stop(self.broker_dir)
        self.report.add("elapsed", ", ".join(
            [f"{time.monotonic() - self.started:.0f} s in all"] + [f"{k} {v:.0f} s" for k, v in self.phases.items()]
        ))
        if o.keep is None and self.report.passed:
            shutil.rmtree(self.directory, ignore_errors=True)
        return self.report

    def all_group_topics(self) -> list[str]:
        """Every topic the hub's consumer group commits on: the pipeline's and the money stages'."""
        return group_topics(self.settings, self.partner_ids)

    def total_lag(self) -> int | None:
        with self.broker_lock:
            try:
                return sum(asyncio.run(lag_by_partition(self.settings, self.all_group_topics())).values())
            except Exception:  # noqa: BLE001 - a progress line says "?"
                return None

    def stream(self, sim: Simulation) -> None:
        """Publish at a steady rate; kill and restart workers and restart the broker meanwhile."""
        o = self.options
        phase_start = time.monotonic()
        publisher = Publisher(self.settings, self.sim_dir, o.rate)
        duration = len(publisher.records) / o.rate
        rng = random.Random(o.seed)
        plan: list[tuple[float, str, int]] = [(rng.uniform(0.4, 0.6) * duration, "broker", -1)]
        plan += [(rng.uniform(0.05, 0.95) * duration, "kill", rng.randrange(WORKERS)) for _ in range(o.kills)]
        plan.sort()
        self.say(f"{self.elapsed()} publishing {len(publisher.records)} messages over about {duration:.0f} s")
        done = threading.Event()
        reporter = threading.Thread(target=self.report_progress, args=(publisher, done), name="soak-progress", daemon=True)
        publisher.start()
        reporter.start()
        try:
            for at, action, victim in plan:
                self.wait_until(phase_start + at)
                if action == "kill":
                    self.kill_and_restart(self.workers[victim])
                else:
                    self.restart_broker()
            while publisher.is_alive():
                self.wait_until(time.monotonic() + 1.0)
            self.phases["publishing"] = time.monotonic() - phase_start
            if publisher.error is not None:
                raise RuntimeError(f"the publisher failed: {type(publisher.error).__name__}: {publisher.error}")
            self.report.published = publisher.published or 0
            self.say(f"{self.elapsed()} published {self.report.published}; waiting until caught up")
            waited = self.wait_for_no_lag(o.catch_up_timeout)
            self.phases["catching up"] = waited
            close_start = time.monotonic()
            for period in QUARTERS:
                close(self.env, period)
            self.say(f"{self.elapsed()} closed {', '.join(QUARTERS)}; waiting until caught up")
            self.wait_for_no_lag(o.catch_up_timeout)
            self.phases["closing"] = time.monotonic() - close_start
        finally:
            done.set()
            reporter.join(timeout=30)

    def report_progress(self, publisher: Publisher, done: threading.Event) -> None:
        while not done.wait(self.options.progress_every):
            lag = self.total_lag()
            self.say(f"{self.elapsed()} published {publisher.sent}/{len(publisher.records)}, "
                     f"lag {'?' if lag is None else lag}, kills {self.report.kills}/{self.options.kills}, "
                     f"broker restarts {self.report.broker_restarts}/1")

    def wait_until(self, deadline: float) -> None:
        """Sleep until `deadline`, restarting (and recording) any worker that exited by itself."""
        while True:
            for worker in self.workers:
                if worker.process is not None and worker.process.poll() is not None:
                    found = f"{worker.worker_id} exited by itself with code {worker.process.returncode}"
                    if worker.process.returncode == WATCHDOG_EXIT:
                        self.watchdog_exits += 1
                        found += " (its watchdog found the fetcher dead)"
                    else:
                        self.unexpected_exits.append(found)
                    self.say(f"{self.elapsed()} {found}; restarting it")
                    worker.start(READY_TIMEOUT)
            if time.monotonic() >= deadline:
                return
            time.sleep(min(0.5, max(0.0, deadline - time.monotonic())))

    def kill_and_restart(self, worker: WorkerProcess) -> None:
        lag = self.total_lag()
        worker.kill()
        self.report.kills += 1
        killed_at = time.monotonic()
        worker.start(READY_TIMEOUT)
        self.say(f"{self.elapsed()} kill {self.report.kills}/{self.options.kills}: SIGKILLed {worker.worker_id} "
                 f"at lag {'?' if lag is None else lag}; ready again after {time.monotonic() - killed_at:.1f} s")

    def restart_broker(self) -> None:
        with self.broker_lock:
            before = broker.read_state(self.broker_dir)
            stopped_at = time.monotonic()
            broker.stop(self.broker_dir)
            self.say(f"{self.elapsed()} broker stopped")
            after = broker.start(self.broker_dir)
            self.report.broker_restarts += 1
            if before is not None and after.port != before.port:
                # The workers only know the old address: put it back there, and fail the figure.
                self.broker_moved = f"hub.kafka.broker.start(dir) came back on port {after.port}, not {before.port}"
                self.say(f"{self.elapsed()} {self.broker_moved}; restarting it on {before.port} to go on")
                broker.stop(self.broker_dir)
                after = broker.start(self.broker_dir, port=before.port)
            self.say(f"{self.elapsed()} broker restarted on {after.bootstrap} after {time.monotonic() - stopped_at:.1f} s")

    def wait_for_no_lag(self, timeout: float) -> float:
        """As hub.kafka.caught_up.wait_until_caught_up, over every topic the group commits on
        (the money stages too): no lag on two polls a commit interval apart."""
        names = self.all_group_topics()
        interval = max(self.settings.commit_interval * 1.5, 0.5)
        started = time.monotonic()
        previous_clear, lag = False, {}
        while time.monotonic() - started < timeout:
            self.wait_until(time.monotonic())  # a worker that died meanwhile is recorded and restarted
            lag = asyncio.run(lag_by_partition(self.settings, names))
            clear = all(v == 0 for v in lag.values())
            if clear and previous_clear:
                return time.monotonic() - started
            previous_clear = clear
            time.sleep(interval)
        self.say(f"{self.elapsed()} not caught up after {timeout:.0f} s: {sum(lag.values())} behind")
        return time.monotonic() - started

    # -- the checks --------------------------------------------------------------------------

    def check(self, sim: Simulation) -> None:
        started = time.monotonic()
        r = self.report
        r.add("messages published", f"{r.published} (simulation: {len(sim.messages)})", r.published == len(sim.messages))
        logs = [log_lines(w.log_path) for w in self.workers]
        lines = [line for found, _ in logs for line in found]
        r.add("worker log lines", f"{len(lines)} read, {sum(n for _, n in logs)} unreadable")
        self.check_outcomes(sim, lines)
        problems = shipment_problems([w.url for w in self.workers], self.sim_dir)
        wrong = {s: p for s, p in problems.items() if p}
        r.add("shipments", f"{len(problems)} checked, {len(wrong)} mismatched", bool(problems) and not wrong,
              [p for found in wrong.values() for p in found])
        self.check_settlements()
        r.add("worker kills", f"{r.kills} (asked for {self.options.kills}), SIGKILL and restart each",
              r.kills >= self.options.kills)
        moved = self.broker_moved
        r.add("broker restarts", f"{r.broker_restarts}" + (f"; {moved}" if moved else ", back on the same port"),
              r.broker_restarts == 1 and moved is None)
        crashes = [crash for w in self.workers for crash in app_crashes(w)]
        r.add("worker crashes", f"{len(crashes)} app crashes logged, {len(self.unexpected_exits)} exits not ours",
              not crashes and not self.unexpected_exits, crashes + self.unexpected_exits)
        self.count_stalls(lines)
        self.check_final_lag()
        self.phases["checks"] = time.monotonic() - started

    def check_outcomes(self, sim: Simulation, lines: list[dict[str, Any]]) -> None:
        """Exactly one outcome per published partner message, keyed by (topic, partition, offset)
        over every worker's log: a restarted worker processes a killed one's unfinished messages
        again, so a key may repeat, always with the same outcome."""
        r = self.report
        processed = [line for line in lines if line.get("event") == "partner_message_processed"]
        outcomes_of: dict[tuple[str, int, int], set[str]] = {}
        first: dict[tuple[str, int, int], dict[str, Any]] = {}
        for line in processed:
            key = (line["topic"], line["partition"], line["offset"])
            outcomes_of.setdefault(key, set()).add(line["outcome"])
            first.setdefault(key, line)
        partner_topics = [partner_topic(self.settings, p) for p in self.partner_ids]
        ends = asyncio.run(_end_offsets(self.settings.kafka_bootstrap, partner_topics))
        on_broker = {(t, p, offset) for (t, p), end in ends.items() for offset in range(end)}
        missing = sorted(on_broker - set(outcomes_of))
        unknown = sorted(set(outcomes_of) - on_broker)
        conflicting = sorted(k for k, found in outcomes_of.items() if len(found) > 1)
        counted = Counter(next(iter(found)) for k, found in outcomes_of.items() if len(found) == 1 and k in on_broker)
        r.outcomes = {o: counted.get(o, 0) for o in OUTCOMES}
        total = sum(r.outcomes.values())
        repeated = sum(1 for line in processed) - len(outcomes_of)
        problems = [f"{k[0]}[{k[1]}]@{k[2]}: outcomes {sorted(outcomes_of[k])}" for k in conflicting]
        if len(on_broker) != r.published:
            problems.append(f"on the broker: {len(on_broker)} partner records, {r.published} published")
        if missing:
            problems.append(f"no outcome logged: {_ranges(missing)}")
        if unknown:
            problems.append(f"logged but not on the broker: {_ranges(unknown)}")
        r.add("outcomes", " + ".join(f"{o} {n}" for o, n in r.outcomes.items()) + f" = {total} of {r.published} published",
              total == r.published and not problems, problems)
        r.add("processed again", f"{repeated} log lines for messages already processed (after kills)")
        truth = expected_outcomes(sim, self.partner_ids)
        logged = logged_outcomes(list(first.values()))
        differ = sorted(p for p in set(truth) | set(logged) if truth.get(p) != logged.get(p))
        r.add("outcomes by partner", f"{len(truth)} partners, {len(differ)} differ from the simulator's", not differ,
              [f"{p}: logged {logged.get(p)}, simulator {truth.get(p)}" for p in differ])

    def check_settlements(self) -> None:
        r = self.report
        records = asyncio.run(read_records(self.settings.kafka_bootstrap, topics.SETTLEMENTS.name(self.settings)))
        entries: dict[str, bytes] = {}
        repeats: Counter[str] = Counter()
        differing: set[str] = set()
        for record in records:
            entry_id, value = (record.key or b"").decode(), record.value or b""
            if entry_id in entries:
                repeats[entry_id] += 1
                if entries[entry_id] != value:
                    differing.add(entry_id)
            else:
                entries[entry_id] = value
        r.add("settlement entries", f"{len(entries)} entry ids in {len(records)} records; {len(repeats)} repeated "
              f"({sum(repeats.values())} repeats), {len(differing)} not byte-identical", bool(entries) and not differing,
              [f"{e} repeated with other bytes" for e in sorted(differing)] + ["no settlement entries at all"] * (not entries))
        oracle = settlement_oracle.expected(self.sim_dir, CONTRACTS, closed=set(QUARTERS))
        hub_totals, oracle_totals = net_totals(entries), expected_net(oracle)
        groups = sorted(set(hub_totals) | set(oracle_totals))
        wrong = [k for k in groups if hub_totals.get(k) != oracle_totals.get(k)]
        r.add("settlement totals", f"{len(groups)} (contract, payer, payee, period) checked, {len(wrong)} mismatched",
              bool(groups) and not wrong,
              [f"{'|'.join(k)}: hub {hub_totals.get(k)}, oracle {oracle_totals.get(k)}" for k in wrong])
        hub_fees = fees(entries)
        oracle_fees = {k: v["period_fee"] for k, v in oracle.items() if "period_fee" in v}
        fee_keys = sorted(set(hub_fees) | set(oracle_fees))
        wrong_fees = [k for k in fee_keys if hub_fees.get(k) != oracle_fees.get(k)]
        r.add("period fees", f"{len(fee_keys)} checked, {len(wrong_fees)} mismatched", not wrong_fees,
              [f"{'|'.join(k)}: hub {hub_fees.get(k)}, oracle {oracle_fees.get(k)}" for k in wrong_fees])

    def count_stalls(self, lines: list[dict[str, Any]]) -> None:
        stalls = [line for line in lines if line.get("event") == "partition_stall"]
        self.report.stalls = Counter(str(line.get("kind")) for line in stalls)
        actions = Counter((str(line.get("kind")), str(line.get("action"))) for line in stalls)
        value = ", ".join(f"{kind} {n} ({', '.join(f'{a} {c}' for (k, a), c in sorted(actions.items()) if k == kind)})"
                          for kind, n in sorted(self.report.stalls.items()))
        exits = f"; {self.watchdog_exits} worker exit(s) by the watchdog, restarted" if self.watchdog_exits else ""
        self.report.add("stalls (watchdog)", (value or "none logged") + exits)

    def check_final_lag(self) -> None:
        names = self.all_group_topics()
        lag = asyncio.run(lag_by_partition(self.settings, names))
        behind = {k: v for k, v in lag.items() if v}
        ends = asyncio.run(_end_offsets(self.settings.kafka_bootstrap, [t for t, _ in behind])) if behind else {}
        self.report.add("final lag", f"{sum(lag.values())} on {len(lag)} partitions of {len(names)} topics",
                        bool(lag) and not behind,
                        [f"{t}[{p}]: committed {ends.get((t, p), 0) - v}, end {ends.get((t, p))}, lag {v}"
                         for (t, p), v in sorted(behind.items())])


def _ranges(keys: list[tuple[str, int, int]]) -> str:
    """(topic, partition, offset) keys as `topic[p]@a-b` ranges, at most 20 of them."""
    runs: list[list] = []
    for topic, partition, offset in keys:
        if runs and runs[-1][0] == topic and runs[-1][1] == partition and runs[-1][3] == offset - 1:
            runs[-1][3] = offset
        else:
            runs.append([topic, partition, offset, offset])
    shown = [f"{t}[{p}]@{a}" + (f"-{b}" if b != a else "") for t, p, a, b in runs[:20]]
    return ", ".join(shown) + (f" and {len(runs) - 20} more ranges" if len(runs) > 20 else "") + f" ({len(keys)} messages)"


def run_soak(options: SoakOptions, say: Callable[[str], None] = _say) -> SoakReport:
    return Soak(options, say).run()


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        print(f"soak: {message}", file=sys.stderr)
        sys.exit(2)


def _at_least(minimum: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{value} is below {minimum}")
        return value
    return parse


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0 or math.isinf(value):
        raise argparse.ArgumentTypeError(f"{text} is not a positive number")
    return value


def parse_args(argv: list[str] | None) -> SoakOptions:
    defaults = SoakOptions()
    parser = _Parser(prog="python -m tests.soak.soak", description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=_at_least(100), default=defaults.messages,
                        help=f"partner messages to publish, at least (default {defaults.messages})")
    parser.add_argument("--kills", type=_at_least(0), default=defaults.kills,
                        help=f"worker SIGKILLs, each followed by a restart (default {defaults.kills})")
    parser.add_argument("--seed", type=int, default=defaults.seed, help=f"simulation and kill plan (default {defaults.seed})")
    parser.add_argument("--partitions", type=_at_least(1), default=defaults.partitions,
                        help=f"partitions of every co-partitioned topic (default {defaults.partitions})")
    parser.add_argument("--rate", type=_positive, default=defaults.rate,
                        help=f"partner messages published per second (default {defaults.rate:g})")
    parser.add_argument("--timeout", type=_positive, default=defaults.catch_up_timeout,
                        help=f"seconds to wait until caught up (default {defaults.catch_up_timeout:g})")
    parser.add_argument("--keep", type=Path, default=None,
                        help="keep the broker, worker logs and simulation in this directory "
                             "(default: a temporary one, removed when the soak passes)")
    args = parser.parse_args(argv)
    if args.keep is not None and args.keep.exists() and any(args.keep.iterdir()):
        parser.error(f"--keep {args.keep} is not empty")
    return SoakOptions(messages=args.messages, kills=args.kills, seed=args.seed, partitions=args.partitions,
                       rate=args.rate, keep=args.keep.resolve() if args.keep else None, catch_up_timeout=args.timeout)


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    # The publisher and lag probes reconnect by themselves while the broker restarts; their
    # connection errors are expected here, the soak prints what it finds.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    report = run_soak(options)
    print(report.render(), flush=True)
    if not report.passed and options.keep is None:
        print(f"logs, broker data and simulation kept in {report.directory}", flush=True)
    return 0 if report.passed else 1


if __name__ == "__main__":
    sys.exit(main())
