"""`hub demo`: the main job on one machine. Broker, topics, a worker, traffic, timelines, money.

Starts what is not running (the broker unless HUB_KAFKA_BOOTSTRAP names one, one worker),
publishes the example contracts and simulated traffic from every partner (with faults),
waits until the worker has processed it, prints a few multi-party timelines and the first
quarter's settlement statement, then stops what it started (or keeps it up with
--keep-running).
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
from hub.config import Settings
from hub.kafka import broker


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("demo", help="start broker and worker, publish simulated traffic, print timelines and a statement")
    parser.add_argument("--dir", type=Path, default=Path(".hub"), help="where the broker and worker keep data and logs")
    parser.add_argument("--keep-running", action="store_true", help="leave broker and worker up until Ctrl-C")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    started_broker = False
    env = dict(os.environ)
    if not env.get("HUB_KAFKA_BOOTSTRAP"):
        step("starting the Kafka broker (first run downloads its jars with Maven)")
        try:
            state = broker.start(args.dir / "broker")
        except broker.BrokerError as err:
            return fail("demo", str(err))
        started_broker = True
        env["HUB_KAFKA_BOOTSTRAP"] = state.bootstrap
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
    step(f"starting a worker (log: {log_path}, web: {settings.web_url})")
    worker = start_worker(env, log_path)
    try:
        if not wait_until_ready(settings.web_url, worker, 120):
            return fail("demo", f"the worker did not become ready; see {log_path}")
        shipment_ids = _publish_samples(settings)
        step("waiting until the worker has processed everything")
        from hub.app import active_partners
        from hub.kafka.caught_up import wait_until_caught_up

        asyncio.run(wait_until_caught_up(settings, [p.id for p in active_partners()], timeout=300))
        _print_timelines(settings, shipment_ids)
        _print_statement(settings, env)
        if args.keep_running:
            step(f"running; timelines at {settings.web_url}/shipments/<id>. Ctrl-C stops")
            try:
                worker.wait()
            except KeyboardInterrupt:
                pass
        return 0
    finally:
        stop_process_group(worker)
        if started_broker:
            broker.stop(args.dir / "broker")


DEMO_SHIPMENTS = 40
CONTRACTS_FILE = Path(__file__).resolve().parents[2] / "deploy" / "contracts.example.toml"


def _publish_samples(settings: Settings, shipments: int = DEMO_SHIPMENTS) -> list[str]:
    """Publish the example contracts and a simulated day-to-day mix of journeys; return what to show."""
    from hub.app import active_partners
    from hub.kafka.partner_feed import publish
    from simulator import simulate
    from simulator.publish import simulation_records

    step(f"publishing the example contracts ({CONTRACTS_FILE.name})")
    from hub.cli.contracts import publish_contract_file

    publish_contract_file(settings, CONTRACTS_FILE)
    simulation = simulate(shipments, seed=1)
    records = simulation_records(simulation.messages, [p.id for p in active_partners()])
    step(f"publishing {len(records)} partner messages for {shipments} simulated shipments (seed 1)")
    publish(settings, records)
    return simulation.showcase()[:6]


def _print_timelines(settings: Settings, queries: list[str]) -> None:
    from hub.cli.timeline import render_timeline

    for query in queries:
        _, body = fetch_shipment(settings.web_url, query)
        print(render_timeline(body["timeline"]) if body.get("found") else f"{query}: no timeline")
        print()


def _print_statement(settings: Settings, env: dict[str, str]) -> None:
    """Close the first quarter of the simulated year and print its statement, as finance sees it."""
    from hub.cli.settlements import render_statements

    period = "2026Q1"
    subprocess.run([sys.executable, "-m", "hub.cli", "close-period", period], env=env, check=True, stdout=subprocess.DEVNULL)
    from hub.app import active_partners
    from hub.kafka.caught_up import wait_until_caught_up

    asyncio.run(wait_until_caught_up(settings, [p.id for p in active_partners()], timeout=120))
    time.sleep(1.0)
    from hub import topics

    statements = [s for s in latest_by_key(settings, topics.STATEMENTS.name(settings)).values() if s["period"] == period]
    print(render_statements(period, sorted(statements, key=lambda s: (s["contract_id"], s["payer"], s["payee"]))))
    print(f"\n(dead letters, unknown codes and corridor figures: {settings.web_url}/ops while running)")
