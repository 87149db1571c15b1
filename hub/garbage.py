"""The cycle collector's settings for processes that stream partner traffic (a worker, its stage helpers)."""

from __future__ import annotations

import gc


def collect_garbage_less_often() -> None:
    """Python's cycle collector, tuned for a worker that allocates thousands of short-lived
    objects per partner message (parsed XML, models, states).

    With the default thresholds (a young collection every 700 net allocations) the collector
    took an eighth of the stages' time over the simulator's traffic (`tests/perf/pure_pipeline.py
    --shipments 1000`: 12.7 s, 10.8 s with collection off, 10.9 s with these thresholds). Almost
    nothing the stages make is cyclic; what is waits for at most 50,000 allocations. What the
    worker holds from start-up (modules, the app) is frozen out of every collection.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
