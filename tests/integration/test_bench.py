"""`hub bench` on the real broker with a real worker: every figure of issue 15 is printed and
written, and every stage has handled records and spent time (the numbers themselves are never asserted)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from hub.metrics import STAGES

pytestmark = pytest.mark.integration


def test_the_bench_prints_and_writes_every_figure(kafka_bootstrap: str, tmp_path: Path) -> None:
    figures_file = tmp_path / "bench.json"
    env = {**os.environ, "HUB_KAFKA_BOOTSTRAP": kafka_bootstrap, "HUB_PARTITIONS": os.environ.get("HUB_TEST_PARTITIONS", "3"),
           "HUB_SESSION_TIMEOUT": "6"}
    # Seed 3's twenty shipments include Ozon parcels CDEK delivered: settlement entries under the example contracts.
    done = subprocess.run(
        [sys.executable, "-m", "hub.cli", "bench", "--shipments", "20", "--seed", "3", "--clean", "--json", str(figures_file),
         "--dir", str(tmp_path), "--timeout", "240"],
        env=env, capture_output=True, text=True, timeout=280,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    for line in ("plain aiokafka hop", "throughput", "of the plain hop", "partner record → timeline    p50",
                 "partner record → settlement  p50", "worker CPU, every thread and stage helper:", "worker 0 peak memory", "p99 → settlement"):
        assert line in out, out
    # The printed seconds are rounded (a small stage prints 0.000), so the table is checked for a row
    # per stage with records, and the exact seconds are checked in the JSON below.
    stage_records = {m.group(1): int(m.group(2).replace(",", ""))
                     for m in re.finditer(r"^    (\w+)\s+[\d.]+\s+[\d.]+%\s+([\d,]+)\s", out, re.MULTILINE)}
    assert set(STAGES) <= set(stage_records), out
    assert all(stage_records[name] > 0 for name in STAGES), out
    assert "records per stage" in done.stderr  # progress while it ran

    figures = json.loads(figures_file.read_text())
    run = figures["runs"][0]
    assert all(stage["seconds"] > 0 and stage["records"] > 0 for stage in run["stages"]), run["stages"]
    assert run["to_timeline"]["count"] > 0 and run["to_settlement"]["count"] > 0
    assert run["events_per_second"] > 0 and run["of_plain_hop"]["events"] > 0
    assert figures["plain_hop"]["records"] == run["messages"] and run["worker_cpu_seconds"][0] > 0


def test_a_backlog_is_published_first_and_timed_from_the_first_canonical_event(kafka_bootstrap: str, tmp_path: Path) -> None:
    figures_file = tmp_path / "bench.json"
    env = {**os.environ, "HUB_KAFKA_BOOTSTRAP": kafka_bootstrap, "HUB_PARTITIONS": os.environ.get("HUB_TEST_PARTITIONS", "3"),
           "HUB_SESSION_TIMEOUT": "6"}
    done = subprocess.run(
        [sys.executable, "-m", "hub.cli", "bench", "--shipments", "10", "--seed", "3", "--clean", "--backlog",
         "--json", str(figures_file), "--dir", str(tmp_path), "--timeout", "240"],
        env=env, capture_output=True, text=True, timeout=280,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    # Published before the worker started: the progress says so in that order.
    assert done.stderr.index("publishing") < done.stderr.index("starting 1 worker(s)"), done.stderr
    assert "(first canonical event → last timeline record)" in done.stdout, done.stdout
    figures = json.loads(figures_file.read_text())
    assert figures["backlog"] is True and figures["runs"][0]["events_per_second"] > 0


def test_the_bench_keeps_its_timelines_compacted_but_whole_until_read(hub_settings) -> None:
    """The first timeline holding an event is what latency is timed to: the cleaner must not take it first."""
    import asyncio

    from aiokafka.admin import AIOKafkaAdminClient

    from hub import topics
    from hub.cli.bench import _keep_timelines_until_read, _topic_config

    async def timeline_config(name: str) -> str | None:
        admin = AIOKafkaAdminClient(bootstrap_servers=hub_settings.kafka_bootstrap)
        await admin.start()
        try:
            return await _topic_config(admin, topics.TIMELINES.name(hub_settings), name)
        finally:
            await admin.close()

    async def broker_default() -> str | None:
        # The broker knows a topic just created a moment after answering.
        while (value := await timeline_config("min.compaction.lag.ms")) is None:
            await asyncio.sleep(0.1)
        return value

    assert asyncio.run(asyncio.wait_for(broker_default(), 30)) == "0"  # what the bench changes
    asyncio.run(_keep_timelines_until_read(hub_settings))
    assert asyncio.run(timeline_config("min.compaction.lag.ms")) == str(topics.DAY_MS)
    assert asyncio.run(timeline_config("cleanup.policy")) == "compact"
