"""The `hub` subcommands that talk to Kafka or a worker: worker, topics, publish, normalize, timeline."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

from hub.config import ConfigError, Settings


def _fail(command: str, message: str, code: int = 1) -> int:
    print(f"hub {command}: {message}", file=sys.stderr)
    return code


def _settings(command: str) -> Settings | None:
    try:
        return Settings.from_env()
    except ConfigError as err:
        _fail(command, str(err))
        return None


# -- hub worker -------------------------------------------------------------------------

def add_worker_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("worker", help="run a stream worker (all stages)")
    parser.add_argument("--web-port", type=int, default=None, help="HTTP port (default HUB_WEB_PORT or 6066)")
    parser.set_defaults(func=run_worker)


def run_worker(args: argparse.Namespace) -> int:
    import os

    if args.web_port:
        os.environ["HUB_WEB_PORT"] = str(args.web_port)
        os.environ.setdefault("HUB_WEB_URL", f"http://127.0.0.1:{args.web_port}")
    settings = _settings("worker")
    if settings is None:
        return 1
    from hub.app import active_partners, create_app
    from hub.logs import configure_logging
    from hub.topics import ensure_topics

    configure_logging(settings.log_format, settings.log_level)
    try:
        asyncio.run(ensure_topics(settings, [p.id for p in active_partners()]))
    except Exception as err:  # noqa: BLE001 - one line, whatever the broker said
        return _fail("worker", f"cannot prepare topics on {settings.kafka_bootstrap}: {err}")
    import faust

    app = create_app(settings)
    # redirect_stdouts=False: our structlog lines go to stdout as they are, not re-logged as faust warnings.
    worker = faust.Worker(app, loglevel=settings.log_level.lower(), quiet=True, redirect_stdouts=False)
    worker.execute_from_commandline()
    return 0


# -- hub topics -------------------------------------------------------------------------

def add_topics_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("topics", help="create every topic of this installation, or list them")
    parser.add_argument("action", choices=["create", "list"])
    parser.set_defaults(func=run_topics)


def run_topics(args: argparse.Namespace) -> int:
    settings = _settings("topics")
    if settings is None:
        return 1
    from hub.app import active_partners
    from hub.topics import all_topic_configs, ensure_topics

    partners = [p.id for p in active_partners()]
    if args.action == "list":
        for name, configs in all_topic_configs(settings, partners).items():
            print(name, " ".join(f"{k}={v}" for k, v in sorted(configs.items())))
        return 0
    try:
        created = asyncio.run(ensure_topics(settings, partners))
    except Exception as err:  # noqa: BLE001
        return _fail("topics", str(err))
    print(f"created {len(created)} topics" + (": " + ", ".join(created) if created else ""))
    return 0


# -- hub publish ------------------------------------------------------------------------

def add_publish_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("publish", help="publish partner payload files to a partner topic, or replay a simulation folder")
    parser.add_argument("--partner", default=None, help="partner id, e.g. cdek (with FILE...)")
    parser.add_argument("--subject", default=None, help="hub-subject header, scheme:VALUE, for formats that do not name their parcel")
    parser.add_argument("--dir", type=Path, default=None, help="a `hub simulate --out` folder: replay it in its manifest's order")
    parser.add_argument("--until", default=None, help="with --dir: only messages up to this simulated time (ISO with offset)")
    parser.add_argument("--rate", type=float, default=None, help="with --dir: at most this many messages per second")
    parser.add_argument("files", nargs="*", type=Path)
    parser.set_defaults(func=run_publish)


def run_publish(args: argparse.Namespace) -> int:
    from hub.command_errors import broker_problem
    from hub.partners import UnknownPartner, partner
    from hub.topics import partner_topic
    from schemas.deadletter import PARTNER_HEADER, SUBJECT_HEADER
    from schemas.identifiers import Identifier, InvalidIdentifier

    if bool(args.files) == (args.dir is not None):
        return _fail("publish", "give either FILE... with --partner, or --dir DIR", 2)
    if args.dir is None and (args.until or args.rate):
        return _fail("publish", "--until and --rate go with --dir", 2)
    settings = _settings("publish")
    if settings is None:
        return 1
    if args.dir is not None:
        return _replay(args, settings)
    if not args.partner:
        return _fail("publish", "--partner is required with FILE...", 2)
    try:
        partner(args.partner)
        if args.subject:
            Identifier.parse(args.subject)
    except (UnknownPartner, InvalidIdentifier) as err:
        return _fail("publish", str(err), 2)
    missing = [str(f) for f in args.files if not f.is_file()]
    if missing:
        return _fail("publish", f"no such file: {', '.join(missing)}", 2)
    topic = partner_topic(settings, args.partner)
    payloads = [f.read_bytes() for f in args.files]
    headers = [(PARTNER_HEADER, args.partner.encode())] + ([(SUBJECT_HEADER, args.subject.encode())] if args.subject else [])
    try:
        asyncio.run(publish(settings.kafka_bootstrap, topic, [(None, p, headers) for p in payloads]))
    except Exception as err:  # noqa: BLE001
        return _fail("publish", broker_problem(f"cannot publish to {topic}", settings, err))
    print(f"published {len(payloads)} messages to {topic}")
    return 0


def _replay(args: argparse.Namespace, settings: Settings) -> int:
    from hub.simulator.replay import replay

    if args.partner or args.subject:
        return _fail("publish", "--partner and --subject come from the manifest with --dir", 2)
    until = None
    if args.until:
        try:
            until = datetime.fromisoformat(args.until)
        except ValueError:
            return _fail("publish", f"--until {args.until!r} is not an ISO time", 2)
        if until.tzinfo is None:
            return _fail("publish", "--until needs an offset, e.g. 2026-03-01T00:00:00+03:00", 2)
    if args.rate is not None and args.rate <= 0:
        return _fail("publish", "--rate must be positive", 2)
    if not args.dir.is_dir():
        return _fail("publish", f"no such directory: {args.dir}", 2)
    try:
        sent = replay(args.dir, settings, until=until, rate=args.rate)
    except (FileNotFoundError, ValueError) as err:
        return _fail("publish", str(err), 2)
    except Exception as err:  # noqa: BLE001 - one line, whatever the broker said
        return _fail("publish", f"cannot publish to {settings.kafka_bootstrap}: {err}")
    print(f"published {sent} messages from {args.dir}" + (f" up to {args.until}" if args.until else ""))
    return 0


async def publish(bootstrap: str, topic: str, records: list[tuple[bytes | None, bytes, list[tuple[str, bytes]]]]) -> None:
    from aiokafka import AIOKafkaProducer

    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    try:
        await producer.start()  # inside: a producer that failed to start is stopped too, never left unclosed
        for key, value, headers in records:
            await producer.send_and_wait(topic, value=value, key=key, headers=headers or None)
    finally:
        await producer.stop()


# -- hub normalize ----------------------------------------------------------------------

def add_normalize_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("normalize", help="run a partner's adapter on a file, offline; one event per line")
    parser.add_argument("--partner", required=True)
    parser.add_argument("--subject", default=None, help="hub-subject header, scheme:VALUE")
    parser.add_argument("--received-at", default=None, help="ISO time with offset (default: now)")
    parser.add_argument("file", type=Path)
    parser.set_defaults(func=run_normalize)


def run_normalize(args: argparse.Namespace) -> int:
    from adapters.base import AdapterError, AdapterOptions
    from adapters.registry import PARSERS, run_adapter
    from hub.partners import UnknownPartner, partner

    try:
        known = partner(args.partner)
    except UnknownPartner as err:
        return _fail("normalize", str(err), 2)
    if known.adapter not in PARSERS:
        return _fail("normalize", f"partner {known.id} has no adapter yet ({known.adapter})", 2)
    if not args.file.is_file():
        return _fail("normalize", f"no such file: {args.file}", 2)
    received_at = datetime.now(timezone.utc)
    if args.received_at:
        try:
            received_at = datetime.fromisoformat(args.received_at)
        except ValueError:
            return _fail("normalize", f"--received-at {args.received_at!r} is not an ISO time", 2)
        if received_at.tzinfo is None:
            return _fail("normalize", "--received-at needs an offset, e.g. 2026-01-01T10:00:00+03:00", 2)
    settings = Settings.from_env()
    options = AdapterOptions(known.id, known.kind, subject=args.subject, assumed_zone=settings.assumed_zone, country=known.country)
    try:
        result = run_adapter(known.adapter, args.file.read_bytes(), received_at=received_at, options=options)
    except AdapterError as err:
        return _fail("normalize", f"{args.file}: {err}")
    for event in result.events:
        print(event.model_dump_json())
    if result.outcome.value != "normalised":
        print(f"hub normalize: {result.outcome.value}: " + "; ".join(p.detail for p in result.problems), file=sys.stderr)
    return 0


# -- hub timeline -----------------------------------------------------------------------

def add_timeline_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("timeline", help="show one parcel's timeline, from the worker at HUB_WEB_URL")
    parser.add_argument("id", help="shipment id (shp_...), scheme:VALUE or a bare number")
    parser.add_argument("--json", action="store_true", help="the timeline as one JSON document")
    parser.set_defaults(func=run_timeline)


def run_timeline(args: argparse.Namespace) -> int:
    from hub.timeline_view import render_timeline

    settings = _settings("timeline")
    if settings is None:
        return 1
    try:
        status, body = fetch_shipment(settings.web_url, args.id)
    except OSError as err:
        return _fail("timeline", f"no worker answers at {settings.web_url} ({getattr(err, 'reason', err)})")
    if status == 300:
        return _fail("timeline", f"{args.id} fits several schemes, ask for one of: {', '.join(body['candidates'])}", 2)
    if "order" in body:
        print(json.dumps(body, ensure_ascii=False) if args.json else f"order {body['order']}: shipments {', '.join(body['shipments'])}")
        return 0
    if not body.get("found"):
        return _fail("timeline", f"no timeline for {args.id}: {body.get('error', 'not seen yet')}")
    print(json.dumps(body["timeline"], ensure_ascii=False) if args.json else render_timeline(body["timeline"]))
    return 0


def fetch_shipment(web_url: str, query: str) -> tuple[int, dict]:
    """GET /shipments/{query} from a worker, following its redirects; (status, body)."""
    url = f"{web_url.rstrip('/')}/shipments/{urllib.parse.quote(query, safe=':')}"
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")
