"""Canonical models of the hub, version 1: what every stage and every consumer agrees on.

Nothing here knows Kafka, faust or a partner format; `adapters` and `hub` import from here,
never the other way round (an import-linter contract in pyproject.toml checks it).
"""

from schemas.deadletter import DeadLetterHeader, DeadLetterReason, Outcome
from schemas.enums import REASON_PARTY, Leg, Milestone, PartnerKind, Party, Reason, Status
from schemas.event import SCHEMA_VERSION, Amount, AmountKind, CanonicalEvent, Location, TimeSource, make_event_id
from schemas.identifiers import Identifier, Level, Scheme
from schemas.timeline import Timeline, TimelineRecord, TimelineRedirect

__all__ = [
    "REASON_PARTY",
    "SCHEMA_VERSION",
    "Amount",
    "AmountKind",
    "CanonicalEvent",
    "DeadLetterHeader",
    "DeadLetterReason",
    "Identifier",
    "Leg",
    "Level",
    "Location",
    "Milestone",
    "Outcome",
    "Party",
    "PartnerKind",
    "Reason",
    "Scheme",
    "Status",
    "TimeSource",
    "Timeline",
    "TimelineRecord",
    "TimelineRedirect",
    "make_event_id",
]
