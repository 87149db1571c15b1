"""`hub demo`: the main job on one machine. Broker, topics, a worker, traffic, timelines, money.

Starts what is not running (the broker unless HUB_KAFKA_BOOTSTRAP names one, one worker, one
ingestion gateway, a stand-in of Boxberry's API and a `hub poll boxberry`), publishes the
example contracts and simulated traffic from every partner (with faults): Ozon's pushes and
CDEK's webhooks over HTTP through the gateway, Boxberry's statuses by polling its stand-in, the
rest straight to the partner topics. Waits until the worker has processed it, checks every
shipment against the simulator's ground truth, prints a few multi-party timelines and the
first quarter's settlement statement, then stops what it started (or keeps it up with
--keep-running). With --secure (or HUB_SECURE=1) the broker is the secure one and each process
runs with its own role's credential (hub/cli/demo_secure.py).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

from hub.cli._shared import fail, fetch_shipment, latest_by_key, start_worker, step, stop_process_group, wait_until_ready
from hub.cli.demo_gateway import DemoGateway, describe_answers, start_gateway
from hub.cli.demo_poller import DemoPoller, PolledTraffic, describe_poll, pollers_table, split_for_polling, standin_address, start_polling
from hub.cli.demo_secure import open_parties, secure_parties
from hub.config import Settings, kafka_client_options
from hub.kafka import broker, broker_security
from hub.pollers.standins.boxberry import LABEL as STANDIN_LABEL


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("demo", help="start broker and worker, publish simulated traffic, print timelines and a statement")
    parser.add_argument("--dir", type=Path, default=Path(".hub"), help="where the broker and worker keep data and logs")
    parser.add_argument("--keep-running", action="store_true", help="leave broker, worker, gateway, stand-in and poller up until Ctrl-C")
    parser.add_argument("--secure", action="store_true", default=os.environ.get("HUB_SECURE") == "1",
                        help="the secure broker (TLS, SCRAM, ACLs), each process with its own credential (default: HUB_SECURE=1)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    started_broker = None
    env = dict(os.environ)
    if not env.get("HUB_KAFKA_BOOTSTRAP"):
        # The secure broker keeps its data and certificates apart from the development one's.
        broker_dir = args.dir / ("secure-broker" if args.secure else "broker")
        step(f"starting the {'secure ' if args.secure else ''}Kafka broker (first run downloads its jars with Maven)")
        try:
            state = broker.start(broker_dir, secure=args.secure)
        except broker.BrokerError as err:
            return fail("demo", str(err))
        started_broker = broker_dir
        env["HUB_KAFKA_BOOTSTRAP"] = state.bootstrap
        if args.secure:
            env.update(broker_security.admin_settings(broker_security.prepare(broker_dir.resolve())))
    elif args.secure and env.get("HUB_KAFKA_SECURITY") != "sasl_ssl":
        return fail("demo", "--secure with HUB_KAFKA_BOOTSTRAP needs the cluster's super-user in HUB_KAFKA_SECURITY/USERNAME/PASSWORD")
    run_id = f"demo{uuid.uuid4().hex[:6]}"
    # A fresh prefix per demo run: the sample traffic never mixes with an earlier run's.
    env.setdefault("HUB_TOPIC_PREFIX", f"{run_id}.hub.")
    env.setdefault("HUB_PARTNER_PREFIX", f"{run_id}.partner.")
    env.setdefault("HUB_APP_ID", run_id)
    env.setdefault("HUB_COMMIT_INTERVAL", "0.5")
    env.setdefault("HUB_DATA_DIR", str(args.dir / "worker"))
    env.setdefault("HUB_LOG_FORMAT", "json")
    settings = Settings.from_env(env)
    log_path = args.dir / "worker.log"
    args.dir.mkdir(parents=True, exist_ok=True)
    try:
        parties = secure_parties(env, args.dir) if args.secure else open_parties(env)
    except Exception as err:  # noqa: BLE001 - one line, whatever the broker said
        if started_broker:
            broker.stop(started_broker)
        return fail("demo", f"cannot set up the parties' credentials: {' '.join(str(err).split())}")
    step(f"starting a worker (log: {log_path}, web: {settings.web_url})")
    worker = start_worker(parties.worker, log_path)
    gateway, poller = None, None
    try:
        from simulator import simulate

        simulation = simulate(DEMO_SHIPMENTS, seed=1)
        traffic = split_for_polling(simulation.messages)
        standin_url, standin_token = standin_address()
        gateway = start_gateway(parties.gateway, args.dir, pollers_table(standin_url, standin_token))
        step(f"starting an ingestion gateway (log: {gateway.log_path}, partner file: {args.dir / 'gateway-secrets.toml'}, "
             f"listening on {gateway.url})")
        poller = start_polling(parties.pollers, args.dir, traffic.answers, standin_url, standin_token)
        step(f"starting a STAND-IN of Boxberry's API, not Boxberry (hub/pollers/standins/boxberry.py, log: {poller.standin_log}, "
             f"at {standin_url}): it answers for {len(traffic.answers)} parcels with what the simulator generated for them")
        step(f"starting `hub poll boxberry` against the stand-in (log: {poller.poller_log}, metrics: {poller.metrics_url}/metrics)")
        if not wait_until_ready(settings.web_url, worker, 120):
            return fail("demo", f"the worker did not become ready; see {log_path}")
        if not gateway.wait_until(lambda health: health.get("broker_up"), 60):
            return fail("demo", f"the gateway did not reach the broker; see {gateway.log_path}")
        _publish_samples(settings, gateway, poller, traffic, Settings.from_env(parties.gateway))
        step("waiting until the worker has processed everything")
        from hub.app import active_partners
        from hub.kafka.caught_up import wait_until_caught_up

        asyncio.run(wait_until_caught_up(settings, [p.id for p in active_partners()], timeout=300))
        problems = _ground_truth_problems(settings, simulation.shipments(), parties.api_token)
        _print_timelines(settings, simulation.showcase()[:6], parties.api_token)
        _print_statement(settings, env, Settings.from_env(parties.finance))
        if problems:
            return fail("demo", f"{len(problems)} shipments differ from the ground truth: " + "; ".join(problems[:5]))
        if args.keep_running:
            step(f"running; timelines at {settings.web_url}/shipments/<id>, the gateway at {gateway.url}, the Boxberry "
                 f"stand-in at {poller.standin_url}. Ctrl-C stops")
            try:
                worker.wait()
            except KeyboardInterrupt:
                pass
        return 0
    finally:
        if poller is not None:
            poller.stop()
        if gateway is not None:
            stop_process_group(gateway.process)
        stop_process_group(worker)
        if started_broker:
            broker.stop(started_broker)


DEMO_SHIPMENTS = 40
CONTRACTS_FILE = Path(__file__).resolve().parents[2] / "deploy" / "contracts.example.toml"


def _publish_samples(settings: Settings, gateway: DemoGateway, poller: DemoPoller, traffic: PolledTraffic,
                     publisher: Settings, shipments: int = DEMO_SHIPMENTS) -> None:
    """Publish the example contracts and a simulated day-to-day mix of journeys, Ozon's and
    CDEK's pushes through the gateway over HTTP, Boxberry's statuses by polling its stand-in;
    say what the gateway answered and what the poller asked. The rest goes straight to the
    partner topics as `publisher` (on the secure broker, the gateway's credential)."""
    from hub.app import active_partners
    from hub.cli.contracts import publish_contract_file
    from hub.topics import ensure_topics, partner_topic
    from simulator.publish import Progress, publish_records, simulation_records
    from simulator.push import PartnerPush

    step(f"publishing the example contracts ({CONTRACTS_FILE.name})")
    publish_contract_file(settings, CONTRACTS_FILE)
    active = [p.id for p in active_partners()]
    before, after = simulation_records(traffic.before, active), simulation_records(traffic.after, active)
    records = before + after
    pushed = sum(1 for r in records if r.pushed and r.partner in gateway.urls)
    step(f"sending {len(records)} partner messages for {shipments} simulated shipments (seed 1): {pushed} of them "
         f"({', '.join(gateway.urls)} pushes) over HTTP through the gateway, the rest published to their topics; "
         f"Boxberry's by polling: {len(after)} later messages about its parcels wait until the poller has asked")
    asyncio.run(ensure_topics(settings, sorted({r.partner for r in records} | {"boxberry"})))

    async def send() -> PartnerPush:
        async with PartnerPush(gateway.urls) as push:
            await push.ping_ozon()  # Ozon's first request to a receiver is a ping
            progress = Progress(len(records), label="sent")
            await publish_records(settings.kafka_bootstrap, before, lambda p: partner_topic(settings, p), total=len(records),
                                  progress=progress, divert=push.divert, security=kafka_client_options(publisher))
            step(f"waiting until `hub poll boxberry` has asked the stand-in about {len(poller.parcels)} parcels")
            if not await asyncio.to_thread(poller.wait_until_answered, 120):
                step(f"the poller has not answered for every parcel; see {poller.poller_log} and {poller.standin_log}")
            await publish_records(settings.kafka_bootstrap, after, lambda p: partner_topic(settings, p), total=len(after),
                                  divert=push.divert, security=kafka_client_options(publisher))
        return push

    push = asyncio.run(send())
    # A spooled record reaches its topic when the gateway's drainer has moved it.
    if not gateway.wait_until(lambda health: health.get("spooled") == 0, 60):
        step(f"the gateway still holds records in its spool; see {gateway.log_path}")
    ping, answers = push.answers[0], push.answers[1:]
    print(f"gateway {gateway.url}: {len(push.answers)} messages over HTTP, {len(records) - len(answers)} published directly")
    print("\n".join(describe_answers(ping, answers, gateway.outcomes())))
    print(f"boxberry by polling: `hub poll boxberry` asking the {STANDIN_LABEL} at {poller.standin_url}")
    print("\n".join(describe_poll(poller, len(traffic.after))))
    print()


def _ground_truth_problems(settings: Settings, truths: list[dict], token: str | None) -> list[str]:
    """Every simulated shipment asked of the worker: its shipment id, status and identifiers must be the simulator's."""
    problems = []
    for truth in truths:
        _, body = fetch_shipment(settings.web_url, truth["identifiers"][0], token)
        timeline = body.get("timeline") if body.get("found") else None
        if timeline is None:
            problems.append(f"{truth['identifiers'][0]}: no timeline")
        elif (timeline["shipment_id"], timeline["status"], sorted(timeline["identifiers"])) != (
                truth["shipment_id"], truth["final_status"], sorted(truth["identifiers"])):
            problems.append(f"{truth['identifiers'][0]}: {timeline['status']}, expected {truth['final_status']}")
    print(f"ground truth: {len(truths) - len(problems)} of {len(truths)} shipments end with the simulator's shipment id, "
          "status and identifiers\n")
    return problems


def _print_timelines(settings: Settings, queries: list[str], token: str | None) -> None:
    from hub.cli.timeline import render_timeline

    for query in queries:
        _, body = fetch_shipment(settings.web_url, query, token)
        print(render_timeline(body["timeline"]) if body.get("found") else f"{query}: no timeline")
        print()


def _print_statement(settings: Settings, env: dict[str, str], finance: Settings) -> None:
    """Close the first quarter of the simulated year and print its statement, as finance sees it
    (read with `finance`'s credential)."""
    from hub.cli.settlements import render_statements

    period = "2026Q1"
    subprocess.run([sys.executable, "-m", "hub.cli", "close-period", period], env=env, check=True, stdout=subprocess.DEVNULL)
    from hub.app import active_partners
    from hub.kafka.caught_up import wait_until_caught_up

    asyncio.run(wait_until_caught_up(settings, [p.id for p in active_partners()], timeout=120))
    time.sleep(1.0)
    from hub import topics

    statements = [s for s in latest_by_key(finance, topics.STATEMENTS.name(finance)).values() if s["period"] == period]
    print(render_statements(period, sorted(statements, key=lambda s: (s["contract_id"], s["payer"], s["payee"]))))
    print(f"\n(dead letters, unknown codes and corridor figures: {settings.web_url}/ops while running)")
