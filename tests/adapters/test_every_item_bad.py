"""A message whose every item is bad is dead-lettered, never counted partial with no event
(issue 17: a partial message with nothing in it can never be replayed after a fix)."""

from __future__ import annotations

import pytest

from adapters.base import AdapterError, AdapterOptions
from adapters.registry import run_adapter
from schemas import DeadLetterReason, Outcome, PartnerKind
from tests.adapters.event_expectations import RECEIVED_AT

pytestmark = pytest.mark.unit

CASES = [
    ("cainiao", PartnerKind.LOGISTICS_PLATFORM, None,
     b'{"module": [{"mailNo": "LP00812637173551", "detailList": [{"time": "yesterday", "actionCode": "GTMS_SIGNED"}]}]}'),
    ("cainiao", PartnerKind.LOGISTICS_PLATFORM, None, b'{"module": [{"mailNo": "NOT A PARCEL"}, 7]}'),
    ("boxberry", PartnerKind.COURIER, "boxberry:AAP298792807", '[{"Date": "never", "Name": "Выдано"}, 3]'.encode()),
    ("wildberries", PartnerKind.MARKETPLACE, None, b'{"orders": [{"id": "x"}, "y"]}'),
]


@pytest.mark.parametrize(("partner", "kind", "subject", "raw"), CASES)
def test_only_bad_items_is_a_dead_letter(partner: str, kind: PartnerKind, subject: str | None, raw: bytes) -> None:
    options = AdapterOptions(partner=partner, partner_kind=kind, subject=subject)
    with pytest.raises(AdapterError) as caught:
        run_adapter(partner, raw, received_at=RECEIVED_AT, options=options)
    assert caught.value.reason is not DeadLetterReason.INTERNAL_ERROR
    assert "every item was bad" in caught.value.message


def test_one_good_item_keeps_the_message_partial() -> None:
    raw = (b'{"module": [{"mailNo": "LP00812637173551", "detailList": ['
           b'{"time": "1700000000000", "actionCode": "GTMS_SIGNED"}, {"time": "yesterday", "actionCode": "X"}]}]}')
    options = AdapterOptions(partner="cainiao", partner_kind=PartnerKind.LOGISTICS_PLATFORM)
    result = run_adapter("cainiao", raw, received_at=RECEIVED_AT, options=options)
    assert result.outcome is Outcome.PARTIAL and len(result.events) == 1
