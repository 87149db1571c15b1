"""Reading partner XML safely: no DTDs, no entities, no network; bounded size and depth.

defusedxml refuses entity declarations (billion laughs) and external references before
any expansion happens; the size check runs before parsing, the depth check after.
"""

from __future__ import annotations

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
        root = safe_et.fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as err:
        raise AdapterError(DeadLetterReason.UNSAFE_XML, type(err).__name__) from err
    except ParseError as err:
        reason = DeadLetterReason.BAD_ENCODING if "encoding" in str(err) else DeadLetterReason.NOT_XML
        raise AdapterError(reason, str(err)[:200]) from err
    except (UnicodeDecodeError, LookupError) as err:
        raise AdapterError(DeadLetterReason.BAD_ENCODING, str(err)[:200]) from err
    _check_depth(root, max_depth)
    return root


def _check_depth(root: Element, max_depth: int) -> None:
    stack = [(root, 1)]
    while stack:
        element, depth = stack.pop()
        if depth > max_depth:
            raise AdapterError(DeadLetterReason.TOO_DEEP, f"nesting deeper than {max_depth}")
        stack.extend((child, depth + 1) for child in element)


def local_name(element: Element) -> str:
    """The tag without its `{namespace}`: partners vary prefixes and namespaces freely."""
    return element.tag.rsplit("}", 1)[-1]


def children_named(element: Element, name: str) -> list[Element]:
    return [child for child in element.iter() if local_name(child) == name]
