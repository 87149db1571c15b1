"""Normalise: one partner message → canonical events, or a dead letter, and exactly one outcome."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from adapters.base import AdapterError, AdapterOptions, AdapterResult, Problem
from adapters.registry import PARSERS, run_adapter
from hub.partners import Partner
from schemas import CanonicalEvent, DeadLetterHeader, DeadLetterReason, Outcome


@dataclass(frozen=True)
class SourceRecord:
    """A consumed partner record, as much of it as the stage needs."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    timestamp_ms: int
    subject: str | None = None
    sent_for: str | None = None  # the partner in the record's hub-partner header, if any

    @property
    def received_at(self) -> datetime:
        return datetime.fromtimestamp(self.timestamp_ms / 1000, tz=timezone.utc)


@dataclass(frozen=True)
class DeadLetter:
    key: bytes | None
    value: bytes
    headers: dict[str, bytes]
    reason: DeadLetterReason


@dataclass(frozen=True)
class Normalised:
    outcome: Outcome
    events: tuple[CanonicalEvent, ...] = ()
    dead_letter: DeadLetter | None = None
    problems: tuple[Problem, ...] = field(default=())


def normalise(record: SourceRecord, partner: Partner, *, assumed_zone: str, stage: str = "normalise") -> Normalised:
    """Run the partner's adapter; an adapter error becomes a dead letter with the original bytes.

    A record sent for another partner than the topic's is never read with this partner's adapter.
    """
    if record.sent_for is not None and record.sent_for != partner.id:
        mismatch = AdapterError(DeadLetterReason.PARTNER_MISMATCH, f"sent for {record.sent_for[:60]!r} on the topic of {partner.id!r}")
        return Normalised(Outcome.DEAD_LETTERED, dead_letter=dead_letter(record, partner, mismatch, stage))
    options = AdapterOptions(
        partner=partner.id, partner_kind=partner.kind, subject=record.subject,
        assumed_zone=assumed_zone, country=partner.country,
    )
    try:
        result: AdapterResult = run_adapter(partner.adapter, record.value, received_at=record.received_at, options=options)
    except AdapterError as err:
        return Normalised(Outcome.DEAD_LETTERED, dead_letter=dead_letter(record, partner, err, stage))
    return Normalised(result.outcome, result.events, problems=result.problems)


def dead_letter(record: SourceRecord, partner: Partner, err: AdapterError, stage: str) -> DeadLetter:
    parser = PARSERS.get(partner.adapter)
    headers = {
        DeadLetterHeader.REASON: err.reason.value,
        DeadLetterHeader.ERROR_TYPE: err.error_type,
        DeadLetterHeader.STAGE: stage,
        DeadLetterHeader.SOURCE_TOPIC: record.topic,
        DeadLetterHeader.SOURCE_PARTITION: str(record.partition),
        DeadLetterHeader.SOURCE_OFFSET: str(record.offset),
        DeadLetterHeader.PARTNER: partner.id,
        DeadLetterHeader.ADAPTER_VERSION: str(parser.version if parser else 0),
    }
    return DeadLetter(record.key, record.value, {str(k): v.encode() for k, v in headers.items()}, err.reason)


def routing_identifier(event: CanonicalEvent) -> str:
    """The key an event travels under to identity: its smallest parcel identifier."""
    return min(str(i) for i in event.parcel_identifiers())
