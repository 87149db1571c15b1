"""Timeline states of simulated shipments, as the timeline stage keeps them: simulated journeys,
through their partners' adapters, folded by the pure handlers over partitioned logs
(tests/support/partitioned_log.py). For what needs states shaped like a worker's."""

from __future__ import annotations

import random

from adapters.base import AdapterError, AdapterOptions
from adapters.registry import run_adapter
from hub.partners import PARTNERS
from schemas import CanonicalEvent
from simulator import simulate
from simulator.faults import FaultRates
from tests.support.partitioned_log import PartitionedRun


def simulated_messages(shipments: int, seed: int) -> list[list[CanonicalEvent]]:
    """The canonical events of each partner message of `shipments` journeys (some duplicated,
    out of order or linked late), as the adapters read them; messages that give none left out."""
    simulation = simulate(shipments, seed=seed, rates=FaultRates(duplicates=0.2, out_of_order=0.2, late_links=0.1, malformed=0.0, unknown_codes=0.0))
    messages = []
    for message in simulation.messages:
        partner = PARTNERS[message.partner]
        options = AdapterOptions(partner.id, partner.kind, subject=message.subject, country=partner.country)
        try:
            events = run_adapter(partner.adapter, message.payload, received_at=message.at, options=options).events
        except AdapterError:
            continue
        if events:
            messages.append(list(events))
    return messages


def folded_run(shipments: int, seed: int) -> PartitionedRun:
    """The run after every event of `shipments` journeys was handled: its `timelines` states
    and `published` records."""
    run = PartitionedRun(3, random.Random(seed))
    for events in simulated_messages(shipments, seed):
        run.publish_message(events)
    run.run()
    return run
