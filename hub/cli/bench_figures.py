"""`hub bench`'s figures from what it read (topic records, /metrics, /proc), its table and its JSON.

Pure: hub/cli/bench.py runs the workers and reads the broker; everything here can be checked
without either.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime

from hub.cli._shared import percentile
from hub.kafka.plain_hop import HopResult
from hub.metrics import STAGES
from hub.web.metrics_text import Series, by_labels

# (broker timestamp in ms, value) of one record.
TimedRecord = tuple[int, bytes | None]


def _epoch_ms(text: str) -> int:
    return int(datetime.fromisoformat(text).timestamp() * 1000)


def timeline_latencies(timelines: Iterable[TimedRecord]) -> list[int]:
    """Per event, ms from its partner record (`received_at`, the broker's timestamp) to the first timeline record holding it."""
    seen: set[str] = set()
    latencies = []
    for timestamp, value in sorted(timelines, key=lambda r: r[0]):
        for event in json.loads(value or b"{}").get("events", []):
            if event["event_id"] not in seen:
                seen.add(event["event_id"])
                latencies.append(timestamp - _epoch_ms(event["received_at"]))
    return latencies


def settlement_latencies(settlements: Iterable[TimedRecord]) -> list[int]:
    """Per entry, ms from the partner record that completed its inputs (`inputs_received_at`) to its first record."""
    seen: set[str] = set()
    latencies = []
    for timestamp, value in sorted(settlements, key=lambda r: r[0]):
        if not value:
            continue
        entry = json.loads(value)
        if entry["entry_id"] not in seen:
            seen.add(entry["entry_id"])
            latencies.append(timestamp - _epoch_ms(entry["inputs_received_at"]))
    return latencies


@dataclass(frozen=True)
class Latency:
    count: int
    p50_ms: int | None
    p99_ms: int | None

    @classmethod
    def of(cls, values: list[int]) -> Latency:
        return cls(len(values), percentile(values, 0.50), percentile(values, 0.99))


@dataclass(frozen=True)
class Stage:
    name: str
    seconds: float
    records: int
    share: float  # of every stage's seconds together


def stages_from_metrics(series: Series) -> list[Stage]:
    """Each stage's seconds on the event loop and records, summed over workers, in pipeline order."""
    seconds = by_labels(series, "hub_stage_busy_seconds_total", "stage")
    records = by_labels(series, "hub_stage_records_total", "stage")
    total = sum(seconds.get((name,), 0.0) for name in STAGES)
    return [
        Stage(name, seconds.get((name,), 0.0), int(records.get((name,), 0)), seconds.get((name,), 0.0) / total if total else 0.0)
        for name in STAGES
    ]


def progress_line(series: Series, messages: int, elapsed: float) -> str:
    """How far the workers have got, from their /metrics: partner messages processed, records per stage."""
    processed = int(sum(by_labels(series, "hub_partner_messages_total").values()))
    records = by_labels(series, "hub_stage_records_total", "stage")
    stages = ", ".join(f"{name} {int(records.get((name,), 0)):,}" for name in STAGES)
    percent = 100 * processed // messages if messages else 100
    return f"{elapsed:.0f} s: {processed:,}/{messages:,} partner messages processed ({percent}%); records per stage: {stages}"


def machine_cpu_seconds_from_stat(stat: str, ticks_per_second: int) -> float:
    """CPU seconds the whole machine has been busy (every core, every process), from /proc/stat:
    the first line's user, nice, system, irq, softirq and steal (idle and iowait left out)."""
    fields = stat.splitlines()[0].split()
    assert fields[0] == "cpu", "the first line of /proc/stat sums every core"
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[1:9])
    return (user + nice + system + irq + softirq + steal) / ticks_per_second


def cpu_seconds_from_stat(stat: str, ticks_per_second: int) -> float:
    """User plus system CPU seconds of every thread of a process, from its /proc/<pid>/stat line."""
    # The command name (field 2) is in parentheses and may hold spaces: count fields after it.
    fields = stat[stat.rindex(")") + 2:].split()
    utime, stime = int(fields[11]), int(fields[12])  # fields 14 and 15 of proc(5)
    return (utime + stime) / ticks_per_second


