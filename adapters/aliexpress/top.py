"""How Alibaba's TOP platform writes what the AliExpress adapter reads (docs/partners/aliexpress.md#sources).

- the envelope: `{"<api>_response": {"result"|"target"|"data": …}}`, stepped through when
  present (the open platform's newer answers put the object under `result.data`);
- a page of objects: `result.target_list.<dto>[]` (`unwrap_all` gives each object);
- lists: plain, or wrapped as `{"<item_type>": [...]}`
  (`{"logistics_info_list": {"aeop_order_logistics_info": [...]}}`), or a single item;
- times: ISO, TOP's compact `yyyyMMddHHmmssSSS±hhmm` (read as written), or a wall time
  without zone, read in the zone the caller knows (docs/partners/aliexpress.md#timestamps).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any

from adapters._shared.times import PartnerTime, aware, parse_partner_time
from adapters.base import AdapterError
from schemas import DeadLetterReason

LOCAL_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%m/%d/%Y %H:%M:%S")
TOP_TIME = re.compile(r"^(\d{14})(\d{3})([+-])(\d{2})(\d{2})$")
ORDER_KEYS = ("order_status", "logistics_status", "logistics_info_list", "logistic_info_list")
MAX_UNWRAP = 4


def unwrap(document: dict[str, Any]) -> dict[str, Any]:
    """Step through the TOP envelope (`…_response`) and a `result`/`target`/`data` member."""
    node = document
    for _ in range(MAX_UNWRAP):
        if "details" in node or any(key in node for key in ORDER_KEYS) or "target_list" in node:
            return node
        inner = next((v for k, v in node.items() if isinstance(v, dict) and _is_wrapper(k)), None)
        if inner is None:
            return node
        node = inner
    return node


def unwrap_all(document: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The objects of a page (`target_list`, a list or `{"<dto>": [...]}`), each unwrapped;
    None when the answer is one object."""
    body = unwrap(document)
    if "target_list" not in body:
        return None
    return [unwrap(item) if isinstance(item, dict) else item for item in top_list(body["target_list"])]


def _is_wrapper(key: str) -> bool:
    return key.endswith("_response") or key in ("result", "target", "data")


def top_list(value: object) -> list[Any]:
    """A list as TOP writes it: plain, or wrapped as `{"<item_type>": [...]}` (or one item)."""
    if isinstance(value, list):
        return value
    if isinstance(value, dict) and len(value) == 1:
        (inner,) = value.values()
        if isinstance(inner, list):
            return inner
        if isinstance(inner, dict):
            return [inner]
    return []


def read_time(text: str, zone: str, *, assumed: bool) -> PartnerTime:
    """A time with an offset as written (ISO, or TOP's compact form); without one, a wall time in `zone`."""
    stripped = text.strip()
    top = TOP_TIME.match(stripped)
    if top:
        digits, millis, sign, hours, minutes = top.groups()
        try:
            naive = datetime.strptime(digits, "%Y%m%d%H%M%S").replace(microsecond=int(millis) * 1000)
            offset = (int(hours) * 60 + int(minutes)) * (-1 if sign == "-" else 1)
            return aware(naive.replace(tzinfo=timezone(timedelta(minutes=offset))), stripped)
        except (ValueError, AdapterError) as err:
            raise AdapterError(DeadLetterReason.BAD_VALUE, f"unrecognised time {stripped[:40]!r}") from err
    return parse_partner_time(stripped, LOCAL_FORMATS, zone, assumed=assumed)
