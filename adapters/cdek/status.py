"""One status of one CDEK order → one canonical event: what the webhook and the read model share.

Identity: subject is `cdek:<cdek_number>` and `cdek_uuid:<uuid>`; a return order also
carries its forward order's `cdek_uuid` (and `cdek` number when given) from
`related_entities` (`direct_order` / `return_order`), so identity links the two orders of
one parcel. The shop's `number` is a reference `shop:<partner>/<number>`
(docs/partners/cdek.md#identifiers).

Returns: on a return order (`is_return`), the whole journey is the way back, so every
forward status (info received, in transit, out for delivery, at a pickup point, attempt
failed) becomes `returning`, its creation `return_started`, and its delivery `returned`
with milestone `returned_to_sender`. Client returns and reverse orders are left as they are.

Reasons: the additional status (`status_reason_code` / `reason_code`, codes.REASON_CODES,
docs/partners/cdek.md#additional-status-codes) sets the reason and the party at fault,
replacing a code's default reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from adapters._shared.code_table import CodeMapping, lookup, text_key
from adapters._shared.events import canonical_event
from adapters._shared.times import parse_iso
from adapters.base import AdapterError, AdapterOptions, Problem
from adapters.cdek.codes import LINKING_RELATIONS, PLACEHOLDER_CITIES, REASON_CODES, STATUS_CODES, canonical_code
from schemas import Amount, CanonicalEvent, DeadLetterReason, Identifier, Location, Milestone, Scheme, Status
from schemas.identifiers import InvalidIdentifier

ADAPTER_VERSION = 2


class CdekObject(BaseModel):
    # Not adapters._shared.validation.Tolerant: a number is text only where CDEK's own SDK
    # and docs disagree on the type (`int_as_text`); elsewhere it is a schema mismatch.
    model_config = ConfigDict(extra="ignore")


def int_as_text(value: object) -> object:
    # The SDK DTO types cdek_number as int, the docs example as a string: accept both.
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


@dataclass
class Order:
    """What every status of one CDEK order shares."""

    subject: tuple[str, ...]
    primary: str
    references: tuple[str, ...]
    is_return: bool
    problems: list[Problem] = field(default_factory=list)
    # Soft findings carried on every event of the order (an odd cdek_number, flagged not linked).
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class StatusLine:
    """One status as either format writes it."""

    code: str | None
    legacy_numeric: str | None
    reason_code: str | None
    time_text: str
    city: str | None


def read_order(
    cdek_number: str | None,
    uuid: str | None,
    shop_number: str | None,
    is_return: bool,
    relations: list[Any],
    options: AdapterOptions,
) -> Order:
    """The order's identity: its numbers, the orders it is linked to, and the shop's number as a
    reference (a bad one is only a problem). A number that fits no scheme is flagged and the
    events keep the other; with no usable number at all the message is dead-lettered."""
    problems: list[Problem] = []
    identifiers: list[str] = []
    flags: list[str] = []
    bad: list[str] = []
    for scheme, field_name, value in ((Scheme.CDEK, "cdek_number", cdek_number), (Scheme.CDEK_UUID, "uuid", uuid)):
        if not value:
            continue
        try:
            identifiers.append(str(Identifier.of(scheme, value)))
        except InvalidIdentifier as err:
            bad.append(str(err))
            flags.append(f"odd_identifier:{field_name}:{str(value)[:60]}")
            problems.append(Problem("odd_identifier", f"{field_name}:{str(value)[:60]}"))
    if not identifiers:
        if bad:
            raise AdapterError(DeadLetterReason.BAD_VALUE, "; ".join(bad)[:300])
        raise AdapterError(DeadLetterReason.SCHEMA_MISMATCH, "the order names neither cdek_number nor uuid")
    for relation in relations:
        for linked in _linked_identifiers(relation, problems):
            if linked not in identifiers:
                identifiers.append(linked)
    references: tuple[str, ...] = ()
    if shop_number:
        try:
            references = (str(Identifier.shop(options.partner, shop_number)),)
        except InvalidIdentifier:
            problems.append(Problem("bad_reference", f"shop number {shop_number[:60]!r}"))
    # The event id hashes the number as CDEK wrote it (the cdek_number, else the uuid), odd or not,
    # so that a fix of the scheme never changes ids.
    primary = cdek_number or uuid or ""
    return Order(tuple(identifiers), primary, references, is_return, problems, tuple(flags))


def _linked_identifiers(relation: object, problems: list[Problem]) -> list[str]:
    if not isinstance(relation, dict) or not isinstance(relation.get("type"), str):
        return []
    if relation["type"] not in LINKING_RELATIONS:
        return []
    linked = []
    for scheme, key in ((Scheme.CDEK_UUID, "uuid"), (Scheme.CDEK, "cdek_number")):
        value = relation.get(key)
        if value is None or isinstance(value, bool) or not isinstance(value, str | int):
            continue
        try:
            linked.append(str(Identifier.of(scheme, str(value))))
        except InvalidIdentifier:
            problems.append(Problem("bad_reference", f"related {relation.get('type')} {key} {str(value)[:60]!r}"))
    return linked


def status_event(
    order: Order,
    raw: StatusLine,
    amounts: tuple[Amount, ...],
    received_at: datetime,
    options: AdapterOptions,
    name: str | None = None,
) -> tuple[CanonicalEvent, list[Problem]]:
    """The event of one status, and the problems found in it (unknown codes). `name` is the
    read model's own name for the status, kept as the description."""
    problems: list[Problem] = []
    raw_code = raw.code or raw.legacy_numeric or ""
    mapping = lookup(STATUS_CODES, canonical_code(raw.code, raw.legacy_numeric) or "", problems, shown=raw_code)
    status, milestone = mapping.status, mapping.milestone
    reason, party = mapping.reason, mapping.party
    description = name or mapping.description or None
    if raw.reason_code:
        known = REASON_CODES.get(raw.reason_code.strip())
        if known is None:
            problems.append(Problem("unknown_code", f"reason_code:{raw.reason_code[:40]}"))
        else:
            reason, party = known.reason, known.party
            if known.overrides is not None:
                status, milestone = known.overrides
            description = "; ".join(filter(None, [description, known.description]))
    if order.is_return:
        status, milestone = _on_return_order(status, milestone)
    event = canonical_event(
        options,
        received_at,
        adapter_version=ADAPTER_VERSION,
        primary=order.primary,
        time_text=raw.time_text,
        subject=order.subject,
        references=order.references,
        mapping=CodeMapping(status, milestone, reason, party),
        raw_code=raw_code,
        when=parse_iso(raw.time_text),
        description=description,
        location=_location(raw.city, options),
        amounts=amounts,
        flags=order.flags,
    )
    return event, problems


