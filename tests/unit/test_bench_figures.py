"""`hub bench`'s figures: latencies from broker timestamps, stage shares, CPU from /proc, the table and the JSON."""

from __future__ import annotations

import json

import pytest

from hub.cli._shared import percentile
from hub.cli.bench_figures import (
    Latency,
    Report,
    Restart,
    Run,
    Stage,
    Start,
    as_json,
    cpu_seconds_from_stat,
    machine_cpu_seconds_from_stat,
    progress_line,
    render,
    settlement_latencies,
    stages_from_metrics,
    timeline_latencies,
)
from hub.kafka.plain_hop import HopClock, HopResult
from hub.metrics import STAGES
from hub.web.metrics_text import parse_metrics

pytestmark = pytest.mark.unit

# 2026-03-01T00:00:00Z in ms since the epoch.
T0 = 1_772_323_200_000


def _timeline(*events: tuple[str, str]) -> bytes:
    return json.dumps({"events": [{"event_id": e, "received_at": at} for e, at in events]}).encode()


def test_percentile_is_the_nearest_rank() -> None:
    assert percentile([], 0.5) is None
    assert percentile([7], 0.99) == 7
    assert percentile([5, 1, 4, 2, 3], 0.5) == 3
    assert percentile(list(range(1, 101)), 0.99) == 99
    assert percentile(list(range(1, 101)), 1.0) == 100


def test_an_event_counts_once_from_its_partner_record_to_the_first_timeline_holding_it() -> None:
    records = [
        (T0 + 900, _timeline(("e1", "2026-03-01T00:00:00+00:00"), ("e2", "2026-03-01T03:00:00.500+03:00"))),
        (T0 + 300, _timeline(("e1", "2026-03-01T00:00:00Z"))),  # earlier on the broker, though read later
        (T0 + 950, None),  # a tombstone holds nothing
    ]
    assert sorted(timeline_latencies(records)) == [300, 400]


def test_a_settlement_entry_counts_once_from_the_record_that_completed_its_inputs() -> None:
    entry = {"entry_id": "ent_1", "inputs_received_at": "2026-03-01T00:00:01Z"}
    records = [(T0 + 1_250, json.dumps(entry).encode()), (T0 + 5_000, json.dumps(entry).encode())]
    assert settlement_latencies(records) == [250]
    assert Latency.of(settlement_latencies(records)) == Latency(1, 250, 250)
    assert Latency.of([]) == Latency(0, None, None)


METRICS = """
# TYPE hub_stage_busy_seconds counter
hub_stage_busy_seconds_total{stage="normalise"} 3.0
hub_stage_busy_seconds_total{stage="timeline"} 1.0
# TYPE hub_stage_records counter
hub_stage_records_total{stage="normalise"} 10.0
hub_stage_records_total{stage="timeline"} 40.0
# TYPE hub_partner_messages counter
hub_partner_messages_total{outcome="normalised",partner="cdek",reason=""} 6.0
hub_partner_messages_total{outcome="dead_lettered",partner="ozon",reason="not_json"} 1.0
"""


def test_stages_come_in_pipeline_order_with_their_share_of_every_stage_s_seconds() -> None:
    stages = stages_from_metrics(parse_metrics(METRICS))
    assert [s.name for s in stages] == list(STAGES)
    by_name = {s.name: s for s in stages}
    assert by_name["normalise"] == Stage("normalise", 3.0, 10, 0.75)
    assert by_name["timeline"] == Stage("timeline", 1.0, 40, 0.25)
    assert by_name["turnover"] == Stage("turnover", 0.0, 0, 0.0)


def test_the_progress_line_says_how_many_partner_messages_are_done_and_each_stage_s_records() -> None:
    line = progress_line(parse_metrics(METRICS), 28, 12.4)
    assert line.startswith("12 s: 7/28 partner messages processed (25%)")
    assert "normalise 10, identify 0, identity 0, fold 0, timeline 40, settle 0, turnover 0" in line


def test_cpu_seconds_are_user_plus_system_of_every_thread() -> None:
    # A command name with spaces and a parenthesis must not shift the fields.
    stat = "4242 (hub (worker) x) S 1 4242 4242 0 -1 4194560 900 0 0 0 250 130 7 3 20 0 9 0 100 0 0"
    assert cpu_seconds_from_stat(stat, 100) == pytest.approx(3.8)


def test_machine_cpu_seconds_are_every_core_busy() -> None:
    stat = "cpu  1000 50 300 9000 40 7 3 0 0 0\ncpu0 500 25 150 4500 20 4 2 0 0 0\n"
    # user + nice + system + irq + softirq + steal: 1000 + 50 + 300 + 7 + 3 + 0 ticks.
    assert machine_cpu_seconds_from_stat(stat, 100) == pytest.approx(13.6)


