"""What the simulator builds: parcels' steps at each partner, the messages that carry them, and
what the hub is expected to make of each message (the fault ledger's intended outcomes)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from schemas import Leg


@dataclass
class Step:
    """One thing that happened to a parcel at one partner, in that partner's own code."""

    at: datetime  # aware, UTC
    code: str
    leg: Leg | None = None
    data: dict[str, Any] = field(default_factory=dict)
    # An undocumented code the simulator injected (a fault): its ledger entry names it.
    undocumented: bool = False


@dataclass
class Track:
    """A parcel (or an order) as one partner sees it: the steps it reports, in time order.

    `kind` names the format and the way it is published (a webhook per step, a polled history,
    an order snapshot, ...); `info` holds what every message of the track repeats (numbers,
    cities, products, prices).
    """

    partner: str
    kind: str
    key: str  # the partner's own number for the parcel or order, unique per partner
    steps: list[Step] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)
    shipments: tuple[str, ...] = ()  # truth ids of the shipments this track reports on
    # Messages of this track that are the only place two parcels' numbers meet (an Ozon
    # posting's tracking number, a hand-over): the late-link fault delays them together.
    links: bool = False

    def add(self, at: datetime, code: str, leg: Leg | None = None, **data: Any) -> Step:
        step = Step(at.replace(microsecond=0), code, leg, dict(data))
        self.steps.append(step)
        return step


@dataclass(frozen=True)
class Expected:
    """What the hub should do with one message: its outcome, and for a dead letter, why."""

    outcome: str  # normalised | ignored | partial | dead_lettered
    reason: str | None = None
    unknown_codes: tuple[str, ...] = ()


@dataclass
class Message:
    """One partner record: bytes in the partner's native format, published at simulated time `at`."""

    at: datetime
    partner: str
    payload: bytes
    extension: str  # json | xml
    expected: Expected
    subject: str | None = None  # the hub-subject header
    # False where the header only adds a reference and the payload names its parcels itself
    # (an AliExpress order: issue 17), so that leaving it out is no dead letter.
    subject_required: bool = True
    track: str | None = None  # partner/key of the track it came from, for ordering faults
    link_group: str | None = None
    shipments: tuple[str, ...] = ()
    faults: list[str] = field(default_factory=list)
    seq: int = -1  # position in the global publish order, set at the end
    # The steps whose news this message carries (a webhook one, a polled history all so far):
    # the ground truth's witness of when the hub could first know of a delivery or a value.
    steps: tuple[Step, ...] = ()
    # True where the partner pushes the message to us (an Ozon push, a CDEK webhook): `hub demo`
    # sends those through the ingestion gateway over HTTP; read models are polled, so published.
    pushed: bool = False

    @property
    def file(self) -> str:
        return f"{self.partner}/{self.seq:06d}.{self.extension}"


@dataclass
class FaultRecord:
    """One injected fault and the outcome it is meant to have."""

    fault: str  # duplicate | out_of_order | late_link | malformed | unknown_code
    partner: str
    message: Message
    detail: dict[str, Any] = field(default_factory=dict)
    original: Message | None = None

    def as_json(self) -> dict[str, Any]:
        record: dict[str, Any] = {"fault": self.fault, "partner": self.partner, "seq": self.message.seq}
        if self.original is not None:
            record["original_seq"] = self.original.seq
        record.update(self.detail)
        record["intended"] = {"outcome": self.message.expected.outcome, "reason": self.message.expected.reason}
        return record
