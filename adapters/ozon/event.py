"""An Ozon event: what pushes and posting read models share when they build one."""

from __future__ import annotations

from datetime import datetime

from adapters._shared.code_table import CodeMapping
from adapters._shared.events import canonical_event
from adapters._shared.times import PartnerTime
from adapters.base import AdapterOptions
from schemas import Amount, CanonicalEvent, Identifier

ADAPTER_VERSION = 1


def posting_event(
    options: AdapterOptions,
    received_at: datetime,
    posting: Identifier,
    subject: list[Identifier] | tuple[Identifier, ...],
    references: list[Identifier] | tuple[Identifier, ...],
    mapping: CodeMapping,
    raw_code: str,
    written: str | None,
    when: PartnerTime | None,
    *,
    description: str | None = None,
    promised: datetime | None = None,
    amounts: tuple[Amount, ...] = (),
    flags: tuple[str, ...] = (),
) -> CanonicalEvent:
    """An event about one posting; `written` is its time as Ozon wrote it (None for a snapshot)."""
    return canonical_event(
        options, received_at, adapter_version=ADAPTER_VERSION, primary=posting.value, time_text=written,
        subject=subject, references=references, mapping=mapping, raw_code=raw_code, when=when,
        description=description, promised=promised, amounts=amounts, flags=flags,
    )
