"""Mapping coverage: every SPSR state docs/partners/spsr.md#states lists is in the table and maps to a real value."""

from __future__ import annotations

import pytest

from adapters.spsr.codes import STATE_BY_KEY, STATES, state_key
from schemas import Milestone, Status

pytestmark = pytest.mark.unit

# Written by hand from docs/partners/spsr.md#states (CurState).
DOCUMENTED_STATES = ["Обработка", "Доставлено", "Не доставлено"]


def test_every_documented_state_is_mapped() -> None:
    assert set(STATES) == set(DOCUMENTED_STATES)
    for state in DOCUMENTED_STATES:
        mapping = STATE_BY_KEY[state_key(state)]
        assert mapping.status is not Status.UNKNOWN and mapping.milestone is not Milestone.UNKNOWN, state
    print(f"spsr state table: {len(STATES)} rows")


def test_not_delivered_is_not_read_as_delivered() -> None:
    # The PHP client finds "Доставлено" by substring; "Не доставлено" must stay distinct.
    assert STATE_BY_KEY[state_key("Не доставлено")].status is Status.ATTEMPT_FAILED
    assert STATE_BY_KEY[state_key("ДОСТАВЛЕНО")].status is Status.DELIVERED
