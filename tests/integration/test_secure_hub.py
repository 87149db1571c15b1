"""The hub end to end on the secure broker (issue 21): the worker runs with the workers'
credential only, partners and the gateway publish with theirs, and a small simulation ends as
its ground truth; finance reads the settlements (equal to the oracle's) and nothing else; the
worker's HTTP API behind bearer tokens (HUB_API_TOKENS, hub/web/auth.py) answers operations
everything, a partner only the shipments it took part in (anything else is the same 404 as a
parcel that does not exist), /metrics behind its own token, /health open.

One worker serves the module, on the run's one secure broker (conftest.py `secure_broker`).
"""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest

from hub import topics
from hub.access.declaration import partner_user
from hub.app import active_partners
from hub.cli._shared import publish
from hub.cli.contracts import publish_contract_file
from hub.config import Settings, kafka_client_options
from hub.kafka.caught_up import wait_until_caught_up
from hub.kafka.partner_feed import replay
from hub.kafka.topic_reader import read_all
from hub.partners import PARTNERS
from hub.stages.identity import shipment_id_for
from hub.topics import partner_topic
from tests.support import settlement_oracle
from tests.support.environment import SecureBroker
from tests.support.expectations import ground_truth
from tests.support.hub_command import hub_here
from tests.support.kafka_access import as_user, set_passwords, try_consume
from tests.support.settlement_entries import oracle_entries, share_entries
from tests.support.simulation import simulation_dir
from tests.support.timeline_check import carrier_partners, check_against_ground_truth
from tests.support.worker import WorkerProcess, assert_no_stalls, free_port

pytestmark = pytest.mark.integration

SHIPMENTS = 25
CONTRACTS = Path(__file__).resolve().parents[2] / "deploy" / "contracts.example.toml"

MOSCOW_PARCEL, GUANGZHOU_PARCEL, NOBODYS = "hub:WH-MOW-000201", "hub:WH-CAN-000202", "hub:WH-MOW-999999"
# A token for every partner, so that each look-up is asked as each of them.
PARTNER_TOKENS = {partner: f"{partner}-token-0123456789abcdef" for partner in sorted(PARTNERS)}
TOKENS = {"operations": "ops-token-0123456789abcdef", "metrics": "metrics-token-0123456789ab", **PARTNER_TOKENS}


def native(parcel: str, event: str, when: str) -> bytes:
    return json.dumps({"format": "hub-native/1", "parcel": parcel, "event": event, "occurred_at": when}).encode()


def ask(url: str, token: str | None) -> tuple[int, dict | str]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            body = response.read()
            status = response.status
    except urllib.error.HTTPError as err:
        body, status = err.read(), err.code
    try:
        return status, json.loads(body)
    except ValueError:
        return status, body.decode(errors="replace")


@dataclass(frozen=True)
class SecureHub:
    env: dict[str, str]  # as the super-user
    passwords: dict[str, str]  # user → its SCRAM password
    worker: WorkerProcess

    @property
    def admin(self) -> Settings:
        return Settings.from_env(self.env)

    def settings_of(self, user: str) -> Settings:
        return Settings.from_env(as_user(self.env, user, self.passwords[user]))

    def caught_up(self, timeout: float = 120.0) -> float:
        return asyncio.run(wait_until_caught_up(self.admin, [p.id for p in active_partners()], timeout))


@pytest.fixture(scope="module")
def secure_hub(secure_broker: SecureBroker, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecureHub]:
    """A hub on the secure broker: the declaration applied and the contracts published by the
    super-user, a worker running as `hub-worker` with the API tokens above."""
    directory = tmp_path_factory.mktemp("secure-hub")
    env = secure_broker.hub_environment(directory)
    applied = hub_here(env, "access", "apply")
    assert applied.returncode == 0, applied.stderr
    admin = Settings.from_env(env)
    users = ["hub-worker", "hub-gateway", "hub-finance", partner_user("wh_moscow"), partner_user("wh_guangzhou")]
    passwords = set_passwords(admin, users)
    publish_contract_file(admin, CONTRACTS)
    tokens = directory / "api-tokens.toml"
    tokens.write_text(
        f'[tokens]\noperations = "{TOKENS["operations"]}"\nmetrics = "{TOKENS["metrics"]}"\n[partners]\n'
        + "".join(f'{partner} = "{token}"\n' for partner, token in PARTNER_TOKENS.items())
    )
    worker_env = {**as_user(env, "hub-worker", passwords["hub-worker"]), "HUB_API_TOKENS": str(tokens)}
    worker = WorkerProcess(worker_env, directory / "worker.log", free_port())
    worker.start()
    try:
        yield SecureHub(env, passwords, worker)
    finally:
        worker.stop()
    assert_no_stalls([worker])


