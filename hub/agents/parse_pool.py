"""The partner adapters in helper processes: the normalise stage's parsing off the worker's event loop.

A worker is one Python process: its event loop runs every agent, one step at a time (the GIL).
Reading partner payloads (XML and JSON, the adapters, validating and dumping the canonical
models) was a fifth of the worker's CPU, needs no state and no Kafka, and its results are
small. So it runs in `processes` helper processes (hub/parse_helper.py), while the
worker's loop goes on with the other agents; a core the worker could not use otherwise does it
(issue 15, docs/research/faust-throughput.md has the figures).

What a helper sends back per message is `Prepared` (hub/stages/prepare.py): the events' JSON
and keys, not models, so passing it costs microseconds. A batch keeps its order: the agent
publishes each message's results in the order it read them, and acknowledges the records only
after, as before.

A helper that dies (killed, out of memory) or fails: the rest of its batch is prepared in the
worker itself, and a new helper starts for the next batch. Preparing is pure, so doing a batch again
is safe and gives the same events. A helper ends with its worker, however the worker ends
(hub/parse_helper.py says how).

`processes=0` prepares in the worker's own loop, as the stage always did.
"""

from __future__ import annotations

import asyncio
import pickle
import sys
from collections.abc import AsyncIterator

from hub import metrics
from hub.logs import log
from hub.parse_helper import FRAME, frame
from hub.partners import Partner
from hub.stages.normalise import SourceRecord
from hub.stages.prepare import PreparedBatch, prepare_batch

# A batch goes to the helpers in parts of about this many messages: the agent publishes the
# first part while the helpers read the next ones (a batch is up to 500 messages, about 130 ms
# of parsing), and several helpers share a batch.
PART = 64

Items = list[tuple[SourceRecord, Partner]]


class HelperLost(Exception):
    """A helper ended, or answered with an error instead of a batch."""


class Helper:
    """One helper process and its pipes; one batch at a time."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.usable = True

    @classmethod
    async def start(cls) -> Helper:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "hub.parse_helper",
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        )
        return cls(process)

    async def prepare(self, items: Items, assumed_zone: str) -> PreparedBatch:
        stdin, stdout = self.process.stdin, self.process.stdout
        assert stdin is not None and stdout is not None
        try:
            stdin.write(frame(pickle.dumps((items, assumed_zone), protocol=pickle.HIGHEST_PROTOCOL)))
            await stdin.drain()
            size = FRAME.unpack(await stdout.readexactly(FRAME.size))[0]
            answer = pickle.loads(await stdout.readexactly(size))
        except (ConnectionError, asyncio.IncompleteReadError) as err:
            raise HelperLost(f"exit code {self.process.returncode}: {type(err).__name__}") from err
        except BaseException:
            self.stop()  # cancelled halfway through a frame: these pipes are out of step for good
            raise
        if not isinstance(answer, PreparedBatch):
            raise HelperLost(f"{type(answer).__name__}: {answer}")
        return answer

    def stop(self) -> None:
        self.usable = False
        if self.process.returncode is None:
            self.process.kill()


class ParsePool:
    def __init__(self, processes: int, assumed_zone: str) -> None:
        self.processes = processes
        self.assumed_zone = assumed_zone
        self._helpers: list[Helper] = []
        self._killed: list[Helper] = []  # until they have ended (`wait_closed`)

    async def start(self) -> None:
        """Start the helpers (each takes a fraction of a second to import the adapters)."""
        self._helpers = [helper for helper in self._helpers if helper.usable]
        while len(self._helpers) < self.processes:
            self._helpers.append(await Helper.start())

    async def prepare_in_parts(self, items: Items) -> AsyncIterator[PreparedBatch]:
        """The batch prepared, a part at a time, in order: the agent publishes a part while the
        helpers read the next ones. If a helper is lost, what is left is prepared here."""
        if not self.processes or not items:
            yield prepare_batch(items, self.assumed_zone)
            return
        parts = _parts(items, PART)
        try:
            await self.start()
        except OSError as err:
            self._lost(err, len(items))
            yield prepare_batch(items, self.assumed_zone)
            return
        answers = [asyncio.get_running_loop().create_future() for _ in parts]
        helpers = self._helpers
        feeders = [
            asyncio.create_task(self._feed(helper, [(i, parts[i]) for i in range(first, len(parts), len(helpers))], answers))
            for first, helper in enumerate(helpers)
        ]
        given = 0
        try:
            for answer in answers:
                try:
                    part = await answer
                except (HelperLost, OSError) as err:
                    left = [item for part in parts[given:] for item in part]
                    self._lost(err, len(left))
                    yield prepare_batch(left, self.assumed_zone)
                    return
                given += 1
                yield part
        finally:
            for feeder in feeders:
                feeder.cancel()
            for answer in answers:
                if answer.done() and not answer.cancelled():
                    answer.exception()  # looked at: a part never given is no "exception never retrieved"
            if given < len(parts):
                self.close()  # a helper may be halfway through a frame: start afresh

    async def _feed(self, helper: Helper, assigned: list[tuple[int, Items]], answers: list[asyncio.Future]) -> None:
        """One helper's parts, one after the other, each answer put where the batch's order wants it."""
        for at, (index, part) in enumerate(assigned):
            try:
                answers[index].set_result(await helper.prepare(part, self.assumed_zone))
            except (HelperLost, OSError) as err:
                for later, _ in assigned[at:]:
                    answers[later].set_exception(err)
                return

    def _lost(self, err: Exception, messages: int) -> None:
        metrics.PARSE_HELPERS_LOST.inc()
        log.warning("parse_helper_lost", error=str(err)[:300], messages=messages)
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


def _parts(items: list, size: int) -> list[list]:
    """`items` in contiguous parts of about `size` (at most 1.5 times it: no small last part)."""
    count = max(1, round(len(items) / size))
    step = -(-len(items) // count)
    return [items[start:start + step] for start in range(0, len(items), step)]
