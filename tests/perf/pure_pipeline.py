"""The worker's stages without Kafka or faust: where the pure handlers spend their time.

Runs the simulator's traffic (as `hub bench` publishes it) through what each agent calls, in one
process, state in dicts: normalise (the adapters), identify, identity, timeline, settle, the
timeline's JSON as published. It
prints seconds and records per stage, so a change to a stage can be measured in seconds, not
in a 2-minute bench run whose figures also carry faust and the broker; `--profile FILE` writes
a cProfile of the whole run (read it with `python -m pstats FILE`).

    PYTHONPATH=. .venv/bin/python tests/perf/pure_pipeline.py --shipments 300 [--clean] [--kept N] [--profile /tmp/p.prof]

What it leaves out is what `hub bench` adds: consuming, producing, changelogs, the turnover
stage; table values are encoded (`encode`) as a table write does, not stored.
"""

from __future__ import annotations

import argparse
import cProfile
import time
from collections import defaultdict, deque
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import orjson

from hub.config import Settings
from hub.garbage import collect_garbage_less_often
from hub.kafka import state_codec
from hub.partners import PARTNERS
from hub.settlement.contracts import load_contracts
from hub.stages.identity import IDENTITY, Send, handle_identity, observe_message
from hub.stages.money import Money, after_publish
from hub.stages.normalise import SourceRecord, normalise
from hub.stages.settle import settle_step
from hub.stages.shipment_step import keep_shipments
from hub.stages.timeline import Publish, handle_shipment_message
from hub.stages.timeline_json import record_json
from simulator import simulate
from simulator.faults import FaultRates

CONTRACTS = Path(__file__).resolve().parents[2] / "deploy" / "contracts.example.toml"


class Pipeline:
    def __init__(self) -> None:
        self.contracts = load_contracts(CONTRACTS)
        self.identity: dict[str, dict] = {}
        # Timeline states as the RocksDB store holds them: encoded, decoded at every read (the
        # codec's decode cache and the stages' model caches then hit or miss as in a worker).
        self.timelines: dict[str, bytes] = {}
        self.queue: deque[Send] = deque()
        # Where each identity message sits in its log, as the agent passes it (one partition
        # here: a message's position only has to grow).
        self.identity_offset = 0
        self.seconds: dict[str, float] = defaultdict(float)
        self.records: dict[str, int] = defaultdict(int)
        self.published = 0

    @contextmanager
    def timed(self, stage: str, records: int = 1) -> Iterator[None]:
        started = time.perf_counter()
        yield
        self.seconds[stage] += time.perf_counter() - started
        self.records[stage] += records

    def partner_message(self, offset: int, partner_id: str, payload: bytes, at_ms: int, subject: str | None) -> None:
        partner = PARTNERS[partner_id]
        record = SourceRecord(topic=f"partner.{partner_id}", partition=0, offset=offset, key=None, value=payload,
                              timestamp_ms=at_ms, subject=subject)
        with self.timed("normalise"):
            result = normalise(record, partner, assumed_zone="Europe/Moscow")
            values = [(e, e.model_dump_json().encode()) for e in result.events]
        if not values:
            return
        with self.timed("identify", len(values)):
            sends = observe_message([([str(i) for i in e.parcel_identifiers()], [str(o) for o in e.order_references()],
                                      orjson.loads(v)) for e, v in values])
        self._deliver(sends)
        self.drain()

    def _deliver(self, sends: list[Send]) -> None:
        # Through JSON, as on the wire.
        self.queue.extend(Send(s.topic, s.key, orjson.loads(orjson.dumps(s.message))) for s in sends)

    def drain(self) -> None:
        while self.queue:
            send = self.queue.popleft()
            if send.topic == IDENTITY:
                with self.timed("identity"):
                    self.identity_offset += 1
                    state, sends = handle_identity(self.identity.get(send.key), send.key, send.message, f"0:{self.identity_offset}")
                    self.identity[send.key] = state
                with self.timed("encode"):
                    state_codec.encode(state)  # as the table does at every write
                self._deliver(sends)
            else:
                self._shipment(send.key, send.message)

    def _shipment(self, key: str, message: dict) -> None:
        with self.timed("timeline"):
            stored = self.timelines.get(key)
            state, outputs = handle_shipment_message(state_codec.decode(stored) if stored else None, key, message)
            for output in outputs:
                if isinstance(output, Publish):
                    state, money = after_publish(state, output)
                    if money is Money.SETTLE:
                        with self.timed("settle"):
                            state, _, _ = settle_step(state, output.record, self.contracts)
                    with self.timed("publish"):
                        record_json(output.record)  # as the agent publishes it (once per batch there)
                    self.published += 1
        with self.timed("encode"):
            self.timelines[key] = state_codec.encode(state)
            if stored is not None:
                state_codec.forget_decoded(stored)  # as hub/stages/shipment_step.py:step_encoded does
        self._deliver([o for o in outputs if isinstance(o, Send)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shipments", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--clean", action="store_true", help="no faults, as `hub bench --clean`")
    parser.add_argument("--profile", type=Path, help="write a cProfile of the run here")
    parser.add_argument("--kept", type=int, default=Settings.from_env({}).timeline_cache, metavar="N",
                        help="shipments whose work the timeline stage keeps (HUB_TIMELINE_CACHE; one process here, "
                             "where a worker's shipments are shared among its helpers)")
    args = parser.parse_args()
    if args.kept < 0:
        parser.error(f"--kept {args.kept}: must be at least 0")
    keep_shipments(args.kept)

    simulation = simulate(args.shipments, args.seed, FaultRates.none() if args.clean else FaultRates())
    collect_garbage_less_often()  # as the worker does
    pipeline = Pipeline()
    profile = cProfile.Profile() if args.profile else None
    started = time.perf_counter()
    if profile:
        profile.enable()
    for offset, message in enumerate(simulation.messages):
        pipeline.partner_message(offset, message.partner, message.payload, int(message.at.timestamp() * 1000), message.subject)
    if profile:
        profile.disable()
        profile.dump_stats(args.profile)
    total = time.perf_counter() - started
    print(f"{len(simulation.messages):,} partner messages, {pipeline.records['identify']:,} canonical events, "
          f"{pipeline.published:,} timelines published, {total:.2f} s")
    timeline_own = pipeline.seconds["timeline"] - pipeline.seconds["settle"] - pipeline.seconds["publish"]
    print(f"  {'stage':10} {'seconds':>8} {'records':>8} {'ms/record':>10}")
    for stage in ("normalise", "identify", "identity", "timeline", "settle", "publish", "encode"):
        seconds = timeline_own if stage == "timeline" else pipeline.seconds[stage]
        records = pipeline.records[stage]
        print(f"  {stage:10} {seconds:8.2f} {records:8,} {1000 * seconds / max(records, 1):10.3f}")


if __name__ == "__main__":
    main()