@dataclass(frozen=True)
class Run:
    """One run of the pipeline: K workers on fresh topics, the whole simulation through them."""

    workers: int
    messages: int
    events: int
    published_seconds: float
    pipeline_seconds: float | None  # first partner record (first canonical event with --backlog) → last timeline record (broker timestamps)
    caught_up_seconds: float  # from the first publish until the group had no lag
    to_timeline: Latency
    to_settlement: Latency
    stages: list[Stage]
    worker_cpu_seconds: list[float | None]
    peak_memory_mib: list[float | None]
    # The machine's CPU seconds (every process: broker, publisher, workers) over the span the
    # workers' CPU seconds were counted in, and its cores: where the cores went.
    machine_cpu_seconds: float | None = None
    cpu_span_seconds: float | None = None
    cores: int | None = None

    @property
    def messages_per_second(self) -> float | None:
        return self.messages / self.pipeline_seconds if self.pipeline_seconds else None

    @property
    def events_per_second(self) -> float | None:
        return self.events / self.pipeline_seconds if self.pipeline_seconds else None


@dataclass(frozen=True)
class Start:
    """One worker start after the run: how long until its /health said ready, what it read back, its peak memory."""

    ready_seconds: float | None  # None: not ready in time
    changelog_records: int | None  # hub_changelog_records_recovered_total, summed over tables
    peak_memory_mib: float | None


@dataclass(frozen=True)
class Restart:
    """The first run's worker SIGKILLed once caught up, started again on its data directory, then on an empty one."""

    store: str
    on_data_dir: Start
    on_empty_dir: Start


@dataclass(frozen=True)
class Report:
    command: str
    rate: float | None
    runs: list[Run]
    plain_hop: HopResult | None = None
    notes: list[str] = field(default_factory=list)
    restart: Restart | None = None
    # Published before the workers started (`--backlog`): runs timed from the first canonical event.
    backlog: bool = False

    def of_plain_hop(self, rate: float | None) -> float | None:
        """A rate as a fraction of the plain loop's records per second."""
        reference = self.plain_hop.per_second if self.plain_hop else None
        return rate / reference if rate is not None and reference else None

    @property
    def scaling(self) -> float | None:
        """Events per second of the last run over the first (1 worker → K)."""
        if len(self.runs) < 2:
            return None
        first, last = self.runs[0].events_per_second, self.runs[-1].events_per_second
        return last / first if first and last is not None else None


def _number(value: float | None, digits: int = 0) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}"


def _percent(fraction: float | None) -> str:
    if fraction is None:
        return "n/a"
    return f"{100 * fraction:.2f}%" if fraction < 0.1 else f"{100 * fraction:.1f}%"


def _ms(value: int | None) -> str:
    return "n/a" if value is None else f"{value:,} ms"


def _latency(latency: Latency, what: str) -> str:
    if latency.count == 0:
        return f"none ({what})"
    return f"p50 {_ms(latency.p50_ms)}, p99 {_ms(latency.p99_ms)} ({latency.count:,} {what})"


def _workers(n: int) -> str:
    return f"{n} worker" + ("" if n == 1 else "s")


