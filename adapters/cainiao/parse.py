"""Cainiao `global/detail.json` → canonical events (docs/partners/cainiao.md#response-shape).

Every `module[]` entry is one parcel (its `mailNo`); every `detailList[]` entry (plus
`latestTrace`, which repeats the newest) is one event. `time` (epoch milliseconds) is the
instant; `timeStr` is that instant rendered in UTC+8 whatever `timeZone` says, so it is read
only when `time` is missing; `timeZone` names the offset where the event happened and is
kept as `local_offset_minutes`. The list is newest first and not causally ordered: each
entry stands alone. Other numbers the payload gives for the same parcel (a
`preMainCode:…` carrier note, `copyRealMailNo` or the labelled `realMailNo` of a renumbered
parcel or of its last-mile carrier) join the subject when they fit a carrier's parcel scheme,
else they are flagged. A `mailNo` that fits no scheme is flagged and the events ride on the
other numbers; the module is a bad item only when no usable number is left. An `actionCode`
the table lacks takes the stage its `group.nodeCode` states (counted as unknown all the same).
`globalEtaInfo.deliveryMaxTime` is the promise, carried on the module's latest event.
No amounts: the tracking JSON carries none.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any

from pydantic import ValidationError

from adapters._shared.code_table import CodeMapping, lookup
from adapters._shared.events import canonical_event, check_digit_flags, latest, unique_events
from adapters._shared.items import BadItem, items_result, read_items
from adapters._shared.safe_json import load_json
from adapters._shared.times import PartnerTime, parse_local
from adapters._shared.validation import Tolerant, first_error, validated_item
from adapters.base import AdapterError, AdapterOptions, AdapterResult, Problem
from adapters.cainiao.codes import ACTION_CODES, CROSS_REFERENCE_SCHEMES, GROUP_NODES, MAIL_NO_SCHEMES
from schemas import CanonicalEvent, DeadLetterReason, Identifier
from schemas.identifiers import InvalidIdentifier, candidates

ADAPTER_VERSION = 1

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
# Epoch milliseconds outside 2000..2100 are not a tracking time; refusing them keeps
# datetime arithmetic away from overflow on hostile input.
_MS_MIN, _MS_MAX = 946_684_800_000, 4_102_444_800_000
_DIGITS = re.compile(r"[0-9]{1,15}")
_TIME_STR_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M")
# POSIX sign: UTC+8, what `timeStr` is always rendered in (docs/partners/cainiao.md#time-semantics).
_TIME_STR_ZONE = "Etc/GMT-8"
_TIME_ZONE = re.compile(r"^(?:GMT|UTC)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$")
_CROSS_REFERENCE = re.compile(r"preMainCode\s*[:：]\s*([A-Za-z0-9\-]{4,40})")
_MAX_REFERENCE_FLAG = 64
# `realMailNo` is display prose ("Latest Tracking Number:\t36YPH…"): its number-like words.
_NUMBER_WORD = re.compile(r"[A-Za-z0-9\-]{8,40}")


class RawTrace(Tolerant):
    actionCode: str | None = None
    time: str | None = None
    timeStr: str | None = None
    timeZone: str | None = None
    desc: str | None = None
    standerdDesc: str | None = None
    group: Any = None


class RawModule(Tolerant):
    mailNo: str | None = None
    copyRealMailNo: str | None = None
    realMailNo: str | None = None
    detailList: Any = None
    latestTrace: Any = None
    globalEtaInfo: Any = None


def parse(raw: bytes, *, received_at: datetime, options: AdapterOptions) -> AdapterResult:
    document = load_json(raw)
    if not isinstance(document, dict):
        raise AdapterError(DeadLetterReason.SCHEMA_MISMATCH, "a Cainiao detail response is a JSON object")
    modules = document.get("module")
    if not isinstance(modules, list):
        raise AdapterError(DeadLetterReason.SCHEMA_MISMATCH, "no module list")
    problems: list[Problem] = []
    per_module = read_items(modules, lambda module: _module_events(module, received_at, options, problems), "module", problems)
    return items_result([e for events in per_module for e in events], problems, when_empty="no tracking events")


def _module_events(
    module: object, received_at: datetime, options: AdapterOptions, problems: list[Problem]
) -> list[CanonicalEvent]:
    parsed = validated_item(RawModule, module)
    mail_no = (parsed.mailNo or "").strip()
    parcel = _mail_no_identifier(mail_no)
    shown = str(parcel) if parcel else mail_no[:_MAX_REFERENCE_FLAG]
    if parsed.detailList is not None and not isinstance(parsed.detailList, list):
        raise BadItem(f"{shown} detailList is not a list")
    traces: list[object] = list(parsed.detailList or [])
    if isinstance(parsed.latestTrace, dict):
        traces.append(parsed.latestTrace)
    if not traces:  # a number Cainiao does not know (yet): nothing to say, whatever its shape
        if parcel is None:
            problems.append(Problem("odd_identifier", f"mailNo:{mail_no[:_MAX_REFERENCE_FLAG]}"))
        return []
    linked, unresolved = _cross_references(traces, parcel)
    renumbered, unresolved_renumbered = _renumbered(parsed, parcel, linked)
    subject = tuple(i for i in (parcel, *linked, *renumbered) if i is not None)
    odd = () if parcel else (f"odd_identifier:mailNo:{mail_no[:_MAX_REFERENCE_FLAG]}",)
    if not subject:
        raise BadItem(f"mailNo {mail_no[:40]!r} fits neither s10 nor cainiao, and no other number is usable",
                      DeadLetterReason.BAD_VALUE)
    if odd:
        problems.append(Problem("odd_identifier", odd[0].removeprefix("odd_identifier:")))
    flags = check_digit_flags(subject) + odd + tuple(
        f"unresolved_reference:preMainCode:{value[:_MAX_REFERENCE_FLAG]}" for value in unresolved
    ) + unresolved_renumbered
    primary = subject[0]
    events = unique_events(read_items(
        traces,
        lambda trace: _trace_event(trace, primary, subject, flags, received_at, options, problems),
        lambda index, _trace: f"{shown} detailList[{index}]",
        problems,
    ))  # latestTrace repeats the newest entry
    promised = _promise(parsed.globalEtaInfo)
    if events and promised is not None:
        newest = latest(events)
        events[newest] = events[newest].model_copy(update={"promised_delivery": promised})
    return events


def _promise(eta: object) -> datetime | None:
    """`globalEtaInfo.deliveryMaxTime` (epoch ms; real answers give min = max, a point): the
    latest day Cainiao promises. Missing or odd: no promise."""
    if not isinstance(eta, dict):
        return None
    written = str(eta.get("deliveryMaxTime") or eta.get("deliveryMinTime") or "").strip()
    if not _DIGITS.fullmatch(written) or not _MS_MIN <= int(written) < _MS_MAX:
        return None
    return _EPOCH + timedelta(milliseconds=int(written))


def _renumbered(
    module: RawModule, parcel: Identifier | None, linked: list[Identifier]
) -> tuple[list[Identifier], tuple[str, ...]]:
    """The number the parcel goes on under (`copyRealMailNo`, else the words of the labelled
    `realMailNo`): linked when one carrier scheme fits, else flagged."""
    clean = (module.copyRealMailNo or "").strip()
    words = [clean] if clean else _NUMBER_WORD.findall(module.realMailNo or "")
    field = "copyRealMailNo" if clean else "realMailNo"
    found: list[Identifier] = []
    for word in words:
        fits = [i for i in candidates(word) if i.scheme in CROSS_REFERENCE_SCHEMES]
        if len(fits) == 1 and fits[0] != parcel and fits[0] not in linked and fits[0] not in found:
            found.append(fits[0])
    if found or not words:
        return found, ()
    return [], (f"unresolved_reference:{field}:{words[-1][:_MAX_REFERENCE_FLAG]}",)


def _trace_event(
    trace: object,
    primary: Identifier,
    subject: tuple[Identifier, ...],
    flags: tuple[str, ...],
    received_at: datetime,
    options: AdapterOptions,
    problems: list[Problem],
) -> CanonicalEvent:
    parsed = validated_item(RawTrace, trace)
    code = (parsed.actionCode or "").strip()
    if not code:
        raise BadItem("no actionCode")
    instant, written = _instant(parsed)
    mapping = lookup(ACTION_CODES, code, problems, fallback=_group_stage(parsed.group))
    try:
        return canonical_event(
            options,
            received_at,
            adapter_version=ADAPTER_VERSION,
            primary=primary.value,
            time_text=written,
            subject=subject,
            mapping=mapping,
            raw_code=code,
            when=PartnerTime(instant, _offset_minutes(parsed.timeZone), offset_assumed=False),
            description=(parsed.desc or parsed.standerdDesc or "").strip() or None,
            flags=flags,
        )
    except ValidationError as err:
        raise BadItem(first_error(err)) from err


def _group_stage(group: object) -> CodeMapping | None:
    """The stage Cainiao states for an entry (`group.nodeCode`), for a code the table lacks."""
    if not isinstance(group, dict):
        return None
    node = group.get("nodeCode")
    return GROUP_NODES.get(node.strip()) if isinstance(node, str) else None


def _instant(trace: RawTrace) -> tuple[datetime, str]:
    """The instant and the text it was read from (hashed into the event id as written)."""
    if trace.time is not None and trace.time.strip():
        written = trace.time.strip()
        if not _DIGITS.fullmatch(written) or not _MS_MIN <= int(written) < _MS_MAX:
            raise BadItem(f"time is not epoch milliseconds: {written[:40]!r}")
        return _EPOCH + timedelta(milliseconds=int(written)), written
    if trace.timeStr:
        try:
            local = parse_local(trace.timeStr, _TIME_STR_FORMATS, _TIME_STR_ZONE, assumed=False)
        except AdapterError as err:
            raise BadItem(err.message) from err
        return local.instant, trace.timeStr.strip()
    raise BadItem("neither time nor timeStr")


def _offset_minutes(zone: str | None) -> int | None:
    """`GMT+8`, `GMT+0800`, `GMT+0`, `+3` → minutes east of UTC; empty or odd → unknown."""
    match = _TIME_ZONE.match((zone or "").strip())
    if not match:
        return None
    sign, hours, minutes = match.groups()
    total = int(hours) * 60 + int(minutes or 0)
    if total > 14 * 60:
        return None
    return -total if sign == "-" else total


def _mail_no_identifier(mail_no: str) -> Identifier | None:
    """The mailNo as an s10 or cainiao number; None (flagged by the caller) when it fits neither."""
    for scheme in MAIL_NO_SCHEMES:
        try:
            return Identifier.of(scheme, mail_no)
        except InvalidIdentifier:
            continue
    return None


def _cross_references(traces: list[object], parcel: Identifier | None) -> tuple[list[Identifier], list[str]]:
    """Numbers a carrier note names for this parcel: linked when exactly one carrier scheme fits."""
    linked: list[Identifier] = []
    unresolved: list[str] = []
    for trace in traces:
        if not isinstance(trace, dict):
            continue
        for field in ("desc", "standerdDesc"):
            text = trace.get(field)
            if not isinstance(text, str):
                continue
            for value in _CROSS_REFERENCE.findall(text):
                fits = [i for i in candidates(value) if i.scheme in CROSS_REFERENCE_SCHEMES]
                if len(fits) == 1:
                    if fits[0] != parcel and fits[0] not in linked:
                        linked.append(fits[0])
                elif value not in unresolved:
                    unresolved.append(value)
    return linked, unresolved
