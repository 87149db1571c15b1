"""Hostile input: whatever the bytes, the SPSR adapter answers with a result or a closed dead-letter reason."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from xml.sax.saxutils import quoteattr

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.base import AdapterError, AdapterOptions, AdapterResult
from adapters.registry import run_adapter
from schemas import DeadLetterReason, PartnerKind

pytestmark = pytest.mark.unit

CASES = Path(__file__).parent / "cases"
FIXTURES = [p.read_bytes() for p in sorted(CASES.glob("*.xml"))]
RECEIVED = datetime(2024, 6, 1, tzinfo=timezone.utc)
FIELDS = ["ShipmentNumber", "ShipRefNum", "CurState", "DeliveryDT", "DeclaredSum", "CODGoodsSum", "CODDeliverySum"]
VALUES = st.text(max_size=25) | st.sampled_from(
    ["Доставлено", "Не доставлено", "Обработка", "41320612", "2019-03-14T15:32:00", "01.01.0001 00:00",
     "1e999999", "NaN", "-5", "12,50", "", "0001-01-01T00:00:00+05:00"]
)
XML_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=25)


def check(raw: bytes, subject: str | None = None) -> None:
    options = AdapterOptions(partner="spsr", partner_kind=PartnerKind.COURIER, subject=subject)
    try:
        result = run_adapter("spsr", raw, received_at=RECEIVED, options=options)
    except AdapterError as err:
        assert err.reason is not DeadLetterReason.INTERNAL_ERROR, str(err)
        return
    assert isinstance(result, AdapterResult)


@given(st.binary(max_size=300))
def test_arbitrary_bytes(raw: bytes) -> None:
    check(raw)


@given(st.lists(st.dictionaries(st.sampled_from(FIELDS), VALUES | XML_TEXT, max_size=7), min_size=1, max_size=3),
       st.sampled_from([None, "spsr:41320612", "hub:x", "bad"]))
def test_random_invoices(invoices: list[dict[str, str]], subject: str | None) -> None:
    body = "".join(
        "<Invoice " + " ".join(f"{k}={quoteattr(v)}" for k, v in invoice.items()) + "/>" for invoice in invoices
    )
    check(f"<root><GetInvoiceInfo>{body}</GetInvoiceInfo></root>".encode(), subject)


@given(st.sampled_from(FIXTURES), st.data())
def test_truncated_and_corrupted_fixtures(raw: bytes, data: st.DataObject) -> None:
    check(raw[: data.draw(st.integers(min_value=0, max_value=len(raw)))])
    index = data.draw(st.integers(min_value=0, max_value=len(raw) - 1))
    check(raw[:index] + bytes([data.draw(st.integers(0, 255))]) + raw[index + 1 :])
