"""Every row of every partner's code table matches its reviewed expectation, both ways
(tests/expectations/codes/<partner>.csv): changing what a code means takes a change in two places."""

from __future__ import annotations

from pathlib import Path

import pytest

from schemas import Milestone, Party, Reason, Status
from tests.support.code_table_pins import PARTNERS, differences, expectation_records, expected_rows, table_rows

ADAPTERS = Path(__file__).parents[2] / "adapters"


@pytest.mark.parametrize("partner", PARTNERS)
def test_every_row_matches_its_expectation_both_ways(partner: str) -> None:
    found = differences(partner)
    assert not found, f"{len(found)} code-table rows differ from their expectation:\n" + "\n".join(found)
    print(f"{partner}: {len(table_rows(partner))} rows pinned")


@pytest.mark.parametrize("partner", PARTNERS)
def test_expectations_name_only_real_values_and_cite_a_source(partner: str) -> None:
    statuses = {s.value for s in Status} - {Status.UNKNOWN.value}
    milestones = {m.value for m in Milestone} - {Milestone.UNKNOWN.value}
    reasons, parties = {"", *(r.value for r in Reason)}, {"", *(p.value for p in Party)}
    for record in expectation_records(partner):
        row = f"{partner} {record['table']} {record['code']!r}"
        # A CDEK additional status gives only a reason unless it replaces the main status (26 "Утерян").
        may_be_blank = partner == "cdek" and record["table"] == "additional_status"
        assert record["status"] in statuses or (may_be_blank and not record["status"]), row
        assert record["milestone"] in milestones or (may_be_blank and not record["milestone"]), row
        assert record["reason"] in reasons, row
        assert record["party"] in parties, row
        assert record["name"].strip() and record["source"].strip(), row
    assert expected_rows(partner)


def test_every_partner_package_is_pinned() -> None:
    packages = {path.parent.name for path in ADAPTERS.glob("*/codes.py")}
    assert packages == set(PARTNERS)


def test_a_changed_row_is_reported_with_partner_code_and_field(monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclasses import replace

    from adapters.cainiao import codes

    monkeypatch.setitem(codes.ACTION_CODES, "GTMS_SIGNED", replace(codes.ACTION_CODES["GTMS_SIGNED"], status=Status.IN_TRANSIT))
    assert differences("cainiao") == [
        "cainiao action_code 'GTMS_SIGNED': status is 'in_transit' in the table, 'delivered' expected"
    ]
