"""Money after the timeline stage publishes: settle a new timeline, resend after a repeat, or
nothing; and settlements withheld (no FX rate, no contract version in force), reported once as dead letters.

The timeline stage's step (hub/stages/shipment_step.py) asks these after each record it
publishes; the arithmetic itself is hub/stages/settle.py's and hub/settlement/'s.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from hub.settlement.shipment_share import Withheld
from hub.stages.normalise import DeadLetter
from hub.stages.timeline import Publish
from hub.stages.timeline_build import summarise
from schemas import DeadLetterHeader
from schemas.timeline import Timeline


class Money(StrEnum):
    """What the timeline stage does about money once it has published a record."""

    NOTHING = "nothing"
    SETTLE = "settle"  # a new timeline: settle it (settle_step)
    RESEND = "resend"  # a repeated input: send again what was sent before (resend_messages)


def after_publish(state: dict[str, Any], published: Publish) -> tuple[dict[str, Any], Money]:
    """The shipment state after `published` went to hub.timelines (its summary for the
    metrics kept up to date), and what to do about money."""
    record = published.record
    if isinstance(record, Timeline) and not published.repeat:
        if not record.events:
            # Emptied by a split: nothing to count or settle here any more.
            return {k: v for k, v in state.items() if k != "summary"}, Money.NOTHING
        return {**state, "summary": summarise(record)}, Money.SETTLE
    if published.repeat:
        return state, Money.RESEND
    return state, Money.NOTHING


def withheld(state: dict[str, Any], withheld_now: list[Withheld]) -> tuple[dict[str, Any], list[Withheld]]:
    """Settlements withheld (never settled at zero): which to report (each contract and trigger
    event once per shipment, however often it is settled again), and the state that remembers them."""
    reported = set(state.get("withheld", []))
    new = []
    for missing in withheld_now:
        mark = f"{missing.contract_id}|{missing.event.event_id}"
        if mark not in reported:
            reported.add(mark)
            new.append(missing)
    if reported:
        state = {**state, "withheld": sorted(reported)}
    return state, new


def withheld_letter(shipment_key: bytes, missing: Withheld, source_topic: str) -> DeadLetter:
    """The dead letter a withheld settlement leaves: its trigger event, and why."""
    headers = {
        DeadLetterHeader.REASON: missing.reason.value,
        DeadLetterHeader.ERROR_TYPE: missing.detail,
        DeadLetterHeader.STAGE: "settle",
        DeadLetterHeader.SOURCE_TOPIC: source_topic,
        DeadLetterHeader.PARTNER: missing.event.partner,
    }
    return DeadLetter(shipment_key, missing.event.model_dump_json().encode(), {k.value: v.encode() for k, v in headers.items()},
                      missing.reason)
