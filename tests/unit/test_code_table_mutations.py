"""A few single-row mutations of every code table, each caught by the pinned check; the full
run is `python -m tests.mutation.code_tables`, outside `make test`."""

from __future__ import annotations

import random

from tests.support.code_table_mutations import live_tables, mutations
from tests.support.code_table_pins import PARTNERS, differences


def test_one_row_per_table_mutated_is_caught_and_undone() -> None:
    tried = list(mutations(random.Random(22), per_table=1))
    survived = [f"{m.partner} {m.table} {m.code!r}: {m.change}" for m in tried if not m.caught()]
    assert survived == []
    assert {(m.partner, m.table) for m in tried} == {(t.partner, t.table) for t in live_tables()}
    assert {t.partner for t in live_tables()} == set(PARTNERS)
    # Every patch undid itself: the live tables match their expectations again.
    assert [line for partner in PARTNERS for line in differences(partner)] == []