@pytest.fixture(scope="module")
def simulated(secure_hub: SecureHub, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small simulation published and processed: its folder, ground truth included."""
    simulation = simulation_dir(tmp_path_factory.mktemp("simulation"), SHIPMENTS)
    # Partner traffic arrives as the gateway would write it: with the gateway's credential.
    sent = replay(simulation, secure_hub.settings_of("hub-gateway"), show_progress=False)
    assert sent > SHIPMENTS * 3
    secure_hub.caught_up()
    return simulation


def test_a_simulation_ends_as_its_ground_truth_and_finance_reads_only_money(secure_hub: SecureHub, simulated: Path) -> None:
    simulation = simulated
    check_against_ground_truth([secure_hub.worker.url], simulation, TOKENS["operations"])

    finance = secure_hub.settings_of("hub-finance")
    entries: dict[str, bytes] = {}
    for key, value in asyncio.run(read_all(finance.kafka_bootstrap, topics.SETTLEMENTS.name(finance), security=kafka_client_options(finance))):
        assert entries.setdefault(key.decode(), value) == value, f"{key!r} repeated with other bytes"
    each = oracle_entries(settlement_oracle.expected_entries(simulation, CONTRACTS, closed=set()))
    assert sum(each.values()) >= 2, each  # the simulation is seeded: two accruals, in two quarters
    assert share_entries(entries) == each
    # Everything else is closed to finance, by the broker.
    others = [topics.TIMELINES.name(finance), topics.EVENTS.name(finance), topics.DEADLETTER.name(finance), partner_topic(finance, "cdek")]
    assert asyncio.run(try_consume(finance, others)) == dict.fromkeys(others, False)


def test_tokens_scope_the_api(secure_hub: SecureHub, simulated: Path) -> None:
    # Each warehouse publishes its own parcel with its own credential.
    for partner, parcel, when in (("wh_moscow", MOSCOW_PARCEL, "2026-03-02T10:00:00+03:00"),
                                  ("wh_guangzhou", GUANGZHOU_PARCEL, "2026-03-02T11:00:00+08:00")):
        own = secure_hub.settings_of(partner_user(partner))
        asyncio.run(publish(own.kafka_bootstrap, partner_topic(own, partner), [(None, native(parcel, "warehouse_inbound", when), [])],
                            security=kafka_client_options(own)))
    secure_hub.caught_up()
    worker = secure_hub.worker
    url = worker.url
    assert ask(f"{url}/health", None)[0] in (200, 503)
    assert ask(f"{url}/shipments/{MOSCOW_PARCEL}", None)[0] == 401
    assert ask(f"{url}/shipments/{MOSCOW_PARCEL}", "not-a-token-at-all-000")[0] == 401

    # Operations see both parcels, by identifier and by shipment id.
    for parcel in (MOSCOW_PARCEL, GUANGZHOU_PARCEL):
        for query in (parcel, shipment_id_for(parcel)):
            status, body = ask(f"{url}/shipments/{query}", TOKENS["operations"])
            assert status == 200 and body["timeline"]["shipment_id"] == shipment_id_for(parcel), (query, status, body)

    # A partner sees its own parcel, and the other's exactly as a parcel that does not exist.
    missing = ask(f"{url}/shipments/{NOBODYS}", TOKENS["wh_moscow"])
    assert missing == (404, {"found": False, "query": NOBODYS})
    for partner, own, other in (("wh_moscow", MOSCOW_PARCEL, GUANGZHOU_PARCEL), ("wh_guangzhou", GUANGZHOU_PARCEL, MOSCOW_PARCEL)):
        token = TOKENS[partner]
        for query in (own, shipment_id_for(own)):
            status, body = ask(f"{url}/shipments/{query}", token)
            assert status == 200 and body["timeline"]["shipment_id"] == shipment_id_for(own), (query, body)
        for query in (other, shipment_id_for(other)):
            assert ask(f"{url}/shipments/{query}", token) == (404, {"found": False, "query": query})
        # The internal routes and the operations views are not a partner's either.
        assert ask(f"{url}/_timeline/{shipment_id_for(other)}", token)[0] == 404
        assert ask(f"{url}/ops.json", token)[0] == 404
        assert ask(f"{url}/metrics", token)[0] == 404
        status, body = ask(f"{url}/settlements", token)
        assert status == 200 and all(partner in (e["payer"], e["payee"]) for e in body["entries"]), body
    # The simulation's entries are there to be kept apart: operations see those of many parties.
    status, body = ask(f"{url}/settlements", TOKENS["operations"])
    assert status == 200 and body["entries"], body

    # /metrics behind its own token; faust's own views closed to all but operations.
    assert ask(f"{url}/metrics", None)[0] == 401
    status, text = ask(f"{url}/metrics", TOKENS["metrics"])
    assert status == 200 and "hub_" in str(text)
    assert ask(f"{url}/ops.json", TOKENS["metrics"])[0] == 404
    assert ask(f"{url}/router/", None)[0] == 401
    assert ask(f"{url}/router/", TOKENS["wh_moscow"])[0] == 404
    assert ask(f"{url}/ops.json", TOKENS["operations"])[0] == 200
    # Tokens never reach the worker's log.
    log = worker.log_path.read_text(errors="replace")
    assert not any(token in log for token in TOKENS.values())


def queries_of_every_kind(simulation: Path) -> dict[str, tuple[str, dict]]:
    """Kind (a scheme, `shp`) → (query, its shipment's ground truth): one identifier of every scheme in the simulation,
    a shipment id, and one order of every marketplace (a two-parcel order among them if any)."""
    truths = ground_truth(simulation, "shipments")
    chosen: dict[str, tuple[str, dict]] = {"shp": (truths[0]["shipment_id"], truths[0])}
    per_order = Counter(t["order"] for t in truths if t["order"])
    for truth in sorted(truths, key=lambda t: -per_order[t["order"]]):
        for identifier in [*truth["identifiers"], *([truth["order"]] if truth["order"] else [])]:
            # A shop's own order number never links (schemas/identifiers.py): nobody's to look up.
            if not identifier.startswith("shop:"):
                chosen.setdefault(identifier.partition(":")[0], (identifier, truth))
    return chosen


def test_each_partner_finds_by_every_identifier_only_what_it_took_part_in(secure_hub: SecureHub, simulated: Path) -> None:
    """Every identifier scheme, a shipment id and every kind of order, asked with every
    partner's token: the shipment (or the order's shipments) of a partner with an event on it,
    for anyone else the 404 of a parcel that does not exist. The carriers of the ground truth
    always find theirs. Settlement entries: exactly those a partner pays or receives."""
    url = secure_hub.worker.url
    ops = TOKENS["operations"]

    def lookup(query: str, token: str) -> tuple[int, dict | str]:
        return ask(f"{url}/shipments/{quote(query, safe=':')}", token)

    def parties(shipment_id: str) -> set[str]:
        status, body = lookup(shipment_id, ops)
        assert status == 200 and isinstance(body, dict), (shipment_id, status, body)
        return {event["partner"] for event in body["timeline"]["events"]}

    kinds = queries_of_every_kind(simulated)
    print(f"\nlook-ups by {len(kinds)} kinds ({', '.join(sorted(kinds))}) x {len(PARTNER_TOKENS)} partners")
    assert {"shp", "aliexpress_order", "ozon_order"} <= set(kinds) and len(kinds) >= 10, sorted(kinds)
    queries = list(kinds.values())
    seen_by: Counter[str] = Counter()
    refused_to: Counter[str] = Counter()
    orders_answered = 0  # look-ups answered as an order of several parcels, not one timeline
    for query, truth in queries:
        status, answer = lookup(query, ops)
        assert status == 200 and isinstance(answer, dict), (query, status, answer)
        if "order" in answer:
            orders_answered += 1
            shipments = {shipment: parties(shipment) for shipment in answer["shipments"]}
        else:
            shipments = {answer["timeline"]["shipment_id"]: parties(answer["timeline"]["shipment_id"])}
        for partner, token in PARTNER_TOKENS.items():
            own = [shipment for shipment, who in shipments.items() if partner in who]
            got = lookup(query, token)
            if not own:
                assert got == (404, {"found": False, "query": query}), (query, partner, got)
                refused_to[query] += 1
                continue
            status, body = got
            assert status == 200 and isinstance(body, dict), (query, partner, got)
            assert (body["shipments"] if "order" in answer else [body["timeline"]["shipment_id"]]) == own, (query, partner, body)
            seen_by[query] += 1
        for carrier in carrier_partners(truth["legs"]):
            if "order" not in answer:
                assert carrier in shipments[truth["shipment_id"]], (query, carrier)
    # Each query is someone's and not everyone's: the scoping splits the partners every time.
    assert all(seen_by[q] and refused_to[q] for q, _ in queries), (seen_by, refused_to)
    assert orders_answered >= 1, "no look-up reached an order of several parcels"

    _, everything = ask(f"{url}/settlements", ops)
    assert isinstance(everything, dict) and everything["entries"]
    for partner, token in PARTNER_TOKENS.items():
        _, body = ask(f"{url}/settlements", token)
        assert isinstance(body, dict)
        expected = sorted(e["entry_id"] for e in everything["entries"] if partner in (e["payer"], e["payee"]))
        assert sorted(e["entry_id"] for e in body["entries"]) == expected, partner
