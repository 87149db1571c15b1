"""Every reason in the closed list of dead-letter reasons is produced by at least one test.

The list below names, per reason, a test that makes the hub (or an adapter) give that reason
and asserts it. This test checks the list against `DeadLetterReason` (a new reason needs a
test here too) and that each named test exists and names its reason, so a renamed or
rewritten test cannot leave a reason untried unnoticed.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from schemas import DeadLetterReason

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
PRODUCED_BY = {
    "not_json": "tests/service/test_normalise_handler.py::test_poison_becomes_a_dead_letter_with_original_bytes_key_and_headers",
    "not_xml": "tests/adapters/russian_post/test_hostile_input.py::test_whole_message_failures_have_closed_reasons",
    "unsafe_xml": "tests/adapters/russian_post/test_hostile_input.py::test_entity_payloads_rejected_before_expansion",
    "bad_encoding": "tests/unit/test_cdek_order_status.py::test_bad_input_has_a_closed_reason",
    "too_large": "tests/service/test_normalise_handler.py::test_a_json_payload_over_the_size_limit_is_a_too_large_letter",
    "too_deep": "tests/unit/test_cdek_order_status.py::test_bad_input_has_a_closed_reason",
    "schema_mismatch": "tests/unit/test_cdek_order_status.py::test_bad_input_has_a_closed_reason",
    "bad_value": "tests/unit/test_cdek_order_status.py::test_bad_input_has_a_closed_reason",
    "unknown_format": "tests/adapters/russian_post/test_hostile_input.py::test_whole_message_failures_have_closed_reasons",
    "missing_subject": "tests/adapters/russian_post/test_hostile_input.py::test_history_naming_no_parcel_needs_the_subject_header",
    "partner_mismatch": "tests/service/test_normalise_handler.py::test_a_record_sent_for_another_partner_is_a_partner_mismatch",
    "no_contract": "tests/service/test_agents.py::test_a_delivery_no_contract_version_covers_is_dead_lettered_by_the_settle_stage",
    "fx_missing": "tests/integration/test_fx_withheld.py::test_a_missing_fx_rate_withholds_and_is_counted",
    "internal_error": "tests/service/test_normalise_handler.py::test_an_adapter_bug_is_internal_error_not_a_crash",
}


def test_every_reason_in_the_closed_list_has_a_test():
    assert set(PRODUCED_BY) == {r.value for r in DeadLetterReason}


@pytest.mark.parametrize(("reason", "node"), sorted(PRODUCED_BY.items()))
def test_the_named_test_exists_and_names_its_reason(reason: str, node: str):
    path, name = node.split("::")
    source = (ROOT / path).read_text(encoding="utf-8")
    found = [f for f in ast.walk(ast.parse(source)) if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef) and f.name == name]
    assert found, f"{node} does not exist"
    # The test's text with its decorators (a parametrized case names its reason there).
    start = min([found[0].lineno] + [d.lineno for d in found[0].decorator_list])
    text = "\n".join(source.splitlines()[start - 1:found[0].end_lineno])
    assert reason in text or f"DeadLetterReason.{reason.upper()}" in text, f"{node} never names {reason}"
