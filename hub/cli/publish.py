"""`hub publish`: partner payload files to a partner's topic, or a simulation folder replayed in its manifest's order."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from hub.cli._shared import aware_time, broker_problem, fail, publish, settings_or_none
from hub.config import Settings, kafka_client_options


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("publish", help="publish partner payload files to a partner topic, or replay a simulation folder")
    parser.add_argument("--partner", default=None, help="partner id, e.g. cdek (with FILE...)")
    parser.add_argument("--subject", default=None, help="hub-subject header, scheme:VALUE, for formats that do not name their parcel")
    parser.add_argument("--dir", type=Path, default=None, help="a `hub simulate --out` folder: replay it in its manifest's order")
    parser.add_argument("--until", default=None, help="with --dir: only messages up to this simulated time (ISO with offset)")
    parser.add_argument("--rate", type=float, default=None, help="with --dir: at most this many messages per second")
    parser.add_argument("files", nargs="*", type=Path)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from hub.partners import UnknownPartner, partner
    from hub.topics import partner_topic
    from schemas.deadletter import PARTNER_HEADER, SUBJECT_HEADER
    from schemas.identifiers import Identifier, InvalidIdentifier

    if bool(args.files) == (args.dir is not None):
        return fail("publish", "give either FILE... with --partner, or --dir DIR", 2)
    if args.dir is None and (args.until or args.rate):
        return fail("publish", "--until and --rate go with --dir", 2)
    settings = settings_or_none("publish")
    if settings is None:
        return 1
    if args.dir is not None:
        return _replay(args, settings)
    if not args.partner:
        return fail("publish", "--partner is required with FILE...", 2)
    try:
        partner(args.partner)
        if args.subject:
            Identifier.parse(args.subject)
    except (UnknownPartner, InvalidIdentifier) as err:
        return fail("publish", str(err), 2)
    missing = [str(f) for f in args.files if not f.is_file()]
    if missing:
        return fail("publish", f"no such file: {', '.join(missing)}", 2)
    topic = partner_topic(settings, args.partner)
    payloads = [f.read_bytes() for f in args.files]
    headers = [(PARTNER_HEADER, args.partner.encode())] + ([(SUBJECT_HEADER, args.subject.encode())] if args.subject else [])
    try:
        asyncio.run(publish(settings.kafka_bootstrap, topic, [(None, p, headers) for p in payloads], security=kafka_client_options(settings)))
    except Exception as err:  # noqa: BLE001
        return fail("publish", broker_problem(f"cannot publish to {topic}", settings, err))
    print(f"published {len(payloads)} messages to {topic}")
    return 0


def _replay(args: argparse.Namespace, settings: Settings) -> int:
    from hub.kafka.partner_feed import replay

    if args.partner or args.subject:
        return fail("publish", "--partner and --subject come from the manifest with --dir", 2)
    until = None
    if args.until:
        try:
            until = aware_time("--until", args.until)
        except ValueError as err:
            return fail("publish", str(err), 2)
    if args.rate is not None and args.rate <= 0:
        return fail("publish", "--rate must be positive", 2)
    if not args.dir.is_dir():
        return fail("publish", f"no such directory: {args.dir}", 2)
    try:
        sent = replay(args.dir, settings, until=until, rate=args.rate)
    except (FileNotFoundError, ValueError) as err:
        return fail("publish", str(err), 2)
    except Exception as err:  # noqa: BLE001 - one line, whatever the broker said
        return fail("publish", f"cannot publish to {settings.kafka_bootstrap}: {err}")
    print(f"published {sent} messages from {args.dir}" + (f" up to {args.until}" if args.until else ""))
    return 0
