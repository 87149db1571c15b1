"""Fault injection. Every fault is drawn from its own rate and recorded in the ledger with the
outcome it is meant to have, so the ground truth can say what the hub must count.

- unknown codes: an extra step with an undocumented code (the message stays `normalised`,
  the code is counted as unknown); injected into tracks before they are rendered;
- late links: every message of a link group (an Ozon read model, a hand-over, an order naming
  its parcels, a CDEK return's read model, a renumbered history) arrives days late;
- out of order: a message arrives after the next message of the same parcel at that partner;
- duplicates: the same bytes again, later;
- malformed: a broken copy published just before the good one (a connector's failed first
  attempt): truncated (not_json / not_xml), mis-encoded JSON (bad_encoding), or a
  subject-less format without the hub-subject header it cannot do without (missing_subject).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import timedelta

from simulator.clock import hours
from simulator.formats import boxberry, cainiao, cdek, hub_native, ozon, russian_post, wildberries
from simulator.model import Expected, FaultRecord, Message, Step, Track


@dataclass(frozen=True)
class FaultRates:
    """Each a probability: per step (unknown codes), per link group (late links), per message."""

    duplicates: float = 0.03
    out_of_order: float = 0.05
    late_links: float = 0.15
    malformed: float = 0.02
    unknown_codes: float = 0.02

    @classmethod
    def none(cls) -> FaultRates:
        return cls(0.0, 0.0, 0.0, 0.0, 0.0)

    def as_json(self) -> dict[str, float]:
        return {"duplicates": self.duplicates, "out_of_order": self.out_of_order, "late_links": self.late_links,
                "malformed": self.malformed, "unknown_codes": self.unknown_codes}


OUT_OF_ORDER_WINDOW = timedelta(days=3)

_UNDOCUMENTED = {
    "cdek_order": cdek.UNDOCUMENTED,
    "rp_single": russian_post.UNDOCUMENTED,
    "rp_batch": russian_post.UNDOCUMENTED,
    "cainiao": cainiao.UNDOCUMENTED,
    "ae_tracking": cainiao.UNDOCUMENTED,
    "boxberry": boxberry.UNDOCUMENTED,
    "hub_native": hub_native.UNDOCUMENTED,
    "ozon": ozon.UNDOCUMENTED,
    "wb_task": wildberries.UNDOCUMENTED,
}
# Data an injected step copies from the step it follows, per track kind.
_COPIED = {
    "cdek_order": ("city", "zone"),
    "rp_single": ("office", "barcode"),
    "rp_batch": ("office", "barcode"),
    "cainiao": ("place",),
    "ae_tracking": ("place", "address"),
}


def inject_unknown_codes(tracks: list[Track], rate: float, rng: random.Random) -> None:
    if rate <= 0:
        return
    for track in tracks:
        codes = _UNDOCUMENTED.get(track.kind)
        if codes is None:
            continue
        for index, step in enumerate(list(track.steps)):
            if track.kind == "wb_task" and index == 0:
                continue  # the new task is read from orders/new, which has no status
            if track.kind == "wb_task" and index == len(track.steps) - 1:
                # Wildberries is polled for the latest status only: a code after the last step
                # would hide it (a sold task never seen sold), which no carrier's feed does.
                continue
            if track.kind == "ozon" and step.data["kind"] not in ("new", "state"):
                continue
            if rng.random() >= rate:
                continue
            at = step.at + timedelta(minutes=rng.randint(1, 50))
            code = rng.choice(codes)
            data = {key: step.data[key] for key in _COPIED.get(track.kind, ()) if key in step.data}
            if track.kind == "wb_task":
                code = f"{step.code.partition('/')[0]}/{code}"
            elif track.kind == "ozon":
                data["kind"] = "state"
            elif track.kind == "hub_native":
                track.info["refs"] = track.info.get("refs", 0) + 1
                data["event_ref"] = f"{track.info['facility']}-{track.key[-6:]}-{track.info['refs']:03d}"
            track.steps.append(Step(at, code, None, data, undocumented=True))
        track.steps.sort(key=lambda s: s.at)


def apply(messages: list[Message], rates: FaultRates, rng: random.Random) -> tuple[list[Message], list[FaultRecord]]:
    """The messages as published, with the faults; and the ledger of every fault."""
    ledger: list[FaultRecord] = []
    _late_links(messages, rates.late_links, rng, ledger)
    _out_of_order(messages, rates.out_of_order, rng, ledger)
    messages = messages + _duplicates(messages, rates.duplicates, rng, ledger)
    messages = messages + _malformed(messages, rates.malformed, rng, ledger)
    for message in messages:
        for code in sorted(set(message.expected.unknown_codes)):
            ledger.append(FaultRecord("unknown_code", message.partner, message, {"code": code}))
    return messages, ledger


def _late_links(messages: list[Message], rate: float, rng: random.Random, ledger: list[FaultRecord]) -> None:
    groups: dict[str, list[Message]] = {}
    for message in messages:
        if message.link_group:
            groups.setdefault(message.link_group, []).append(message)
    for key in sorted(groups):
        if rng.random() >= rate:
            continue
        delay = hours(rng, 24, 7 * 24)
        for message in groups[key]:
            message.at += delay
            message.faults.append("late_link")
            detail = {"delay_hours": round(delay.total_seconds() / 3600, 1)}
            ledger.append(FaultRecord("late_link", message.partner, message, detail))


def _out_of_order(messages: list[Message], rate: float, rng: random.Random, ledger: list[FaultRecord]) -> None:
    by_track: dict[str, list[Message]] = {}
    for message in messages:
        if message.track:
            by_track.setdefault(message.track, []).append(message)
    moves: list[tuple[Message, Message]] = []
    for key in sorted(by_track):
        ordered = sorted(by_track[key], key=lambda m: m.at)
        for current, following in zip(ordered, ordered[1:], strict=False):
            if rng.random() < rate and following.at - current.at <= OUT_OF_ORDER_WINDOW:
                moves.append((current, following))
    delays = [timedelta(seconds=rng.randint(1, 1800)) for _ in moves]
    # Latest first, so a message moved behind one that itself moved still lands behind it.
    for (current, following), delay in reversed(list(zip(moves, delays, strict=True))):
        current.at = following.at + delay
        current.faults.append("out_of_order")
        ledger.append(FaultRecord("out_of_order", current.partner, current, {}, original=following))


def _duplicates(messages: list[Message], rate: float, rng: random.Random, ledger: list[FaultRecord]) -> list[Message]:
    copies = []
    for message in messages:
        if rng.random() < rate:
            copy = replace(message, at=message.at + timedelta(seconds=rng.randint(60, 2 * 86400)), faults=["duplicate"])
            copies.append(copy)
            ledger.append(FaultRecord("duplicate", copy.partner, copy, {}, original=message))
    return copies


def _malformed(messages: list[Message], rate: float, rng: random.Random, ledger: list[FaultRecord]) -> list[Message]:
    broken = []
    for message in messages:
        if rng.random() >= rate:
            continue
        kinds = ["truncated"]
        if message.extension == "json":
            kinds.append("bad_encoding")
        if message.subject and message.subject_required:
            kinds.append("missing_subject")
        kind = rng.choice(kinds)
        subject = message.subject
        if kind == "truncated":
            payload, reason = _truncate(message.payload, rng), "not_json" if message.extension == "json" else "not_xml"
        elif kind == "bad_encoding":
            payload, reason = _misencode(message.payload), "bad_encoding"
        else:
            payload, reason, subject = message.payload, "missing_subject", None
        copy = replace(
            message, at=message.at - timedelta(seconds=rng.randint(1, 60)), payload=payload, subject=subject,
            expected=Expected("dead_lettered", reason), faults=["malformed"], link_group=None,
        )
        broken.append(copy)
        ledger.append(FaultRecord("malformed", copy.partner, copy, {"kind": kind}, original=message))
    return broken


def _truncate(payload: bytes, rng: random.Random) -> bytes:
    """Cut between 30% and 70% of the way, on an ASCII byte, so what is left is valid UTF-8."""
    cut = rng.randint(len(payload) * 3 // 10, len(payload) * 7 // 10)
    while cut > 1 and payload[cut] >= 0x80:
        cut -= 1
    return payload[:cut]


def _misencode(payload: bytes) -> bytes:
    """The text in Windows-1251 (a Russian connector's classic mistake), never valid UTF-8."""
    text = payload.decode("utf-8")
    encoded = text.encode("cp1251", errors="replace")
    try:
        encoded.decode("utf-8")
    except UnicodeDecodeError:
        return encoded
    return payload.replace(b'"', b'"\xe9', 1)
