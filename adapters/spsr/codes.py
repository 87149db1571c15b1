"""SPSR Express invoice states (`CurState`) → canonical status and milestone.

Source: docs/partners/spsr.md#states, from the PHP client `AStepanov/spsr-shipment`
(`response/InvoiceInfo.php`: "текущий статус Обработка/Доставлено/Не доставлено").
No fuller state list and no per-event history were found; SPSR reports only where an
invoice ended up. States are matched after trimming, collapsing spaces, case-folding and
reading ё as е.
"""

from __future__ import annotations

from adapters._shared.code_table import CodeMapping, keyed, text_key
from schemas import Milestone as M
from schemas import Status as S

STATES: dict[str, CodeMapping] = {
    # "In processing": SPSR holds the shipment somewhere between intake and hand-over; no
    # finer step is known, so the timeline keeps whatever it knew.
    "Обработка": CodeMapping(S.IN_TRANSIT, M.INFORMATIONAL, description="processing"),
    "Доставлено": CodeMapping(S.DELIVERED, M.DELIVERED, description="delivered"),
    # Delivery was attempted at DeliveryDT and did not happen; SPSR gives no reason.
    "Не доставлено": CodeMapping(S.ATTEMPT_FAILED, M.DELIVERY_ATTEMPT_FAILED, description="not delivered"),
}

# The state with no time: DeliveryDT is empty "в случае, если статус «Обработка»".
UNTIMED_STATE = "Обработка"


# How states compare: trimmed, single-spaced, case-folded, ё read as е.
state_key = text_key

STATE_BY_KEY: dict[str, CodeMapping] = keyed(STATES)
