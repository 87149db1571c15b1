"""Ozon push notifications (docs/partners/ozon.md#push-notifications).

TYPE_STATE_CHANGED and TYPE_POSTING_CANCELLED read `new_state` (a substatus-style value) at
`changed_state_date`; TYPE_NEW_POSTING is the posting placed at `in_process_at`, with the
carrier's `tracking_number` (linked when it fits one carrier scheme, else flagged) and the
promised window's end (`delivery_date_end`); the FBO twins read the same under their own
names (`creation_date`, `cancel_date`) and carry the `order_number`;
TYPE_DELIVERY_DATE_CHANGED is a new promise to the buyer (`promised_delivery` = the end of
the new window; no time of the change is given, so it is observed, and its event id hashes
the new window); TYPE_CUTOFF_DATE_CHANGED (the seller's hand-over deadline, not a promise),
TYPE_PING and the non-logistics types (catalogue, stocks, chats) are ignored with their type
as the counted reason. Pushes carry no prices and no amounts.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ValidationError

from adapters._shared.code_table import lookup
from adapters._shared.times import PartnerTime, parse_iso
from adapters._shared.validation import Tolerant, validated
from adapters.base import AdapterError, AdapterOptions, AdapterResult, Problem, ignored, result_of
from adapters.ozon.codes import (
    CUTOFF_DATE_CHANGED,
    FBO_TWINS,
    NON_LOGISTICS_PUSH_TYPES,
    PING,
    PUSH_TYPES,
    STATE_CHANGED,
    SUBSTATUSES,
)
from adapters.ozon.event import posting_event
from adapters.ozon.tracking_number import carrier_parcel
from schemas import DeadLetterReason, Identifier, Scheme
from schemas.identifiers import InvalidIdentifier


class RawPush(Tolerant):
    message_type: str
    posting_number: str | None = None
    new_state: str | None = None
    changed_state_date: str | None = None
    in_process_at: str | None = None
    creation_date: str | None = None
    cancel_date: str | None = None
    order_number: str | None = None
    tracking_number: str | None = None
    delivery_date_begin: str | None = None
    delivery_date_end: str | None = None
    new_delivery_date_begin: str | None = None
    new_delivery_date_end: str | None = None
    reason: Any = None


def read_push(document: dict[str, Any], received_at: datetime, options: AdapterOptions) -> AdapterResult:
    push = validated(RawPush, document)
    kind = FBO_TWINS.get(push.message_type, push.message_type)
    if kind == PING:
        return ignored("TYPE_PING")
    if kind == CUTOFF_DATE_CHANGED:
        return ignored("TYPE_CUTOFF_DATE_CHANGED: the seller's hand-over deadline, no parcel state")
    if kind in NON_LOGISTICS_PUSH_TYPES:
        return ignored(f"push type {kind}: not about a posting's logistics")
    if kind != STATE_CHANGED and kind not in PUSH_TYPES:
        raise AdapterError(DeadLetterReason.UNKNOWN_FORMAT, f"unknown push type {kind[:60]!r}")
    if not push.posting_number:
        raise AdapterError(DeadLetterReason.SCHEMA_MISMATCH, f"{kind} without posting_number")
    posting = _identifier(Scheme.OZON_POSTING, push.posting_number)
    problems: list[Problem] = []
    promised = None
    description: str | None = None
    written: str | None
    when: PartnerTime | None
    flags: list[str] = []
    subject = [posting]
    references = _order_reference(push.order_number, flags)
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
        written = _required(push.changed_state_date or push.cancel_date, "changed_state_date")
        when = parse_iso(written)
        message = push.reason.get("message") if isinstance(push.reason, dict) else None
        description = message.strip()[:200] if isinstance(message, str) and message.strip() else None
    elif kind == "TYPE_NEW_POSTING":
        raw_code, mapping = push.message_type, PUSH_TYPES[kind]
        # Ozon: "on late payment in_process_at may be empty"; then the posting is dated when seen.
        written = push.in_process_at or push.creation_date or None
        when = parse_iso(written) if written else None
        carrier = carrier_parcel(push.tracking_number, None, flags)
        if carrier is not None:
            subject.append(carrier)
        end = push.delivery_date_end or push.delivery_date_begin
        promised = parse_iso(end).instant if end else None
    else:  # TYPE_DELIVERY_DATE_CHANGED: no time of the change itself, only the new window
        raw_code, mapping = kind, PUSH_TYPES[kind]
        end = push.new_delivery_date_end or push.new_delivery_date_begin
        promised = parse_iso(_required(end, "new_delivery_date_end")).instant
        written = f"{push.new_delivery_date_begin or ''}/{push.new_delivery_date_end or ''}"
        when = None
    try:
        event = posting_event(
            options, received_at, posting, subject, references, mapping, raw_code, written, when,
            description=description, promised=promised, flags=tuple(flags),
        )
    except (ValidationError, ValueError) as err:
        raise AdapterError(DeadLetterReason.BAD_VALUE, str(err)[:200]) from err
    return result_of([event], problems)


def _order_reference(order_number: str | None, flags: list[str]) -> list[Identifier]:
    if not order_number:
        return []
    try:
        return [Identifier.of(Scheme.OZON_ORDER, order_number)]
    except InvalidIdentifier:
        flags.append(f"bad_order_number:{order_number.strip()[:64]}")
        return []


def _identifier(scheme: Scheme, raw: str) -> Identifier:
    try:
        return Identifier.of(scheme, raw)
    except InvalidIdentifier as err:
        raise AdapterError(DeadLetterReason.BAD_VALUE, str(err)[:200]) from err


def _required(value: str | None, name: str) -> str:
    if value is None or not value.strip():
        raise AdapterError(DeadLetterReason.SCHEMA_MISMATCH, f"no {name}")
    return value
