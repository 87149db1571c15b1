"""Every ground-truth shipment asked of the running workers: its timeline's shipment id, status,
identifiers, event set and carriers must be the simulator's. Shared by the timeline end-to-end
test and the fault soak."""

from __future__ import annotations

from pathlib import Path

from hub.cli._shared import fetch_shipment
from tests.support.expectations import expected_event_ids, ground_truth


def carrier_partners(legs: list[dict]) -> list[str]:
    """The carriers in the order they held the parcel, each once."""
    seen: list[str] = []
    for leg in legs:
        if leg["partner"] not in seen:
            seen.append(leg["partner"])
    return seen


def shipment_problems(web_urls: list[str], directory: Path, token: str | None = None) -> dict[str, list[str]]:
    """Ground-truth shipment → what its timeline gets wrong (an empty list when nothing);
    `token`: the workers' operations token when their API asks for one."""
    expected = expected_event_ids(directory)
    found: dict[str, list[str]] = {}
    for n, truth in enumerate(ground_truth(directory, "shipments")):
        problems = found.setdefault(truth["shipment"], [])
        # Ask a different worker each time: reads are routed to the owner.
        url = web_urls[n % len(web_urls)]
        status, body = fetch_shipment(url, truth["identifiers"][0], token)
        timeline = body.get("timeline")
        if timeline is None:
            problems.append(f"{truth['shipment']}: no timeline ({status})")
            continue
        if timeline["shipment_id"] != truth["shipment_id"]:
            problems.append(f"{truth['shipment']}: shipment {timeline['shipment_id']} != {truth['shipment_id']}")
        if timeline["status"] != truth["final_status"]:
            problems.append(f"{truth['shipment']} ({truth['scenario']}): status {timeline['status']} != {truth['final_status']}")
        if sorted(timeline["identifiers"]) != sorted(truth["identifiers"]):
            problems.append(f"{truth['shipment']}: identifiers {timeline['identifiers']} != {truth['identifiers']}")
        event_ids = [e["event_id"] for e in timeline["events"]]
        retired = body.get("retired")
        if retired is not None:
            # Retired (hub/stages/retire.py): it shows the events it kept, and counts the rest.
            shown, hidden, whole = set(event_ids), retired["events_not_shown"], expected[truth["shipment_id"]]
            if len(event_ids) != len(shown) or not shown <= whole or len(shown) + hidden != len(whole):
                problems.append(f"{truth['shipment']}: retired, {len(event_ids)} events shown + {hidden} not shown != {len(whole)} expected")
        elif len(event_ids) != len(set(event_ids)) or set(event_ids) != expected[truth["shipment_id"]]:
            missing = expected[truth["shipment_id"]] - set(event_ids)
            problems.append(f"{truth['shipment']}: {len(event_ids)} events, {len(missing)} missing, {len(event_ids) - len(set(event_ids))} doubled")
        if carrier_partners(timeline["legs"]) != carrier_partners(truth["legs"]):
            problems.append(f"{truth['shipment']}: carriers {carrier_partners(timeline['legs'])} != {carrier_partners(truth['legs'])}")
        for identifier in truth["identifiers"][1:]:
            _, other = fetch_shipment(web_urls[(n + 1) % len(web_urls)], identifier, token)
            if other.get("timeline", {}).get("shipment_id") != truth["shipment_id"]:
                problems.append(f"{truth['shipment']}: {identifier} does not resolve to {truth['shipment_id']}")
    return found


def check_against_ground_truth(web_urls: list[str], directory: Path, token: str | None = None) -> None:
    problems = [p for found in shipment_problems(web_urls, directory, token).values() for p in found]
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:30])
