"""What a shipment's message costs the timeline helpers, kept or not: each timeline-stage message
of a simulated run replayed through the helpers' step (hub/stages/shipment_step.py:step_encoded).

- *not kept*: nothing of the shipment left in the process (caches emptied before each message),
  as for real tracking, whose messages for a shipment come hours apart;
- *kept*: the messages in their order with `--kept` shipments kept (HUB_TIMELINE_CACHE), as in
  `hub bench`, where thousands of simulated shipments move at once.

Both replay the same stored states and records (those of tests/perf/pure_pipeline.py's run), so
two versions of the stage compare on the same work; it prints CPU milliseconds a message, per
round.

    PYTHONPATH=. .venv/bin/python tests/perf/shipment_replay.py --shipments 1000 [--rounds 3] [--kept N]
"""

from __future__ import annotations

import argparse
import gc
import time
import zlib
from dataclasses import dataclass

import orjson

from hub.config import Settings
from hub.garbage import collect_garbage_less_often
from hub.stages import shipment_step
from simulator import simulate
from simulator.faults import FaultRates
from tests.perf.pure_pipeline import Pipeline

SOURCE_TOPIC = "hub.shipment-events"


class RecordingPipeline(Pipeline):
    """The pure pipeline, noting each timeline-stage message with the state it found."""

    def __init__(self) -> None:
        super().__init__()
        self.messages: list[tuple[bytes, str, bytes]] = []

    def _shipment(self, key: str, message: dict) -> None:
        stored = self.timelines.get(key)
        if stored is not None:  # a shipment's first message finds nothing to keep or miss
            self.messages.append((stored, key, orjson.dumps(message)))
        super()._shipment(key, message)


@dataclass(frozen=True)
class Round:
    messages: int
    not_kept_ms: float  # CPU ms a message, nothing of its shipment kept
    kept_ms: float  # CPU ms a message, in order, `kept` shipments kept
    same_results: bool  # every message gave the same state and records both ways


def recorded(shipments: int, seed: int = 1) -> RecordingPipeline:
    simulation = simulate(shipments, seed, FaultRates.none())
    pipeline = RecordingPipeline()
    for offset, message in enumerate(simulation.messages):
        pipeline.partner_message(offset, message.partner, message.payload, int(message.at.timestamp() * 1000), message.subject)
    return pipeline


def _result(step: shipment_step.Step) -> int:
    """A checksum of what a step gives: the state to store and the records to publish."""
    checksum = zlib.crc32(step.state or b"")
    for out in step.outputs:
        checksum = zlib.crc32(out.value, zlib.crc32(f"{out.topic} {out.key!r} {out.headers!r}".encode(), checksum))
    return checksum


def _replay_once(pipeline: RecordingPipeline, *, kept: bool) -> tuple[float, list[int]]:
    cpu, results = 0.0, []
    shipment_step.forget_kept()
    for stored, key, record in pipeline.messages:
        if not kept:
            shipment_step.forget_kept()
        started = time.thread_time()
        step = shipment_step.step_encoded(stored, key, [record], pipeline.contracts, SOURCE_TOPIC)
        cpu += time.thread_time() - started
        results.append(_result(step))
    return cpu, results


def replay(pipeline: RecordingPipeline, kept: int) -> Round:
    shipment_step.keep_shipments(kept)
    gc.collect()
    not_kept, cold_results = _replay_once(pipeline, kept=False)
    in_order, warm_results = _replay_once(pipeline, kept=True)
    count = max(len(pipeline.messages), 1)
    return Round(len(pipeline.messages), 1000 * not_kept / count, 1000 * in_order / count, cold_results == warm_results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shipments", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--kept", type=int, default=Settings.from_env({}).timeline_cache, metavar="N",
                        help="shipments kept in the in-order replay (HUB_TIMELINE_CACHE)")
    args = parser.parse_args()
    if args.shipments < 1 or args.rounds < 1 or args.kept < 0:
        parser.error("--shipments and --rounds must be at least 1, --kept at least 0")
    print(f"running the pure pipeline over {args.shipments:,} simulated shipments (no faults) ...", flush=True)
    collect_garbage_less_often()  # as a helper does
    pipeline = recorded(args.shipments)
    print(f"{len(pipeline.messages):,} timeline-stage messages for shipments with a state; CPU ms a message:", flush=True)
    for n in range(args.rounds):
        result = replay(pipeline, args.kept)
        print(f"  round {n + 1}: not kept {result.not_kept_ms:.3f}, kept ({args.kept:,} shipments, in order) {result.kept_ms:.3f}"
              f"{'' if result.same_results else '  (the results differ: a cache changed an outcome)'}", flush=True)


if __name__ == "__main__":
    main()
