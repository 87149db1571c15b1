"""Helpers for hand-written golden expectations: read a case file, compare the fields named."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from adapters.base import AdapterOptions, AdapterResult
from adapters.registry import run_adapter
from schemas import CanonicalEvent

RECEIVED_AT = datetime.fromisoformat("2024-06-01T12:00:00+00:00")


def run_case(adapter: str, cases: Path, name: str, options: AdapterOptions) -> AdapterResult:
    return run_adapter(adapter, (cases / name).read_bytes(), received_at=RECEIVED_AT, options=options)


def event_view(event: CanonicalEvent) -> dict[str, Any]:
    """The fields a golden expectation is written in, as plain values."""
    return {
        "subject": list(event.subject),
        "references": list(event.references),
        "status": event.status.value,
        "milestone": event.milestone.value,
        "reason": event.reason.value if event.reason else None,
        "reason_party": event.reason_party.value if event.reason_party else None,
        "occurred_at": event.occurred_at.isoformat(),
        "local_offset_minutes": event.local_offset_minutes,
        "offset_assumed": event.offset_assumed,
        "time_source": event.time_source.value,
        "raw_code": event.raw_code,
        "amounts": [(a.kind.value, a.minor, a.currency) for a in event.amounts],
        "promised_delivery": event.promised_delivery.isoformat() if event.promised_delivery else None,
        "flags": list(event.flags),
    }


def assert_event(event: CanonicalEvent, expected: dict[str, Any]) -> None:
    """Every key of `expected` must equal the event's; unnamed fields take their defaults."""
    defaults: dict[str, Any] = {
        "references": [],
        "reason": None,
        "reason_party": None,
        "offset_assumed": False,
        "time_source": "partner",
        "amounts": [],
        "promised_delivery": None,
        "flags": [],
    }
    view = event_view(event)
    wanted = {**defaults, **expected}
    got = {key: view[key] for key in wanted}
    assert got == wanted
    assert event.occurred_at.utcoffset() is not None and event.occurred_at.utcoffset().total_seconds() == 0