def render(report: Report) -> str:
    """The report as printed: each run's figures, then one table across runs."""
    lines = [report.command]
    if report.plain_hop is not None:
        hop = report.plain_hop
        lines.append(f"  plain aiokafka hop           {_number(hop.per_second)} records/s "
                     f"({hop.records:,} partner records, consume → produce, one hop, {hop.seconds:.2f} s, {hop.cpu_seconds:.2f} CPU s)")
    load = f"at {report.rate:g} messages/s" if report.rate else "everything published at once: includes the queue"
    for run in report.runs:
        lines.append(f"{_workers(run.workers)}:")
        lines.append(f"  partner messages             {run.messages:,} (published in {run.published_seconds:.1f} s)")
        lines.append(f"  canonical events             {run.events:,}")
        if run.pipeline_seconds:
            start = "first canonical event" if report.backlog else "first partner record"
            lines.append(f"  pipeline time                {run.pipeline_seconds:.1f} s ({start} → last timeline record)")
            lines.append(f"  throughput                   {_number(run.messages_per_second)} messages/s, {_number(run.events_per_second)} events/s")
            lines.append(f"  of the plain hop             {_percent(report.of_plain_hop(run.messages_per_second))} in messages, "
                         f"{_percent(report.of_plain_hop(run.events_per_second))} in events")
        lines.append(f"  until caught up              {run.caught_up_seconds:.1f} s from the first publish")
        lines.append(f"  partner record → timeline    {_latency(run.to_timeline, 'events')}, {load}")
        lines.append(f"  partner record → settlement  {_latency(run.to_settlement, 'entries')}")
        lines.append("  stage        seconds   share    records   ms/record")
        for stage in run.stages:
            per_record = 1000 * stage.seconds / stage.records if stage.records else None
            lines.append(f"    {stage.name:<10} {stage.seconds:>8.3f} {_percent(stage.share):>7} {stage.records:>10,} {_number(per_record, 3):>11}")
        busy = sum(stage.seconds for stage in run.stages)
        cpu = [c for c in run.worker_cpu_seconds if c is not None]
        lines.append(f"    {'all':<10} {busy:>8.2f}   (worker CPU, every thread and stage helper: " + (f"{sum(cpu):.2f} s)" if cpu else "unknown)"))
        if run.machine_cpu_seconds is not None and cpu and run.cores and run.cpu_span_seconds:
            capacity = run.cores * run.cpu_span_seconds
            lines.append(f"    machine CPU {run.machine_cpu_seconds:.1f} s of {capacity:.1f} ({run.cores} cores × {run.cpu_span_seconds:.1f} s): "
                         f"workers {sum(cpu):.1f}, the rest (broker, publisher, system) {run.machine_cpu_seconds - sum(cpu):.1f}")
        for index, peak in enumerate(run.peak_memory_mib):
            memory = f"{peak:.0f} MiB (VmHWM, with its stage helpers)" if peak is not None else "unknown"
            lines.append(f"  worker {index} peak memory        {memory}")
    if report.restart is not None:
        lines.extend(_restart_lines(report.restart))
    lines.extend(_summary(report))
    lines.extend(f"note: {note}" for note in report.notes)
    return "\n".join(lines)


def _restart_lines(restart: Restart) -> list[str]:
    def start(s: Start) -> str:
        ready = f"ready in {s.ready_seconds:.1f} s" if s.ready_seconds is not None else "not ready in time"
        records = f"{s.changelog_records:,}" if s.changelog_records is not None else "n/a"
        peak = f"{s.peak_memory_mib:.0f} MiB" if s.peak_memory_mib is not None else "n/a"
        return f"{ready}, {records} changelog records read, peak memory {peak}"

    return [f"restart after SIGKILL (tables in {restart.store}):",
            f"  on its data directory        {start(restart.on_data_dir)}",
            f"  on an empty data directory   {start(restart.on_empty_dir)}"]


def _summary(report: Report) -> list[str]:
    header = f"{'':<10} {'messages/s':>11} {'events/s':>9} {'of plain hop':>13} {'p99 → timeline':>15} {'p99 → settlement':>17} {'CPU s':>8}"
    lines = ["", header]
    for run in report.runs:
        cpu = [c for c in run.worker_cpu_seconds if c is not None]
        lines.append(
            f"{_workers(run.workers):<10} {_number(run.messages_per_second):>11} {_number(run.events_per_second):>9} "
            f"{_percent(report.of_plain_hop(run.events_per_second)):>13} {_ms(run.to_timeline.p99_ms):>15} "
            f"{_ms(run.to_settlement.p99_ms):>17} {(f'{sum(cpu):.1f}' if cpu else 'n/a'):>8}"
        )
    if report.plain_hop is not None:
        lines.append(f"{'plain hop':<10} {_number(report.plain_hop.per_second):>11} {'':>9} {'100%':>13}")
    if report.scaling is not None:
        lines.append(f"scaling 1 → {report.runs[-1].workers} workers: {report.scaling:.2f}× the events/s of one")
    return lines


def as_json(report: Report) -> dict:
    """The figures as plain JSON, for `--json FILE`."""

    def run(r: Run) -> dict:
        return {
            **asdict(r),
            "messages_per_second": r.messages_per_second, "events_per_second": r.events_per_second,
            "of_plain_hop": {"messages": report.of_plain_hop(r.messages_per_second), "events": report.of_plain_hop(r.events_per_second)},
        }

    return {
        "command": report.command, "rate": report.rate, "backlog": report.backlog, "runs": [run(r) for r in report.runs],
        "plain_hop": None if report.plain_hop is None else {**asdict(report.plain_hop), "per_second": report.plain_hop.per_second},
        "scaling": report.scaling, "notes": report.notes,
        "restart": None if report.restart is None else asdict(report.restart),
    }
