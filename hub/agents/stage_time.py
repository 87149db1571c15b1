"""The seconds each stage spends on the event loop: `hub_stage_busy_seconds_total{stage}` (stages: hub/metrics.py).

Every agent runs in its worker's one event loop and awaits its sends: timing a record's work
from start to end would count, for each stage, the work of every other stage that ran while it
waited. So `timed` runs the record's coroutine step by step (a step is what runs between two
suspensions) and adds up only the steps: the stage's own handler, its encoding, and faust's
producer path up to where it yields. A stage timed inside another (settle inside timeline) is
counted for itself and taken out of the outer one. Two `perf_counter` calls per step.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Coroutine, Generator
from typing import Any, Generic, TypeVar

from hub import metrics

T = TypeVar("T")

class StageClock:
    """Times coroutines step by step; each one finished (or failed) is reported as
    `observe(stage, seconds, records)`: the records it handled (one, unless said otherwise)."""

    def __init__(self, observe: Callable[[str, float, int], None], clock: Callable[[], float] = time.perf_counter) -> None:
        self.observe = observe
        self.clock = clock
        # Seconds taken by timed stages running inside the current step, one slot per level of
        # nesting. A step is synchronous, so steps never interleave: one stack serves every task.
        self.inner: list[float] = []

    def timed(self, stage: str, work: Coroutine[Any, Any, T], records: int = 1) -> Timed[T]:
        """`await clock.timed("timeline", work(...))` does `await work(...)` and counts its own seconds."""
        return Timed(self, stage, work, records)


class Timed(Generic[T]):
    """Awaitable: drives `work` as `await work` would, timing each of its steps."""

    def __init__(self, clock: StageClock, stage: str, work: Coroutine[Any, Any, T], records: int = 1) -> None:
        self._clock, self._stage, self._work, self._records = clock, stage, work, records

    def __await__(self) -> Generator[Any, Any, T]:
        work, now, inner = self._work, self._clock.clock, self._clock.inner
        spent = 0.0
        value: Any = None
        error: BaseException | None = None
        try:
            while True:
                inner.append(0.0)
                started = now()
                try:
                    yielded = work.send(value) if error is None else work.throw(error)
                except StopIteration as done:
                    return done.value
                finally:
                    elapsed = now() - started
                    spent += elapsed - inner.pop()
                    if inner:
                        inner[-1] += elapsed
                try:
                    value, error = (yield yielded), None
                except GeneratorExit:
                    work.close()
                    raise
                except BaseException as err:  # noqa: BLE001 - a cancellation thrown into the await goes on to the work
                    value, error = None, err
        finally:
            self._clock.observe(self._stage, spent, self._records)


_children: dict[str, tuple[Any, Any]] = {}


def count_stage(stage: str, seconds: float, records: int) -> None:
    """Add to a stage's seconds and records (what `timed` does when its work ends; the parse
    stage reports its helpers' CPU seconds so)."""
    children = _children.get(stage)
    if children is None:  # labels() takes a lock: looked up once per stage
        children = _children[stage] = (metrics.STAGE_BUSY_SECONDS.labels(stage), metrics.STAGE_RECORDS.labels(stage))
    children[0].inc(seconds)
    children[1].inc(records)


# The worker's clock: every agent times its per-record work with `timed(stage, work)`.
timed = StageClock(count_stage).timed
