"""Helper processes beside the worker: pure stage work off the worker's event loop.

A worker is one Python process: its event loop runs every agent, one step at a time (the GIL).
Work that needs no Kafka and no table, and whose inputs and results are small bytes, can run in
another process on another core while the loop goes on with the other agents (issue 15,
docs/research/faust-throughput.md has the figures). Two stages do so:
- parse (hub/agents/parse_pool.py): the partner adapters, for the normalise agent;
- fold (hub/agents/fold_pool.py): the timeline stage and settling, for the timeline agent.

Each pool has its own helpers (`python -m hub.stage_helper`). A batch goes to them in parts, in
order: the agent publishes the first part's results while the helpers do the next ones. A
helper that dies (killed, out of memory) or fails: the rest of the batch is done in the worker
itself, and a new helper starts for the next batch. The work is pure, so doing it again is safe
and gives the same results. A helper ends with its worker, however the worker ends
(hub/stage_helper.py says how). `processes=0` does the work in the worker's own loop.
"""

from __future__ import annotations

import asyncio
import pickle
import sys
from collections.abc import AsyncIterator, Callable
from typing import Any, Generic, TypeVar

from hub import metrics
from hub.logs import log
from hub.stage_helper import FRAME, frame

# A batch goes to the helpers in parts of about this many items: the agent publishes the
# first part while the helpers do the next ones (a batch is up to 500 records, about 130 ms
# of parsing), and several helpers share a batch.
PART = 64

# How much of an answer the worker's end of a helper's pipe takes in at once, before it stops
# reading until the agent takes what was read: answers are up to a few MB (the timeline
# stage's carry whole timelines); asyncio's default, 64 KiB, read them in slivers.
READ_LIMIT = 4 << 20

Result = TypeVar("Result")


class HelperLost(Exception):
    """A helper ended, or answered with an error instead of a result."""


