"""Reading partner XML safely: no DTDs, no entities, no network; bounded size and depth.

defusedxml refuses entity declarations (billion laughs) and external references before
any expansion happens; the size check runs before parsing, the depth check after.

defusedxml parses with ElementTree's pure-Python parser (it needs expat's DTD handlers),
twice as slow as the C one: half of what a Russian Post history costs to read. A document
with no DTD cannot declare an entity or name an external one, so one whose bytes plainly
hold no `<!DOCTYPE` goes to the C parser; "plainly" means in an encoding where those bytes
are those characters (UTF-8 or ASCII, declared or by default, no NUL byte). Anything else,
and every document with a DTD, goes through defusedxml, which refuses what it must.

Partners vary namespace prefixes and URIs freely, so readers go by local names only. The tree
`load_xml` returns has its tags stripped to local names once, in the walk that checks depth:
then a child is found by ElementTree's own `find(name)`, a loop in C, where a Python scan
comparing every child's local name cost a Russian Post history about 40% of its reading
(docs/research/faust-throughput.md).
"""

from __future__ import annotations

import re
from xml.etree import ElementTree
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as safe_et
from defusedxml import DefusedXmlException

from adapters.base import AdapterError
from schemas import DeadLetterReason

MAX_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 64


def load_xml(raw: bytes, *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH) -> Element:
    if len(raw) > max_bytes:
        raise AdapterError(DeadLetterReason.TOO_LARGE, f"{len(raw)} bytes, limit {max_bytes}")
    try:
        if _plainly_without_dtd(raw):
            root = ElementTree.fromstring(raw)
        else:
            root = safe_et.fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as err:
        raise AdapterError(DeadLetterReason.UNSAFE_XML, type(err).__name__) from err
    except ParseError as err:
        reason = DeadLetterReason.BAD_ENCODING if "encoding" in str(err) else DeadLetterReason.NOT_XML
        raise AdapterError(reason, str(err)[:200]) from err
    except (UnicodeDecodeError, LookupError) as err:
        raise AdapterError(DeadLetterReason.BAD_ENCODING, str(err)[:200]) from err
    _check_depth_and_strip_namespaces(root, max_depth)
    return root


# The XML declaration's encoding, if the document starts with one (after a UTF-8 byte order mark).
_DECLARED_ENCODING = re.compile(rb"(?:\xef\xbb\xbf)?<\?xml[^>]*?\bencoding\s*=\s*[\"']([A-Za-z0-9._-]*)[\"']")
_PLAIN_ENCODINGS = frozenset({b"utf-8", b"utf8", b"us-ascii", b"ascii"})


def _plainly_without_dtd(raw: bytes) -> bool:
    """True when the bytes are UTF-8 or ASCII text with no document type declaration in them."""
    if b"\x00" in raw or b"<!DOCTYPE" in raw:
        return False
    declared = _DECLARED_ENCODING.match(raw)
    return declared is None or declared.group(1).lower() in _PLAIN_ENCODINGS


def _check_depth_and_strip_namespaces(root: Element, max_depth: int) -> None:
    # Level by level: a list comprehension per level, not a Python step per element.
    level, depth = [root], 1
    local_tags = _LOCAL_TAGS
    while level:
        if depth > max_depth:
            raise AdapterError(DeadLetterReason.TOO_DEEP, f"nesting deeper than {max_depth}")
        for element in level:
            tag = element.tag
            element.tag = local_tags.get(tag) or _local_tag(tag)
        level = [child for element in level for child in element]
        depth += 1


# Tag → local name: partners' documents repeat a few dozen tags, so most are a dict hit. Bounded,
# since the tags come from outside.
_LOCAL_TAGS: dict[str, str] = {}
_LOCAL_TAGS_KEPT = 4096


def _local_tag(tag: str) -> str:
    local = tag.rsplit("}", 1)[-1]
    if len(_LOCAL_TAGS) < _LOCAL_TAGS_KEPT:
        _LOCAL_TAGS[tag] = local
    return local


def local_name(element: Element) -> str:
    """The tag without its `{namespace}` (what `load_xml` leaves already)."""
    return element.tag.rsplit("}", 1)[-1]


def children_named(element: Element, name: str) -> list[Element]:
    """Every element of that local name under `element` (and itself), in document order."""
    return list(element.iter(name))


def first_child(element: Element, name: str) -> Element | None:
    """The first direct child of that local name."""
    return element.find(name)


def text_at(element: Element, *path: str) -> str | None:
    """The stripped text at a path of child names; None when absent or empty."""
    for name in path:
        found = element.find(name)
        if found is None:
            return None
        element = found
    text = element.text
    return (text.strip() or None) if text else None
