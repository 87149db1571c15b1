"""Ozon push notifications (docs/partners/ozon.md#push-notifications).

TYPE_STATE_CHANGED and TYPE_POSTING_CANCELLED read `new_state` (a substatus-style value) at
`changed_state_date`; TYPE_NEW_POSTING is the posting placed at `in_process_at`;
TYPE_DELIVERY_DATE_CHANGED is a new promise to the buyer (`promised_delivery` = the end of
the new window; no time of the change is given, so it is observed, and its event id hashes
the new window); TYPE_CUTOFF_DATE_CHANGED (the seller's hand-over deadline, not a promise),
TYPE_PING and the non-logistics types are ignored. Pushes carry no prices and no amounts.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ValidationError

from adapters._shared.code_table import lookup
from adapters._shared.times import parse_iso
from adapters._shared.validation import Tolerant, validated
from adapters.base import AdapterError, AdapterOptions, AdapterResult, Problem, ignored, result_of
from adapters.ozon.codes import CUTOFF_DATE_CHANGED, NON_LOGISTICS_PUSH_TYPES, PING, PUSH_TYPES, STATE_CHANGED, SUBSTATUSES
from adapters.ozon.event import posting_event
from schemas import DeadLetterReason, Identifier, Scheme
from schemas.identifiers import InvalidIdentifier


class RawPush(Tolerant):
    message_type: str
    posting_number: str | None = None
    new_state: str | None = None
    changed_state_date: str | None = None
    in_process_at: str | None = None
    new_delivery_date_begin: str | None = None
    new_delivery_date_end: str | None = None
    reason: Any = None


def read_push(document: dict[str, Any], received_at: datetime, options: AdapterOptions) -> AdapterResult:
    push = validated(RawPush, document)
    kind = push.message_type
    if kind == PING:
        return ignored("TYPE_PING")
    if kind == CUTOFF_DATE_CHANGED:
        return ignored("TYPE_CUTOFF_DATE_CHANGED: the seller's hand-over deadline, no parcel state")
    if kind in NON_LOGISTICS_PUSH_TYPES:
        return ignored(f"push type {kind}")
    if kind != STATE_CHANGED and kind not in PUSH_TYPES:
        raise AdapterError(DeadLetterReason.UNKNOWN_FORMAT, f"unknown push type {kind[:60]!r}")
    if not push.posting_number:
        raise AdapterError(DeadLetterReason.SCHEMA_MISMATCH, f"{kind} without posting_number")
    posting = _identifier(Scheme.OZON_POSTING, push.posting_number)
    problems: list[Problem] = []
    promised = None
    description: str | None = None
    if kind == STATE_CHANGED:
        raw_code = _required(push.new_state, "new_state")
        mapping = lookup(SUBSTATUSES, raw_code, problems)
        written = _required(push.changed_state_date, "changed_state_date")
        when = parse_iso(written)
    elif kind == "TYPE_POSTING_CANCELLED":
        # The push type says cancelled whatever `new_state` spells; an unknown new_state is
        # still reported.
        raw_code = push.new_state or kind
        mapping = SUBSTATUSES.get(raw_code) or PUSH_TYPES[kind]
        if push.new_state and raw_code not in SUBSTATUSES:
            problems.append(Problem("unknown_code", raw_code))
        written = _required(push.changed_state_date, "changed_state_date")
        when = parse_iso(written)
        message = push.reason.get("message") if isinstance(push.reason, dict) else None
        description = message.strip()[:200] if isinstance(message, str) and message.strip() else None
    elif kind == "TYPE_NEW_POSTING":
        raw_code, mapping = kind, PUSH_TYPES[kind]
        written = _required(push.in_process_at, "in_process_at")
        when = parse_iso(written)
    else:  # TYPE_DELIVERY_DATE_CHANGED: no time of the change itself, only the new window
        raw_code, mapping = kind, PUSH_TYPES[kind]
        end = push.new_delivery_date_end or push.new_delivery_date_begin
        promised = parse_iso(_required(end, "new_delivery_date_end")).instant
        written = f"{push.new_delivery_date_begin or ''}/{push.new_delivery_date_end or ''}"
        when = None
    try:
        event = posting_event(
            options, received_at, posting, (posting,), (), mapping, raw_code, written, when,
            description=description, promised=promised,
        )
    except (ValidationError, ValueError) as err:
        raise AdapterError(DeadLetterReason.BAD_VALUE, str(err)[:200]) from err
    return result_of([event], problems)


def _identifier(scheme: Scheme, raw: str) -> Identifier:
    try:
        return Identifier.of(scheme, raw)
    except InvalidIdentifier as err:
        raise AdapterError(DeadLetterReason.BAD_VALUE, str(err)[:200]) from err


def _required(value: str | None, name: str) -> str:
    if value is None or not value.strip():
        raise AdapterError(DeadLetterReason.SCHEMA_MISMATCH, f"no {name}")
    return value
