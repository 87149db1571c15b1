"""Single-row mutations of the live code tables, each of which the pinned check must catch.

A mutation patches one entry of a table the adapter reads (one field swapped for another
valid value, the row removed, or a row added), runs `code_table_pins.differences` for its
partner, and undoes itself. It is caught when a reported difference names its code. The
script is tests/mutation/code_tables.py; tests/unit/test_code_table_mutations.py runs a few.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, MutableMapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, replace
from functools import partial
from types import MappingProxyType
from typing import Any
from unittest import mock

from adapters._shared.code_table import CodeMapping, text_key
from schemas import Milestone, Party, Reason, Status
from tests.support.code_table_pins import (
    FIELDS,
    Pinned,
    aliexpress,
    boxberry,
    cainiao,
    cdek,
    differences,
    hub_native,
    ozon,
    russian_post,
    spsr,
    table_rows,
    wildberries,
)

# Values a field may be swapped to ("" is none); `unknown` is left out: the fixture tests already
# catch a documented code mapped to it.
CHOICES: dict[str, tuple[str, ...]] = {
    "status": tuple(s.value for s in Status if s is not Status.UNKNOWN),
    "milestone": tuple(m.value for m in Milestone if m is not Milestone.UNKNOWN),
    "reason": ("", *(r.value for r in Reason)),
    "party": ("", *(p.value for p in Party)),
}


@dataclass(frozen=True)
class Mutation:
    partner: str
    table: str
    code: str
    change: str
    patch: Callable[[], AbstractContextManager[Any]]

    def caught(self) -> bool:
        with self.patch():
            found = differences(self.partner)
        return any(f" {self.code!r}" in line for line in found)


def _mapping(row: Pinned) -> CodeMapping:
    return CodeMapping(
        Status(row.status),
        Milestone(row.milestone),
        Reason(row.reason) if row.reason else None,
        Party(row.party) if row.party else None,
    )


@contextmanager
def _without(table: MutableMapping[Any, Any], key: Any) -> Iterator[None]:
    with mock.patch.dict(table):
        del table[key]
        yield


# How to put a row into a live table, and how to take one out: one pair per kind of table.
Setter = Callable[[str, Pinned], AbstractContextManager[Any]]
Remover = Callable[[str], AbstractContextManager[Any]]


def _dict_table(table: MutableMapping[str, CodeMapping], key: Callable[[str], str] = str) -> tuple[Setter, Remover]:
    def put(code: str, row: Pinned) -> AbstractContextManager[Any]:
        return mock.patch.dict(table, {key(code): _mapping(row)})

    return put, lambda code: _without(table, key(code))


def _operation(code: str) -> tuple[int, int | None]:
    oper_type, _, attr = code.partition(".")
    return int(oper_type), int(attr) if attr else None


def _put_operation(code: str, row: Pinned) -> AbstractContextManager[Any]:
    oper_type, attr = _operation(code)
    operation = russian_post.OPERATION_TYPES[oper_type]
    changed = (
        replace(operation, default=_mapping(row))
        if attr is None
        else replace(operation, overrides={**operation.overrides, attr: _mapping(row)})
    )
    return mock.patch.object(russian_post, "OPERATION_TYPES", MappingProxyType({**russian_post.OPERATION_TYPES, oper_type: changed}))


def _drop_operation(code: str) -> AbstractContextManager[Any]:
    oper_type, attr = _operation(code)
    types = dict(russian_post.OPERATION_TYPES)
    if attr is None:
        del types[oper_type]
    else:
        operation = types[oper_type]
        types[oper_type] = replace(operation, attributes={a: n for a, n in operation.attributes.items() if a != attr})
    return mock.patch.object(russian_post, "OPERATION_TYPES", MappingProxyType(types))


def _add_operation(_: str, row: Pinned) -> AbstractContextManager[Any]:
    added = russian_post.OperationType("mutant", _mapping(row))
    return mock.patch.object(russian_post, "OPERATION_TYPES", MappingProxyType({**russian_post.OPERATION_TYPES, 99: added}))


def _put_cod(code: str, row: Pinned) -> AbstractContextManager[Any]:
    number = int(code)
    name = russian_post.COD_EVENT_TYPES[number].name if number in russian_post.COD_EVENT_TYPES else "mutant"
    changed = {**russian_post.COD_EVENT_TYPES, number: russian_post.CodEventType(name, _mapping(row))}
    return mock.patch.object(russian_post, "COD_EVENT_TYPES", MappingProxyType(changed))


def _drop_cod(code: str) -> AbstractContextManager[Any]:
    kept = {n: e for n, e in russian_post.COD_EVENT_TYPES.items() if n != int(code)}
    return mock.patch.object(russian_post, "COD_EVENT_TYPES", MappingProxyType(kept))


def _put_cdek_status(code: str, row: Pinned) -> AbstractContextManager[Any]:
    # An alias or a legacy number reads its documented code's row: that row is the one changed.
    return mock.patch.dict(cdek.STATUS_CODES, {cdek.canonical_code(code, None) or code: _mapping(row)})


def _put_cdek_number(code: str, row: Pinned) -> AbstractContextManager[Any]:
    return mock.patch.dict(cdek.STATUS_CODES, {cdek.canonical_code(None, code) or code: _mapping(row)})


def _put_cdek_reason(code: str, row: Pinned) -> AbstractContextManager[Any]:
    old = cdek.REASON_CODES.get(code, cdek.ReasonMapping(None, None, "mutant"))
    overrides = None
    if row.status or row.milestone:
        # A status alone, or a milestone alone, cannot be written: the other comes from informational/exception.
        overrides = (Status(row.status or Status.EXCEPTION.value), Milestone(row.milestone or Milestone.INFORMATIONAL.value))
    changed = replace(
        old,
        reason=Reason(row.reason) if row.reason else None,
        party=Party(row.party) if row.party else None,
        overrides=overrides,
    )
    return mock.patch.dict(cdek.REASON_CODES, {code: changed})


def _put_event(code: str, row: Pinned) -> AbstractContextManager[Any]:
    return mock.patch.dict(
        hub_native.EVENTS, {Milestone(code): hub_native.EventMapping(Status(row.status), Reason(row.reason) if row.reason else None)}
    )


@contextmanager
def _put_return_event(code: str, row: Pinned) -> Iterator[None]:
    # The return rows come from two shared tables: the forward status's return status, the milestone's.
    forward = hub_native.EVENTS[Milestone(code)].status
    with (
        mock.patch.dict(hub_native.RETURN_STATUS, {forward: Status(row.status)}),
        mock.patch.dict(hub_native.RETURN_MILESTONE, {Milestone(code): Milestone(row.milestone)}),
    ):
        yield


@dataclass(frozen=True)
class LiveTable:
    partner: str
    table: str
    put: Setter
    remove: Remover | None
    # The fields a mutation may change: a hub-native event's milestone is its name, it has no party.
    fields: tuple[str, ...] = FIELDS
    # The code a "row added" mutation writes, and how (default: `put`); None where a new row
    # needs more than the table (a Boxberry name is also a STATUS_NAMES key, an event a Milestone).
    added_code: str | None = "MUTANT_ROW"
    add: Setter | None = None


def live_tables() -> tuple[LiveTable, ...]:
    put_cdek_problem, drop_cdek_problem = _dict_table(cdek.DELIVERY_PROBLEMS)
    return (
        LiveTable("russian_post", "operation", _put_operation, _drop_operation, added_code="99", add=_add_operation),
        LiveTable("russian_post", "cod_event", _put_cod, _drop_cod, added_code="8"),
        LiveTable("cdek", "status", _put_cdek_status, lambda code: _without(cdek.STATUS_CODES, code)),
        LiveTable("cdek", "legacy_number", _put_cdek_number, lambda code: _without(cdek.LEGACY_NUMERIC, code), added_code=None),
        LiveTable("cdek", "additional_status", _put_cdek_reason, lambda code: _without(cdek.REASON_CODES, code)),
        LiveTable("cdek", "delivery_problem", put_cdek_problem, drop_cdek_problem),
        LiveTable("cdek", "notice", *_dict_table(cdek.NOTICES)),
        LiveTable("ozon", "status", *_dict_table(ozon.STATUSES)),
        LiveTable("ozon", "substatus", *_dict_table(ozon.SUBSTATUSES)),
        LiveTable("ozon", "push_type", *_dict_table(ozon.PUSH_TYPES)),
        LiveTable("wildberries", "supplier_status", *_dict_table(wildberries.SUPPLIER_STATUSES)),
        LiveTable("wildberries", "wb_status", *_dict_table(wildberries.WB_STATUSES)),
        LiveTable("aliexpress", "order_status", *_dict_table(aliexpress.ORDER_STATUSES)),
        LiveTable("aliexpress", "logistics_status", *_dict_table(aliexpress.LOGISTICS_STATUSES)),
        LiveTable("cainiao", "action_code", *_dict_table(cainiao.ACTION_CODES)),
        LiveTable("cainiao", "group_node", *_dict_table(cainiao.GROUP_NODES)),
        # Boxberry and SPSR names are looked up by their key; a new name needs a STATUS_NAMES entry too.
        LiveTable("boxberry", "status_name", *_dict_table(boxberry.STATUS_BY_KEY, text_key), added_code=None),
        LiveTable("spsr", "state", *_dict_table(spsr.STATE_BY_KEY, text_key), added_code=None),
        LiveTable("hub_native", "event", _put_event, lambda code: _without(hub_native.EVENTS, Milestone(code)),
                  fields=("status", "reason"), added_code=None),
        LiveTable("hub_native", "return_event", _put_return_event, None, fields=("status", "milestone"), added_code=None),
    )


def mutations(rng: random.Random, per_table: int | None = None) -> Iterator[Mutation]:
    """For each live table, rows (all, or `per_table` drawn by `rng`): each field swapped for
    another value drawn by `rng`, the row removed; and one row added."""
    rows_by_partner = {table.partner: table_rows(table.partner) for table in live_tables()}
    for table in live_tables():
        rows = {code: row for (name, code), row in rows_by_partner[table.partner].items() if name == table.table}
        codes = sorted(rows)
        if per_table is not None:
            codes = sorted(rng.sample(codes, min(per_table, len(codes))))
        for code in codes:
            row = rows[code]
            for field in table.fields:
                now = getattr(row, field)
                if field in ("status", "milestone") and not now:
                    continue  # a CDEK additional status without a main-status override
                new = rng.choice([value for value in CHOICES[field] if value != now])
                changed = replace(row, **{field: new})
                yield Mutation(table.partner, table.table, code, f"{field} {now!r} -> {new!r}", partial(table.put, code, changed))
            if table.remove is not None:
                yield Mutation(table.partner, table.table, code, "row removed", partial(table.remove, code))
        if table.added_code is not None:
            added = Pinned(Status.IN_TRANSIT.value, Milestone.INFORMATIONAL.value)
            add = table.add or table.put
            yield Mutation(table.partner, table.table, table.added_code, "row added", partial(add, table.added_code, added))
