"""One simulation run: journeys, their partners' messages in publish order, faults, ground truth.

Deterministic by seed: journeys, rendering and faults each draw from their own generator
seeded from the run's seed, so changing a fault rate never changes the journeys.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from simulator import faults as fault_injection
from simulator.clock import EPOCH, iso
from simulator.faults import FaultRates
from simulator.formats import aliexpress, boxberry, cainiao, cdek, hub_native, ozon, russian_post, spsr, wildberries
from simulator.model import FaultRecord, Message, Track
from simulator.scenarios import SCENARIOS
from simulator.world import World

OUTCOMES = ("normalised", "ignored", "partial", "dead_lettered")


@dataclass
class Simulation:
    seed: int
    shipments_requested: int
    days: int
    rates: FaultRates
    messages: list[Message]
    world: World
    ledger: list[FaultRecord] = field(default_factory=list)

    def shipments(self) -> list[dict[str, Any]]:
        told = {id(step) for m in self.messages if m.expected.outcome != "dead_lettered" for step in m.steps}
        return [s.truth(told) for s in self.world.shipments]

    def orders(self) -> list[dict[str, Any]]:
        return [o.truth() for o in self.world.orders]

    def partners(self) -> list[dict[str, Any]]:
        """Per partner: what the hub must count, from the intended outcome of every message."""
        by_partner: dict[str, list[Message]] = {}
        for message in self.messages:
            by_partner.setdefault(message.partner, []).append(message)
        faults_by_partner: dict[str, Counter[str]] = {}
        for record in self.ledger:
            faults_by_partner.setdefault(record.partner, Counter())[record.fault] += 1
        result = []
        for partner in sorted(by_partner):
            messages = by_partner[partner]
            outcomes = Counter(m.expected.outcome for m in messages)
            reasons = Counter(m.expected.reason for m in messages if m.expected.outcome == "dead_lettered")
            unknown: Counter[str] = Counter()
            for m in messages:
                unknown.update(set(m.expected.unknown_codes))
            result.append({
                "partner": partner,
                "messages": len(messages),
                "outcomes": {o: outcomes.get(o, 0) for o in OUTCOMES},
                "dead_lettered_by_reason": dict(sorted(reasons.items())),
                "unknown_codes": dict(sorted(unknown.items())),
                "messages_with_unknown_codes": sum(1 for m in messages if m.expected.unknown_codes),
                "faults": dict(sorted(faults_by_partner.get(partner, Counter()).items())),
            })
        return result

    def arrivals(self) -> list[dict[str, Any]]:
        """Per shipment, when the hub could first have heard of its order value, delivery and
        return, and of the links between its partners' numbers: the simulated publish time of
        the earliest message telling of it (a duplicate is later, a malformed copy tells
        nothing). `links_at` is the latest of the earliest messages of each link group
        (docs/architecture.md#identity: the only places its parcels' numbers meet). With faults,
        so unlike shipments() these depend on the fault rates."""
        first_told: dict[int, datetime] = {}
        first_link: dict[tuple[str, str], datetime] = {}
        for message in self.messages:  # in publish order: the first sighting is the earliest
            if message.expected.outcome == "dead_lettered":
                continue
            for step in message.steps:
                first_told.setdefault(id(step), message.at)
            if message.link_group:
                for shipment in message.shipments:
                    first_link.setdefault((shipment, message.link_group), message.at)
        result = []
        for shipment in self.world.shipments:
            row: dict[str, Any] = {"shipment": shipment.id}
            for what in ("value", "delivered", "returned"):
                seen = [first_told[id(s)] for s in shipment.telling_steps(what) if id(s) in first_told]
                row[f"{what}_at"] = iso(min(seen)) if seen else None
            links = [at for (sid, _group), at in first_link.items() if sid == shipment.id]
            row["links_at"] = iso(max(links)) if links else None
            result.append(row)
        return result

    def faults(self) -> list[dict[str, Any]]:
        return [r.as_json() for r in sorted(self.ledger, key=lambda r: (r.message.seq, r.fault))]

    def expected_messages(self) -> list[dict[str, Any]]:
        """What the hub should do with each message, in publish order."""
        return [
            {"seq": m.seq, "partner": m.partner, "outcome": m.expected.outcome, "reason": m.expected.reason,
             "unknown_codes": sorted(set(m.expected.unknown_codes)), "shipments": list(m.shipments),
             "faults": m.faults}
            for m in self.messages
        ]

    def showcase(self) -> list[str]:
        """A few shipments worth showing (the first of each scenario, then of each other
        outcome), each by its smallest identifier, which `hub timeline` accepts."""
        chosen: list[dict[str, Any]] = []
        shipments = self.shipments()
        for key in ("scenario", "outcome"):
            for shipment in shipments:
                if all(c[key] != shipment[key] for c in chosen):
                    chosen.append(shipment)
        return [c["identifiers"][0] for c in chosen]

    def run_info(self) -> dict[str, Any]:
        last = self.messages[-1].at if self.messages else EPOCH
        return {
            "seed": self.seed, "shipments": self.shipments_requested, "days": self.days, "epoch": iso(EPOCH),
            "until": iso(last), "faults": self.rates.as_json(), "messages": len(self.messages),
            "orders": len(self.world.orders), "shipments_generated": len(self.world.shipments),
        }


def simulate(shipments: int, seed: int, rates: FaultRates | None = None, days: int = 270) -> Simulation:
    """Journeys for `shipments` parcels whose orders are placed over `days` days from EPOCH."""
    rates = FaultRates() if rates is None else rates
    rng = random.Random(seed)
    world = World(rng)
    made = 0
    weights = [weight for _, weight, _ in SCENARIOS]
    while made < shipments:
        scenario, _weight, adds = rng.choices(SCENARIOS, weights)[0]
        if adds > shipments - made:
            continue
        start = EPOCH + timedelta(seconds=rng.randrange(days * 86400))
        scenario(world, start)
        made += adds
    for track in world.tracks:
        track.steps.sort(key=lambda s: s.at)
    fault_injection.inject_unknown_codes(world.tracks, rates.unknown_codes, random.Random(f"{seed}/unknown"))
    render_rng = random.Random(f"{seed}/render")
    messages = render(world, render_rng)
    messages, ledger = fault_injection.apply(messages, rates, random.Random(f"{seed}/faults"))
    order = sorted(range(len(messages)), key=lambda i: (messages[i].at, i))
    published = [messages[i] for i in order]
    for seq, message in enumerate(published):
        message.seq = seq
    return Simulation(seed, shipments, days, rates, published, world, ledger)


_SINGLE_TRACK = {
    "cdek_order": cdek.messages,
    "rp_single": russian_post.single_messages,
    "rp_cod": russian_post.cod_messages,
    "cainiao": cainiao.messages,
    "ae_order": aliexpress.order_messages,
    "ae_tracking": aliexpress.tracking_messages,
    "ozon": ozon.messages,
    "wb_task": wildberries.new_order_messages,
    "boxberry": boxberry.messages,
    "hub_native": hub_native.messages,
    "spsr": spsr.messages,
}


def render(world: World, rng: random.Random) -> list[Message]:
    messages: list[Message] = []
    batch: list[Track] = []
    tasks: list[Track] = []
    for track in world.tracks:
        if not track.steps:
            continue
        if track.kind == "rp_batch":
            batch.append(track)
            continue
        if track.kind == "wb_task":
            tasks.append(track)
        messages.extend(_SINGLE_TRACK[track.kind](track, rng))
    messages.extend(russian_post.batch_messages(batch, rng, world.numbers))
    messages.extend(wildberries.status_messages(tasks, rng))
    if messages:
        first = min(m.at for m in messages)
        last = max(m.at for m in messages)
        messages.extend(ozon.ping_messages(first, last, rng))
    return messages
