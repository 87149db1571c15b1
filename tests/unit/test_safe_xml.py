"""adapters/_shared/safe_xml.py: which documents the C parser may read, that every other
document still meets defusedxml's refusals, and that readers find elements by local name
whatever namespaces a partner writes."""

from __future__ import annotations

import pytest

from adapters._shared import safe_xml
from adapters._shared.safe_xml import _plainly_without_dtd, children_named, first_child, load_xml, text_at
from adapters.base import AdapterError
from schemas import DeadLetterReason

pytestmark = pytest.mark.unit

ENTITY_BOMB = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><r>&b;</r>'


@pytest.mark.parametrize("raw", [
    b"<r><a>1</a></r>",
    b'<?xml version="1.0" encoding="UTF-8"?><r/>',
    b"\xef\xbb\xbf<?xml version='1.0' encoding='utf-8'?><r/>",
    b'<?xml version="1.0"?><r>\xd0\x9c\xd0\xbe\xd1\x81\xd0\xba\xd0\xb2\xd0\xb0</r>',
])
def test_plain_utf8_without_a_dtd_goes_to_the_c_parser(raw):
    assert _plainly_without_dtd(raw)
    assert load_xml(raw).tag == "r"


@pytest.mark.parametrize("raw", [
    ENTITY_BOMB,
    b'<?xml version="1.0" encoding="windows-1251"?><r>\xcc\xee\xf1\xea\xe2\xe0</r>',
    '<?xml version="1.0" encoding="UTF-16"?><r/>'.encode("utf-16"),
])
def test_a_dtd_or_another_encoding_goes_through_defusedxml(raw):
    assert not _plainly_without_dtd(raw)


def test_a_dtd_is_refused_whichever_way_it_is_written():
    for raw in (ENTITY_BOMB, ENTITY_BOMB.decode().replace('version="1.0"', 'version="1.0" encoding="UTF-16"').encode("utf-16")):
        with pytest.raises(AdapterError) as refused:
            load_xml(raw)
        assert refused.value.reason is DeadLetterReason.UNSAFE_XML


def test_cp1251_still_reads_and_an_unknown_encoding_is_a_bad_encoding():
    assert load_xml('<?xml version="1.0" encoding="windows-1251"?><r>Москва</r>'.encode("cp1251")).text == "Москва"
    with pytest.raises(AdapterError) as refused:
        load_xml(b'<?xml version="1.0" encoding="no-such-thing"?><r/>')
    assert refused.value.reason is DeadLetterReason.BAD_ENCODING


def test_depth_is_bounded_on_both_paths():
    deep = b"<a>" * 70 + b"</a>" * 70
    for raw in (deep, b'<?xml version="1.0" encoding="windows-1251"?>' + deep):
        with pytest.raises(AdapterError) as refused:
            load_xml(raw)
        assert refused.value.reason is DeadLetterReason.TOO_DEEP


@pytest.mark.parametrize("raw", [
    b'<S:Envelope xmlns:S="urn:soap" xmlns:d="urn:data"><S:Body><d:rec><d:Op><d:Id> 8 </d:Id></d:Op></d:rec>'
    b'<rec xmlns="urn:other"><Op><Id>2</Id></Op></rec></S:Body></S:Envelope>',
    # The same through defusedxml (another encoding): both parsers' trees are stripped.
    b'<?xml version="1.0" encoding="windows-1251"?><S:Envelope xmlns:S="urn:soap" xmlns:d="urn:data"><S:Body>'
    b'<d:rec><d:Op><d:Id> 8 </d:Id></d:Op></d:rec><rec xmlns="urn:other"><Op><Id>2</Id></Op></rec></S:Body></S:Envelope>',
])
def test_tags_are_local_names_whatever_the_namespaces(raw):
    root = load_xml(raw)
    assert root.tag == "Envelope"
    records = children_named(root, "rec")
    assert [text_at(record, "Op", "Id") for record in records] == ["8", "2"]
    assert first_child(records[0], "Op") is not None and first_child(records[0], "Id") is None
    assert text_at(records[0], "Op", "Missing") is None and text_at(records[0], "Op") is None  # no text of its own


def test_the_remembered_local_names_are_bounded(monkeypatch):
    monkeypatch.setattr(safe_xml, "_LOCAL_TAGS", {})
    monkeypatch.setattr(safe_xml, "_LOCAL_TAGS_KEPT", 3)
    root = load_xml(b'<r xmlns="urn:x">' + b"".join(b"<t%d/>" % i for i in range(10)) + b"</r>")
    assert [child.tag for child in root] == [f"t{i}" for i in range(10)]
    assert len(safe_xml._LOCAL_TAGS) == 3