def _location(city: str | None, options: AdapterOptions) -> Location | None:
    """The status's city; CDEK's placeholder office name ("Офис СДЭК", set on statuses made
    before the parcel reaches any office) is no place at all (docs/partners/cdek.md#placeholder-office)."""
    if not city or not city.strip() or text_key(city) in PLACEHOLDER_CITIES:
        return None
    return Location(city=city.strip(), country=options.country)


# On a return order every forward step is a step of the way back.
_RETURN_STATUS = {
    Status.INFO_RECEIVED: Status.RETURNING,
    Status.IN_TRANSIT: Status.RETURNING,
    Status.OUT_FOR_DELIVERY: Status.RETURNING,
    Status.AVAILABLE_FOR_PICKUP: Status.RETURNING,
    Status.ATTEMPT_FAILED: Status.RETURNING,
    Status.DELIVERED: Status.RETURNED,
}
_RETURN_MILESTONE = {
    Milestone.ORDER_PLACED: Milestone.RETURN_STARTED,
    Milestone.DELIVERED: Milestone.RETURNED_TO_SENDER,
}


def _on_return_order(status: Status, milestone: Milestone) -> tuple[Status, Milestone]:
    return _RETURN_STATUS.get(status, status), _RETURN_MILESTONE.get(milestone, milestone)