def _run(workers: int, events_per_second: float) -> Run:
    stages = [Stage(name, 1.0, 10, 1 / len(STAGES)) for name in STAGES]
    return Run(workers, 1000, int(events_per_second * 10), 2.0, 10.0, 12.0, Latency(100, 120, 900), Latency(4, 300, 1_500),
               stages, [5.0] * workers, [100.0] * workers, 5.0 * workers + 6.5, 12.5, 2)


def test_the_report_prints_every_figure_and_the_scaling() -> None:
    report = Report("hub bench --shipments 80 --workers 2", None, [_run(1, 400.0), _run(2, 700.0)], HopResult(1000, 0.05, 0.04))
    text = render(report)
    assert "plain aiokafka hop           20,000 records/s" in text
    assert "throughput                   100 messages/s, 400 events/s" in text
    assert "of the plain hop             0.50% in messages, 2.00% in events" in text
    assert "partner record → timeline    p50 120 ms, p99 900 ms (100 events)" in text
    assert "partner record → settlement  p50 300 ms, p99 1,500 ms (4 entries)" in text
    for name in STAGES:
        assert f"    {name:<10}    1.000 {100 / len(STAGES):>6.1f}%         10     100.000" in text
    assert "worker CPU, every thread and stage helper: 10.00 s" in text
    assert "worker 1 peak memory        100 MiB (VmHWM, with its stage helpers)" in text
    # Two workers' 10 CPU s and the rest's 6.5 of the 25 two cores had over 12.5 s.
    assert "machine CPU 16.5 s of 25.0 (2 cores × 12.5 s): workers 10.0, the rest (broker, publisher, system) 6.5" in text
    assert "scaling 1 → 2 workers: 1.75× the events/s of one" in text
    assert report.scaling == pytest.approx(1.75)


def test_the_json_holds_the_same_figures() -> None:
    report = Report("hub bench --shipments 80", 50.0, [_run(1, 400.0)], HopResult(1000, 0.05, 0.04), ["a note"])
    figures = json.loads(json.dumps(as_json(report)))
    run = figures["runs"][0]
    assert run["events_per_second"] == 400.0 and run["messages_per_second"] == 100.0
    assert run["of_plain_hop"] == {"messages": 0.005, "events": 0.02}
    assert run["to_settlement"] == {"count": 4, "p50_ms": 300, "p99_ms": 1500}
    assert [s["name"] for s in run["stages"]] == list(STAGES)
    assert figures["plain_hop"]["per_second"] == 20_000.0 and figures["rate"] == 50.0
    assert figures["scaling"] is None and figures["notes"] == ["a note"]


def test_a_backlog_run_says_it_is_timed_from_the_first_canonical_event() -> None:
    flood = render(Report("hub bench --shipments 80", None, [_run(1, 400.0)]))
    backlog = Report("hub bench --shipments 80 --backlog", None, [_run(1, 400.0)], backlog=True)
    assert "pipeline time                10.0 s (first partner record → last timeline record)" in flood
    assert "pipeline time                10.0 s (first canonical event → last timeline record)" in render(backlog)
    assert json.loads(json.dumps(as_json(backlog)))["backlog"] is True


def test_the_restart_after_a_kill_is_printed_and_in_the_json() -> None:
    restart = Restart("rocksdb://", Start(4.25, 12, 150.0), Start(None, None, None))
    report = Report("hub bench --shipments 80", None, [_run(1, 400.0)], None, [], restart)
    text = render(report)
    assert "restart after SIGKILL (tables in rocksdb://):" in text
    assert "on its data directory        ready in 4.2 s, 12 changelog records read, peak memory 150 MiB" in text
    assert "on an empty data directory   not ready in time, n/a changelog records read, peak memory n/a" in text
    figures = json.loads(json.dumps(as_json(report)))
    assert figures["restart"]["on_data_dir"] == {"ready_seconds": 4.25, "changelog_records": 12, "peak_memory_mib": 150.0}


def test_without_a_reference_or_a_span_the_figures_say_n_a() -> None:
    run = Run(1, 10, 0, 1.0, None, 3.0, Latency(0, None, None), Latency(0, None, None), [], [None], [None])
    text = render(Report("hub bench --shipments 1", None, [run]))
    assert "partner record → settlement  none (entries)" in text
    assert "worker CPU, every thread and stage helper: unknown" in text and "peak memory        unknown" in text


def test_the_hop_clock_times_from_the_first_record_to_the_stop() -> None:
    clock = HopClock(3)
    assert HopResult.of(clock) == HopResult(0, 0.0, 0.0) and HopResult.of(clock).per_second is None
    assert clock.tick() is False and clock.tick(2) is True
    clock.stop()
    result = HopResult.of(clock)
    assert result.records == 3 and result.seconds >= 0
