"""Every partner's code table read row by row as the adapter reads it, and compared with its
reviewed expectation file, tests/expectations/codes/<partner>.csv (see its README).

The pinned test (tests/unit/test_code_tables_pinned.py) and the mutation script
(tests/mutation/code_tables.py) share `differences`. A row is (table, code); what is pinned
is its status, milestone, reason and party, as strings ("" for none). The table's own
`description` is not pinned: the expectation file holds the partner's name beside each code
for the reviewer.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from adapters._shared.code_table import UNMAPPED, CodeMapping, text_key
from adapters.aliexpress import codes as aliexpress
from adapters.boxberry import codes as boxberry
from adapters.cainiao import codes as cainiao
from adapters.cdek import codes as cdek
from adapters.hub_native import codes as hub_native
from adapters.ozon import codes as ozon
from adapters.russian_post import codes as russian_post
from adapters.spsr import codes as spsr
from adapters.wildberries import codes as wildberries

EXPECTATIONS = Path(__file__).parent.parent / "expectations" / "codes"
FIELDS = ("status", "milestone", "reason", "party")
COLUMNS = ("table", "code", "name", "status", "milestone", "reason", "party", "source", "note")


@dataclass(frozen=True)
class Pinned:
    """What a row means, as the expectation file writes it."""

    status: str
    milestone: str
    reason: str = ""
    party: str = ""


RowKey = tuple[str, str]  # (table, code)


def pinned(mapping: CodeMapping) -> Pinned:
    return Pinned(
        mapping.status.value,
        mapping.milestone.value,
        mapping.reason.value if mapping.reason else "",
        mapping.party.value if mapping.party else "",
    )


def _rows(table: str, entries: Mapping[str, CodeMapping]) -> dict[RowKey, Pinned]:
    return {(table, code): pinned(mapping) for code, mapping in entries.items()}


# Each reader goes through the module attributes at call time (never a copy taken at import), so
# that what it reads is what the adapter reads, and a patched table is seen.


def _russian_post() -> dict[RowKey, Pinned]:
    rows = {
        ("operation", f"{oper_type}" if attr is None else f"{oper_type}.{attr}"): pinned(mapping)
        for oper_type, attr, mapping in russian_post.documented_rows()
    }
    rows |= {("cod_event", str(number)): pinned(russian_post.cod_mapping(str(number))) for number in russian_post.COD_EVENT_TYPES}
    return rows


def _cdek() -> dict[RowKey, Pinned]:
    # A status is looked up by its documented spelling (`canonical_code`), as adapters/cdek/status.py does.
    def status(code: str | None, number: str | None) -> Pinned:
        return pinned(cdek.STATUS_CODES.get(cdek.canonical_code(code, number) or "", UNMAPPED))

    rows = {("status", code): status(code, None) for code in cdek.STATUS_CODES}
    rows |= {("legacy_number", number): status(None, number) for number in cdek.LEGACY_NUMERIC}
    for code, reason in cdek.REASON_CODES.items():
        status_value, milestone_value = (reason.overrides[0].value, reason.overrides[1].value) if reason.overrides else ("", "")
        rows[("additional_status", code)] = Pinned(
            status_value, milestone_value, reason.reason.value if reason.reason else "", reason.party.value if reason.party else ""
        )
    rows |= _rows("delivery_problem", cdek.DELIVERY_PROBLEMS)
    rows |= _rows("notice", cdek.NOTICES)
    return rows


def _ozon() -> dict[RowKey, Pinned]:
    return _rows("status", ozon.STATUSES) | _rows("substatus", ozon.SUBSTATUSES) | _rows("push_type", ozon.PUSH_TYPES)


def _wildberries() -> dict[RowKey, Pinned]:
    return _rows("supplier_status", wildberries.SUPPLIER_STATUSES) | _rows("wb_status", wildberries.WB_STATUSES)


def _aliexpress() -> dict[RowKey, Pinned]:
    # DETAIL_CODES is Cainiao's ACTION_CODES, pinned with Cainiao.
    return _rows("order_status", aliexpress.ORDER_STATUSES) | _rows("logistics_status", aliexpress.LOGISTICS_STATUSES)


def _cainiao() -> dict[RowKey, Pinned]:
    return _rows("action_code", cainiao.ACTION_CODES) | _rows("group_node", cainiao.GROUP_NODES)


def _boxberry() -> dict[RowKey, Pinned]:
    # The parser looks names up in STATUS_BY_KEY; the names are STATUS_NAMES' keys.
    return {("status_name", name): pinned(boxberry.STATUS_BY_KEY.get(text_key(name), UNMAPPED)) for name in boxberry.STATUS_NAMES}


def _spsr() -> dict[RowKey, Pinned]:
    return {("state", state): pinned(spsr.STATE_BY_KEY.get(text_key(state), UNMAPPED)) for state in spsr.STATES}


def _hub_native() -> dict[RowKey, Pinned]:
    # The forward event and the same event with "direction": "return", as adapters/hub_native/parse.py reads them.
    rows: dict[RowKey, Pinned] = {}
    for milestone, row in hub_native.EVENTS.items():
        reason = row.reason.value if row.reason else ""
        rows[("event", milestone.value)] = Pinned(row.status.value, milestone.value, reason)
        returned_status = hub_native.RETURN_STATUS.get(row.status, row.status)
        returned_milestone = hub_native.RETURN_MILESTONE.get(milestone, milestone)
        rows[("return_event", milestone.value)] = Pinned(returned_status.value, returned_milestone.value, reason)
    return rows


READERS: dict[str, Callable[[], dict[RowKey, Pinned]]] = {
    "aliexpress": _aliexpress,
    "boxberry": _boxberry,
    "cainiao": _cainiao,
    "cdek": _cdek,
    "hub_native": _hub_native,
    "ozon": _ozon,
    "russian_post": _russian_post,
    "spsr": _spsr,
    "wildberries": _wildberries,
}
PARTNERS = tuple(READERS)


def table_rows(partner: str) -> dict[RowKey, Pinned]:
    """The partner's tables as the adapter reads them now."""
    return READERS[partner]()


def expectation_file(partner: str) -> Path:
    return EXPECTATIONS / f"{partner}.csv"


@cache
def expectation_records(partner: str) -> tuple[dict[str, str], ...]:
    """The expectation file's rows, every column; the file is read once per process."""
    with expectation_file(partner).open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise ValueError(f"{partner}: expectation columns are {reader.fieldnames}, expected {list(COLUMNS)}")
        return tuple(reader)


def expected_rows(partner: str) -> dict[RowKey, Pinned]:
    rows: dict[RowKey, Pinned] = {}
    for record in expectation_records(partner):
        key = (record["table"], record["code"])
        if key in rows:
            raise ValueError(f"{partner}: {key[0]} {key[1]!r} has two expectation rows")
        rows[key] = Pinned(*(record[field] for field in FIELDS))
    return rows


def differences(partner: str) -> list[str]:
    """Every way the partner's live tables and its expectation file disagree, one line each,
    naming the partner, the table, the code and the field; empty when they agree."""
    actual, expected = table_rows(partner), expected_rows(partner)
    found = []
    for key in sorted(actual.keys() | expected.keys()):
        table, code = key
        where = f"{partner} {table} {code!r}"
        if key not in expected:
            found.append(f"{where}: in the table, no expectation row")
        elif key not in actual:
            found.append(f"{where}: expected, missing from the table")
        else:
            for field in FIELDS:
                have, want = getattr(actual[key], field), getattr(expected[key], field)
                if have != want:
                    found.append(f"{where}: {field} is {have!r} in the table, {want!r} expected")
    return found