class Helper:
    """One helper process and its pipes; one request at a time. `kept` is what the pool has
    handed this helper to keep between requests (hub/stage_helper.py)."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.usable = True
        self.kept: dict[str, Any] = {}

    @classmethod
    async def start(cls, task: str) -> Helper:
        """A helper for `task` (it imports what the task needs as it starts)."""
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "hub.stage_helper", task,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, limit=READ_LIMIT,
        )
        return cls(process)

    async def send(self, requests: list[tuple[str, tuple]]) -> None:
        """Write requests, (task, args) each, one after the other: the helper answers each in turn."""
        stdin = self.process.stdin
        assert stdin is not None
        try:
            for request in requests:
                stdin.write(frame(pickle.dumps(request, protocol=pickle.HIGHEST_PROTOCOL)))
                await stdin.drain()
        except ConnectionError as err:
            raise HelperLost(f"exit code {self.process.returncode}: {type(err).__name__}") from err
        except BaseException:
            self.stop()  # cancelled halfway through a frame: these pipes are out of step for good
            raise

    async def receive(self, answer_type: type) -> Any:
        """The answer to the oldest request not yet answered."""
        stdout = self.process.stdout
        assert stdout is not None
        try:
            size = FRAME.unpack(await stdout.readexactly(FRAME.size))[0]
            answer = pickle.loads(await stdout.readexactly(size))
        except (ConnectionError, asyncio.IncompleteReadError) as err:
            raise HelperLost(f"exit code {self.process.returncode}: {type(err).__name__}") from err
        except BaseException:
            self.stop()  # cancelled halfway through a frame: these pipes are out of step for good
            raise
        if not isinstance(answer, answer_type):
            raise HelperLost(f"{type(answer).__name__}: {answer}")
        return answer

    def stop(self) -> None:
        self.usable = False
        if self.process.returncode is None:
            self.process.kill()


class HelperPool(Generic[Result]):
    """`processes` helpers for one stage (`stage` names it in logs and metrics)."""

    def __init__(self, processes: int, stage: str, task: str) -> None:
        self.processes = processes
        self.stage = stage
        self.task = task
        self._helpers: list[Helper] = []
        self._killed: list[Helper] = []  # until they have ended (`wait_closed`)

    async def start(self) -> None:
        """Start the helpers (each takes a fraction of a second to import what it runs)."""
        self._helpers = [helper for helper in self._helpers if helper.usable]
        while len(self._helpers) < self.processes:
            self._helpers.append(await Helper.start(self.task))

    async def start_early(self) -> None:
        """Start the helpers as the agent starts, not at its first batch (a helper takes a moment
        to start); one that cannot start is logged, and the first batch tries again, and does
        the work in the worker if it must."""
        try:
            await self.start()
        except OSError as err:
            log.warning("stage_helper_not_started", stage=self.stage, error=str(err)[:300])

    async def in_parts(self, items: list, args: Callable[[Helper, list], tuple],
                       here: Callable[[list], Result], answer_type: type,
                       route: Callable[[Any], int] | None = None) -> AsyncIterator[tuple[list, Result]]:
        """Each part of `items` with `here(part)`, as done by the helpers: each is sent
        `(self.task, args(helper, part))`. Without `route` the parts are `items` in order, one helper
        after the other; with it, an item goes to helper `route(item) % processes` (whose
        caches hold what that helper saw of it before), and the parts come in turns of the
        helpers. If a helper is lost, what is left is done here, at once, as the last part."""
        if not self.processes or not items:
            yield items, here(items)
            return
        try:
            await self.start()
        except OSError as err:
            self._lost(err, len(items))
            yield items, here(items)
            return
        helpers = self._helpers
        parts, owners = _routed_parts(items, len(helpers), route)
        answers = [asyncio.get_running_loop().create_future() for _ in parts]
        feeders = [
            asyncio.create_task(self._feed(helper, [(i, parts[i]) for i in range(len(parts)) if owners[i] == h],
                                           answers, args, answer_type))
            for h, helper in enumerate(helpers)
        ]
        given = 0
        try:
            for answer in answers:
                try:
                    part = await answer
                except (HelperLost, OSError) as err:
                    left = [item for part in parts[given:] for item in part]
                    self._lost(err, len(left))
                    yield left, here(left)
                    return
                given += 1
                yield parts[given - 1], part
        finally:
            for feeder in feeders:
                feeder.cancel()
            for answer in answers:
                if answer.done() and not answer.cancelled():
                    answer.exception()  # looked at: a part never given is no "exception never retrieved"
            if given < len(parts):
                self.close()  # a helper may be halfway through a frame: start afresh

    async def _feed(self, helper: Helper, assigned: list[tuple[int, list]], answers: list[asyncio.Future],
                    args: Callable[[Helper, list], tuple], answer_type: type) -> None:
        """One helper's parts, each answer put where the batch's order wants it. Every part is
        sent at once, so the helper goes from one to the next without waiting for the worker's
        event loop to read an answer and send the next request; the answers are read meanwhile
        (reading them as the requests go keeps both pipes flowing)."""
        sending = asyncio.create_task(helper.send([(self.task, args(helper, part)) for _, part in assigned]))
        try:
            for at, (index, _) in enumerate(assigned):
                try:
                    answers[index].set_result(await helper.receive(answer_type))
                except (HelperLost, OSError) as err:
                    for later, _ in assigned[at:]:
                        answers[later].set_exception(err)
                    return
        finally:
            if not sending.done():
                sending.cancel()
            # Looked at: a helper lost while requests were going shows in the answers read.
            sending.add_done_callback(lambda done: done.cancelled() or done.exception())

    def _lost(self, err: Exception, items: int) -> None:
        metrics.HELPERS_LOST.labels(self.stage).inc()
        log.warning("stage_helper_lost", stage=self.stage, error=str(err)[:300], items=items)
        self.close()  # each starts afresh at the next batch

    def close(self) -> None:
        """Kill the helpers (what they were doing is done again by whoever reads the batch next)."""
        self._killed = [helper for helper in self._killed if helper.process.returncode is None] + self._helpers
        self._helpers = []
        for helper in self._killed:
            helper.stop()

    async def wait_closed(self) -> None:
        """Until every helper killed has ended (tests: no process outlives its event loop)."""
        killed, self._killed = self._killed, []
        await asyncio.gather(*(helper.process.wait() for helper in killed))


def _routed_parts(items: list, helpers: int, route: Callable[[Any], int] | None) -> tuple[list[list], list[int]]:
    """The parts of `items` and the helper each goes to (see `in_parts`)."""
    if route is None or helpers == 1:
        parts = _parts(items, PART)
        return parts, [i % helpers for i in range(len(parts))]
    groups = [_parts(group, PART) if (group := [x for x in items if route(x) % helpers == h]) else [] for h in range(helpers)]
    turns = [(at, h) for at in range(max(map(len, groups))) for h in range(helpers) if at < len(groups[h])]
    return [groups[h][at] for at, h in turns], [h for _, h in turns]


def _parts(items: list, size: int) -> list[list]:
    """`items` in contiguous parts of about `size` (at most 1.5 times it: no small last part)."""
    count = max(1, round(len(items) / size))
    step = -(-len(items) // count)
    return [items[start:start + step] for start in range(0, len(items), step)]
