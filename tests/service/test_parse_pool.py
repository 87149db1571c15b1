"""Parse helpers (hub/agents/parse_pool.py, hub/agents/helper_pool.py, hub/stage_helper.py): real helper processes give what
preparing in the worker gives, in order; a helper lost costs nothing; a helper ends with its worker."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from hub import metrics
from hub.agents.helper_pool import PART, _parts
from hub.agents.parse_pool import ParsePool
from hub.partners import PARTNERS
from hub.stages.normalise import SourceRecord, normalise, routing_identifier
from hub.stages.prepare import PreparedBatch, prepare, prepare_batch
from simulator import simulate
from simulator.faults import FaultRates

pytestmark = pytest.mark.service

ZONE = "Europe/Moscow"


def simulated(shipments: int = 40, seed: int = 5) -> list[tuple[SourceRecord, object]]:
    """Simulated partner messages with faults (bad payloads among them), as the agent hands them over."""
    simulation = simulate(shipments, seed, FaultRates())
    return [
        (SourceRecord(f"partner.{m.partner}", 0, offset, None, m.payload, int(m.at.timestamp() * 1000), subject=m.subject),
         PARTNERS[m.partner])
        for offset, m in enumerate(simulation.messages)
    ]


async def prepare_all(pool: ParsePool, items: list) -> PreparedBatch:
    """The whole batch, its parts put together."""
    parts = [part async for part in pool.prepare_in_parts(items)]
    return PreparedBatch([r for part in parts for r in part.results], sum(part.cpu_seconds for part in parts))


def test_prepare_keeps_what_normalise_made_of_each_event() -> None:
    items = simulated()
    assert any(prepare(r, p, assumed_zone=ZONE).dead_letter is not None for r, p in items), "faults should dead-letter some"
    for record, partner in items:
        result, prepared = normalise(record, partner, assumed_zone=ZONE), prepare(record, partner, assumed_zone=ZONE)
        assert (prepared.outcome, prepared.dead_letter, prepared.problems) == (result.outcome, result.dead_letter, result.problems)
        assert [e.json for e in prepared.events] == [e.model_dump_json().encode() for e in result.events]
        assert [e.key for e in prepared.events] == [routing_identifier(e) for e in result.events]
        assert [e.parcels for e in prepared.events] == [tuple(str(i) for i in e.parcel_identifiers()) for e in result.events]
        assert [e.orders for e in prepared.events] == [tuple(str(o) for o in e.order_references()) for e in result.events]
        assert [e.occurred_at for e in prepared.events] == [e.occurred_at for e in result.events]


def test_a_batch_is_split_in_order_into_parts_of_about_the_size_asked() -> None:
    items = list(range(500))
    parts = _parts(items, PART)
    assert [i for part in parts for i in part] == items
    assert len(parts) == 8 and all(59 <= len(part) <= 63 for part in parts)
    assert _parts(items[:90], PART) == [items[:90]]  # no small last part
    assert _parts(items[:100], PART) == [items[:50], items[50:100]]
    assert _parts(items[:1], PART) == [items[:1]]


@pytest.mark.parametrize("processes", [1, 2])
async def test_helpers_prepare_what_the_worker_would_in_the_same_order(processes: int) -> None:
    items = simulated()
    pool = ParsePool(processes, ZONE)
    try:
        done = [await prepare_all(pool, items[start:start + 150]) for start in range(0, len(items), 150)]
        helpers = [helper.process.pid for helper in pool._helpers]
    finally:
        pool.close()
        await pool.wait_closed()
    assert len(set(helpers)) == processes and os.getpid() not in helpers
    assert [r for batch in done for r in batch.results] == prepare_batch(items, ZONE).results
    assert all(batch.cpu_seconds > 0 for batch in done)


async def test_a_helper_killed_loses_nothing_and_is_replaced() -> None:
    items = simulated()
    pool = ParsePool(1, ZONE)
    lost = metrics.HELPERS_LOST.labels("parse")._value.get()
    try:
        first = await prepare_all(pool, items[:100])
        (helper,) = pool._helpers
        os.kill(helper.process.pid, signal.SIGKILL)
        await helper.process.wait()
        second = await prepare_all(pool, items[100:200])  # prepared in the worker itself
        third = await prepare_all(pool, items[200:300])  # by a new helper
        (replacement,) = pool._helpers
    finally:
        pool.close()
        await pool.wait_closed()
    assert metrics.HELPERS_LOST.labels("parse")._value.get() == lost + 1
    assert replacement.process.pid != helper.process.pid
    assert first.results + second.results + third.results == prepare_batch(items[:300], ZONE).results


async def test_a_helper_lost_halfway_through_a_batch_leaves_the_rest_to_the_worker_in_order() -> None:
    items = simulated()[:300]
    pool = ParsePool(1, ZONE)
    parts = []
    try:
        async for part in pool.prepare_in_parts(items):
            if not parts:  # the first part is back, the helper is busy with the next ones
                os.kill(pool._helpers[0].process.pid, signal.SIGKILL)
            parts.append(part)
    finally:
        pool.close()
        await pool.wait_closed()
    assert len(parts) == 2, "the first part from the helper, the rest prepared in the worker at once"
    assert [r for part in parts for r in part.results] == prepare_batch(items, ZONE).results


async def test_what_fails_in_a_helper_fails_as_it_would_in_the_worker() -> None:
    record, partner = simulated()[0]
    broken = replace(partner, adapter="no_such_adapter")  # run_adapter's lookup raises: a bug, not a bad payload
    pool = ParsePool(1, ZONE)
    try:
        with pytest.raises(KeyError, match="no_such_adapter"):
            await prepare_all(pool, [(record, broken)])
        assert (await prepare_all(pool, [(record, partner)])).results == prepare_batch([(record, partner)], ZONE).results
    finally:
        pool.close()
        await pool.wait_closed()


def test_a_helper_ends_with_its_worker_even_when_the_worker_is_killed(tmp_path: Path) -> None:
    # A stand-in worker: starts a pool, says its helper's pid, then waits to be killed.
    script = tmp_path / "worker.py"
    script.write_text(
        "import asyncio\n"
        "from hub.agents.parse_pool import ParsePool\n"
        "async def main():\n"
        "    pool = ParsePool(1, 'Europe/Moscow')\n"
        "    await pool.start()\n"
        "    print(pool._helpers[0].process.pid, flush=True)\n"
        "    await asyncio.sleep(60)\n"
        "asyncio.run(main())\n"
    )
    root = Path(__file__).resolve().parents[2]
    worker = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": str(root)})
    try:
        helper = int(worker.stdout.readline())
        assert _alive(helper)
        worker.kill()
        worker.wait(timeout=10)
        deadline = time.monotonic() + 10
        while _alive(helper) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(helper), "the helper outlived its SIGKILLed worker"
    finally:
        worker.kill()
        worker.wait()
        worker.stdout.close()


def _alive(pid: int) -> bool:
    """Running (a zombie, dead but not yet reaped by its new parent, counts as gone)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_without_helpers_the_worker_prepares_itself() -> None:
    items = simulated(10)
    pool = ParsePool(0, ZONE)
    assert asyncio.run(prepare_all(pool, items)).results == prepare_batch(items, ZONE).results
    assert pool._helpers == []


