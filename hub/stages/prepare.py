"""A partner message made ready to publish: normalised, each event's JSON and keys taken out.

The normalise agent (hub/agents/normalise.py) needs, of each canonical event, only its JSON
(for hub.events and the identity stage), the key it travels under, its parcel identifiers and
order references, and when it happened (metrics, the stream clock). `prepare` makes exactly
that, so that the adapters can run in a helper process (hub/agents/parse_pool.py) and what comes
back is a few bytes and strings per event, cheap to pass between processes, not models.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from adapters.base import Problem
from hub.partners import Partner
from hub.stages.normalise import DeadLetter, SourceRecord, normalise, routing_identifier
from schemas import Outcome


@dataclass(frozen=True, slots=True)
class PreparedEvent:
    json: bytes  # `CanonicalEvent.model_dump_json()`, as hub.events carries it
    key: str  # its routing identifier (`routing_identifier`)
    parcels: tuple[str, ...]
    orders: tuple[str, ...]
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class Prepared:
    """What `normalise` made of one partner message, in the form the agent publishes."""

    outcome: Outcome
    events: tuple[PreparedEvent, ...] = ()
    dead_letter: DeadLetter | None = None
    problems: tuple[Problem, ...] = ()


def prepare(record: SourceRecord, partner: Partner, *, assumed_zone: str) -> Prepared:
    result = normalise(record, partner, assumed_zone=assumed_zone)
    events = tuple(
        PreparedEvent(
            json=event.model_dump_json().encode(),
            key=routing_identifier(event),
            parcels=tuple(str(i) for i in event.parcel_identifiers()),
            orders=tuple(str(o) for o in event.order_references()),
            occurred_at=event.occurred_at,
        )
        for event in result.events
    )
    return Prepared(result.outcome, events, result.dead_letter, result.problems)


@dataclass(frozen=True, slots=True)
class PreparedBatch:
    results: list[Prepared]
    cpu_seconds: float  # what preparing them cost: CPU seconds of the thread that did it


def prepare_batch(items: list[tuple[SourceRecord, Partner]], assumed_zone: str) -> PreparedBatch:
    """`prepare` for each message, in order (a module-level function: a helper process runs it)."""
    started = time.thread_time()
    results = [prepare(record, partner, assumed_zone=assumed_zone) for record, partner in items]
    return PreparedBatch(results, time.thread_time() - started)
