"""Every AliExpress status docs/partners/aliexpress.md#order-status lists maps to a real status.

Details use docs/partners/cainiao.md#actioncode-table.
"""

from __future__ import annotations

import pytest

from adapters.aliexpress.codes import DETAIL_CODES, LOGISTICS_STATUSES, ORDER_STATUSES
from adapters.cainiao.codes import ACTION_CODES
from schemas import Milestone, Status

pytestmark = pytest.mark.unit

# Written by hand from docs/partners/aliexpress.md#order-status (TOP SDK docblock list plus the
# order-list FINISH).
DOCUMENTED_ORDER = {
    "PLACE_ORDER_SUCCESS", "IN_CANCEL", "WAIT_SELLER_SEND_GOODS", "SELLER_PART_SEND_GOODS",
    "WAIT_BUYER_ACCEPT_GOODS", "FUND_PROCESSING", "IN_ISSUE", "IN_FROZEN", "WAIT_SELLER_EXAMINE_MONEY",
    "RISK_CONTROL", "FINISH",
}
DOCUMENTED_LOGISTICS = {
    "NO_LOGISTICS", "WAIT_SELLER_SEND_GOODS", "SELLER_SEND_PART_GOODS", "SELLER_SEND_GOODS", "BUYER_ACCEPT_GOODS",
}


def test_every_documented_code_is_mapped() -> None:
    assert DOCUMENTED_ORDER == ORDER_STATUSES.keys()
    assert DOCUMENTED_LOGISTICS == LOGISTICS_STATUSES.keys()
    for code, mapping in {**ORDER_STATUSES, **LOGISTICS_STATUSES}.items():
        assert mapping.status is not Status.UNKNOWN, code
        assert mapping.milestone is not Milestone.UNKNOWN, code
    assert DETAIL_CODES is ACTION_CODES  # coverage of that table: tests/adapters/cainiao
    print(
        f"aliexpress: {len(ORDER_STATUSES)} order_status + {len(LOGISTICS_STATUSES)} logistics_status mapped, "
        f"details via {len(DETAIL_CODES)} Cainiao action codes"
    )
