"""Every simulated payload parses with its partner's adapter, except the deliberately
malformed ones, which are exactly those the ground truth counts as dead letters (issue 6).

The simulator never imports adapters (an import contract says so); this test may. A partner
whose adapter is not registered yet is skipped with the reason; every other is held strictly
to the ground truth: outcome, dead-letter reason and the undocumented codes of each message.
"""

from __future__ import annotations

from collections import Counter

import pytest

from adapters.base import AdapterError, AdapterOptions
from adapters.registry import PARSERS, run_adapter
from hub.partners import PARTNERS
from simulator import Simulation
from simulator.model import Message

pytestmark = pytest.mark.unit

SIMULATED_PARTNERS = sorted(PARTNERS)


def _observe(message: Message) -> tuple[str, str | None, list[str]]:
    known = PARTNERS[message.partner]
    options = AdapterOptions(known.id, known.kind, subject=message.subject, country=known.country)
    try:
        result = run_adapter(known.adapter, message.payload, received_at=message.at, options=options)
    except AdapterError as err:
        return "dead_lettered", err.reason.value, []
    return result.outcome.value, None, sorted(set(result.unknown_codes))


@pytest.mark.parametrize("partner", SIMULATED_PARTNERS)
def test_each_message_gets_the_outcome_the_ground_truth_intends(simulation: Simulation, partner: str) -> None:
    adapter = PARTNERS[partner].adapter
    if adapter not in PARSERS:
        pytest.skip(f"partner {partner}: adapter {adapter!r} is not in adapters.registry.PARSERS yet")
    messages = [m for m in simulation.messages if m.partner == partner]
    assert messages, f"the simulation sent nothing to {partner}"
    wrong = []
    for message in messages:
        expected = (message.expected.outcome, message.expected.reason, sorted(set(message.expected.unknown_codes)))
        observed = _observe(message)
        if observed != expected:
            wrong.append(f"seq {message.seq} ({message.file}): expected {expected}, adapter gave {observed}")
    assert wrong == [], f"{len(wrong)} of {len(messages)} {partner} messages:\n" + "\n".join(wrong[:10])


def test_the_dead_letters_are_exactly_the_malformed_messages_of_the_ledger(simulation: Simulation) -> None:
    checked = [m for m in simulation.messages if PARTNERS[m.partner].adapter in PARSERS]
    failed = {m.seq for m in checked if _observe(m)[0] == "dead_lettered"}
    ledger = {f["seq"] for f in simulation.faults() if f["fault"] == "malformed"}
    checked_seqs = {m.seq for m in checked}
    assert failed == ledger & checked_seqs
    counted = Counter()
    for truth in simulation.partners():
        if PARTNERS[truth["partner"]].adapter in PARSERS:
            counted.update({truth["partner"]: truth["outcomes"]["dead_lettered"]})
    assert sum(counted.values()) == len(failed)
    # Every kind of breakage occurs, for JSON and for XML.
    reasons = {m.expected.reason for m in simulation.messages if m.seq in ledger}
    assert reasons == {"not_json", "not_xml", "bad_encoding", "missing_subject"}


def test_the_parcels_numbers_link_into_exactly_the_ground_truths_shipments(simulation: Simulation) -> None:
    """Read through the adapters, the identifiers that share an event form one component per
    shipment: journeys link only through what the real formats carry."""
    if any(PARTNERS[p].adapter not in PARSERS for p in SIMULATED_PARTNERS):
        pytest.skip("every simulated partner's adapter is needed to see every link")
    parent: dict[str, str] = {}

    def find(item: str) -> str:
        parent.setdefault(item, item)
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    for message in simulation.messages:
        known = PARTNERS[message.partner]
        options = AdapterOptions(known.id, known.kind, subject=message.subject, country=known.country)
        try:
            result = run_adapter(known.adapter, message.payload, received_at=message.at, options=options)
        except AdapterError:
            continue
        for event in result.events:
            parcels = [str(i) for i in event.parcel_identifiers()]
            for other in parcels[1:]:
                parent[find(other)] = find(parcels[0])
            find(parcels[0])
    components: dict[str, set[str]] = {}
    for item in list(parent):
        components.setdefault(find(item), set()).add(item)
    truth = sorted(sorted(s["identifiers"]) for s in simulation.shipments())
    assert sorted(sorted(c) for c in components.values()) == truth
