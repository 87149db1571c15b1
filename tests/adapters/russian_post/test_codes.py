"""The OperType/OperAttr table of docs/partners/russian-post.md#operation-codes is complete and every row maps to a real
status."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from adapters._shared.code_table import UNMAPPED
from adapters.base import AdapterOptions
from adapters.registry import run_adapter
from adapters.russian_post.codes import (
    COD_EVENT_TYPES,
    OPERATION_TYPES,
    cod_mapping,
    documented_rows,
    operation_mapping,
    operation_raw_code,
)
from schemas import Milestone, PartnerKind, Status

pytestmark = pytest.mark.unit

# Written by hand from docs/partners/russian-post.md#operattr-by-opertype: OperType → its documented OperAttr codes
# (empty: "Types not listed here ... have no attributes in the source").
R = range
DOCUMENTED: dict[int, list[int]] = {
    1: [*R(1, 9)], 2: [*R(1, 15)], 3: [*R(1, 16)], 4: [*R(1, 8)], 5: [1, 2, 3, 8, 9], 6: [*R(1, 6)],
    7: [*R(1, 5)], 8: [*R(0, 50)], 9: [], 10: [], 11: [], 12: [*R(1, 29)], 13: [], 14: [*R(1, 27)],
    15: [], 16: [], 17: [], 18: [], 19: [], 20: [], 21: [1, 2, 3], 22: [*R(1, 10)], 23: [],
    24: [1, 2, 3, 4, 1019, 1020, *R(1050, 1066), 1070, 1073], 25: [], 26: [1, 2], 27: [], 28: [], 29: [],
    30: [], 31: [1, 5, 6, 7, 14, 21, 23, 24, 31, 40, 41, 42, 43, 48, 57, 59, 74, 82], 32: [],
    33: [1, 2, 3], 34: [], 35: [*R(1, 10)], 36: [0, 1, 2], 37: [], 38: [4, 13, 25], 39: [*R(1, 10)],
    40: [1, 2, 3], 41: [*R(1, 7)], 42: [*R(1, 29)], 43: [], 44: [], 45: [], 46: [], 47: [], 48: [],
    49: [*R(1, 7)], 50: [*R(1, 8)], 51: [1, 2, 3, 4], 52: [],
}


def test_table_holds_exactly_the_documented_rows() -> None:
    expected = {(t, a) for t, attrs in DOCUMENTED.items() for a in attrs} | {
        (t, None) for t, attrs in DOCUMENTED.items() if not attrs
    }
    assert {(t, a) for t, a, _ in documented_rows()} == expected
    assert sorted(OPERATION_TYPES) == list(range(1, 53))  # 52 operation types


def test_every_row_maps_to_a_status_never_unknown() -> None:
    rows = list(documented_rows())
    unknown = [(t, a) for t, a, m in rows if m.status is Status.UNKNOWN or m.milestone is Milestone.UNKNOWN]
    assert unknown == []
    assert all(m.description for _, _, m in rows)
    print(f"russian_post: {len(rows)} OperType/OperAttr rows mapped, {len(OPERATION_TYPES)} types, "
          f"{len(COD_EVENT_TYPES)} COD event types")


def test_overrides_only_name_documented_attributes() -> None:
    for number, operation in OPERATION_TYPES.items():
        assert set(operation.overrides) <= set(operation.attributes), number


def test_delivery_to_the_sender_is_returned_and_returns_are_returning() -> None:
    # docs/partners/russian-post.md#reading-the-codes: OperType 2 attrs 2, 4, 7, 9 are handed back to the sender
    # (a completed return); the others are handed to the addressee. OperType 3 is a return under way.
    for attr in DOCUMENTED[2]:
        mapping = operation_mapping("2", str(attr))
        if attr in (2, 4, 7, 9):
            assert (mapping.status, mapping.milestone) == (Status.RETURNED, Milestone.RETURNED_TO_SENDER), attr
        else:
            assert (mapping.status, mapping.milestone) == (Status.DELIVERED, Milestone.DELIVERED), attr
    for attr in DOCUMENTED[3]:
        mapping = operation_mapping("3", str(attr))
        assert (mapping.status, mapping.milestone) == (Status.RETURNING, Milestone.RETURN_STARTED), attr
        assert mapping.reason is not None, attr


def test_second_failed_attempt_reads_like_the_first() -> None:
    # docs/partners/russian-post.md#operattr-by-opertype: 42 "1–28, same meanings as OperType 12".
    for attr in DOCUMENTED[12]:
        first, second = operation_mapping("12", str(attr)), operation_mapping("42", str(attr))
        assert (first.status, first.milestone, first.reason) == (second.status, second.milestone, second.reason)


@pytest.mark.parametrize(
    ("oper_type", "oper_attr", "status", "milestone"),
    [
        # 8.2: docs/partners/russian-post.md#reading-the-codes
        ("8", "2", Status.AVAILABLE_FOR_PICKUP, Milestone.ARRIVED_AT_PICKUP_POINT),
        ("8", "0", Status.IN_TRANSIT, Milestone.ARRIVED_AT_FACILITY),  # Сортировка
        ("31", "21", Status.IN_TRANSIT, Milestone.HANDED_OVER),  # the carrier's "Доставлено", not the addressee's
        ("34", "0", Status.IN_TRANSIT, Milestone.INFORMATIONAL),  # e-notification uploaded
        ("5", "1", Status.EXCEPTION, Milestone.LOST),
        ("18", None, Status.EXCEPTION, Milestone.LOST),
        ("26", "1", Status.CANCELLED, Milestone.CANCELLED),
        ("12", "28", Status.EXCEPTION, Milestone.LOST),  # "Утрата"
        ("28", "", Status.INFO_RECEIVED, Milestone.ORDER_PLACED),
    ],
)
def test_selected_rows(oper_type: str, oper_attr: str | None, status: Status, milestone: Milestone) -> None:
    mapping = operation_mapping(oper_type, oper_attr)
    assert (mapping.status, mapping.milestone) == (status, milestone)


@pytest.mark.parametrize(
    ("oper_type", "oper_attr"),
    [("8", "99"), ("53", None), ("9", "5"), ("abc", "1"), ("2", "x"), ("", None), ("1", "-1")],
)
def test_what_the_table_lacks_is_unmapped(oper_type: str, oper_attr: str | None) -> None:
    assert operation_mapping(oper_type, oper_attr) is UNMAPPED


def test_attribute_zero_or_empty_is_the_type_default() -> None:
    # docs/partners/russian-post.md#operattr-by-opertype: "An attribute of 0 or an empty one can still appear" on types
    # without attributes.
    for attr in (None, "", "0", " 00 "):
        assert operation_mapping("9", attr).milestone is Milestone.ARRIVED_DESTINATION_COUNTRY


def test_raw_codes_are_normalised_so_both_formats_agree() -> None:
    assert operation_raw_code("08", " 2") == "8.2"
    assert operation_raw_code("9", None) == "9"
    assert operation_raw_code("9", "0") == "9.0"
    assert operation_raw_code("X", "y") == "X.y"


def test_cod_event_types() -> None:
    # docs/partners/russian-post.md#cod-event-types: EventType 1..7; 1 is the payment collected on delivery.
    assert sorted(COD_EVENT_TYPES) == [1, 2, 3, 4, 5, 6, 7]
    assert cod_mapping("1").milestone is Milestone.COD_COLLECTED
    assert all(cod_mapping(str(n)).status is Status.DELIVERED for n in COD_EVENT_TYPES)
    assert cod_mapping("8") is UNMAPPED


def test_every_code_in_the_real_fixtures_is_mapped() -> None:
    options = AdapterOptions("russian_post", PartnerKind.POST, subject="rp:14102192069353")
    received = datetime(2025, 1, 1, tzinfo=timezone.utc)
    seen = []
    for path in sorted((Path(__file__).parent / "cases").glob("russianpost_*.xml")):
        result = run_adapter("russian_post", path.read_bytes(), received_at=received, options=options)
        assert result.unknown_codes == (), path.name
        seen += [e.raw_code for e in result.events]
    assert sorted(set(seen)) == ["1.1", "2.1", "2.8", "4.3", "8.0", "8.1", "8.15", "8.2", "8.3", "8.4", "cod.1", "cod.3"]
