"""An AliExpress event about one parcel: what orders and tracking results share when they build one."""

from __future__ import annotations

from datetime import datetime

from pydantic import ValidationError

from adapters._shared.code_table import CodeMapping
from adapters._shared.events import canonical_event
from adapters._shared.items import BadItem
from adapters._shared.times import PartnerTime
from adapters._shared.validation import first_error
from adapters.base import AdapterOptions
from schemas import Amount, CanonicalEvent, Identifier

ADAPTER_VERSION = 1


def parcel_event(
    options: AdapterOptions,
    received_at: datetime,
    parcel: Identifier,
    raw_code: str,
    written: str | None,
    when: PartnerTime | None,
    mapping: CodeMapping,
    *,
    references: tuple[Identifier, ...] = (),
    description: str | None = None,
    amounts: tuple[Amount, ...] = (),
    flags: tuple[str, ...] = (),
) -> CanonicalEvent:
    """An event about one parcel; `written` is its time as AliExpress wrote it (None for a snapshot)."""
    try:
        return canonical_event(
            options, received_at, adapter_version=ADAPTER_VERSION, primary=parcel.value, time_text=written,
            subject=(parcel,), references=references, mapping=mapping, raw_code=raw_code, when=when,
            description=description, amounts=amounts, flags=flags,
        )
    except ValidationError as err:
        raise BadItem(first_error(err)) from err
