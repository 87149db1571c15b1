"""adapters/_shared/safe_xml.py: which documents the C parser may read, and that every other
document still meets defusedxml's refusals."""

from __future__ import annotations

import pytest

from adapters._shared.safe_xml import _plainly_without_dtd, load_xml
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