async def test_a_helper_that_cannot_start_leaves_the_parsing_to_the_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    items = simulated(10)
    monkeypatch.setattr(sys, "executable", "/nonexistent/python3")
    pool = ParsePool(1, ZONE)
    lost = metrics.HELPERS_LOST.labels("parse")._value.get()
    with pytest.raises(OSError):
        await pool.start()
    await pool.start_early()  # as an agent starts: logged, not raised
    assert (await prepare_all(pool, items)).results == prepare_batch(items, ZONE).results
    assert metrics.HELPERS_LOST.labels("parse")._value.get() == lost + 1 and pool._helpers == []


def test_a_helper_widens_its_pipes_to_a_mebibyte_where_linux_allows() -> None:
    import fcntl

    from hub.stage_helper import PIPE_SIZE, widen_pipes

    if not hasattr(fcntl, "F_GETPIPE_SZ"):
        pytest.skip("pipe sizes are Linux's")
    read, write = os.pipe()
    saved = os.dup(0), os.dup(1)
    try:
        os.dup2(read, 0)
        os.dup2(write, 1)
        widen_pipes()
        assert fcntl.fcntl(read, fcntl.F_GETPIPE_SZ) == PIPE_SIZE
    finally:
        os.dup2(saved[0], 0)
        os.dup2(saved[1], 1)
        for fd in (read, write, *saved):
            os.close(fd)
