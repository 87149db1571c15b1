"""`hub normalize --partner P FILE`: run a partner's adapter on a file, offline; one canonical event per line."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone
from pathlib import Path

from hub.cli._shared import aware_time, fail
from hub.config import Settings


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("normalize", help="run a partner's adapter on a file, offline; one event per line")
    parser.add_argument("--partner", required=True)
    parser.add_argument("--subject", default=None, help="hub-subject header, scheme:VALUE")
    parser.add_argument("--received-at", default=None, help="ISO time with offset (default: now)")
    parser.add_argument("file", type=Path)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from adapters.base import AdapterError, AdapterOptions
    from adapters.registry import PARSERS, run_adapter
    from hub.partners import UnknownPartner, partner

    try:
        known = partner(args.partner)
    except UnknownPartner as err:
        return fail("normalize", str(err), 2)
    if known.adapter not in PARSERS:
        return fail("normalize", f"partner {known.id} has no adapter yet ({known.adapter})", 2)
    if not args.file.is_file():
        return fail("normalize", f"no such file: {args.file}", 2)
    received_at = datetime.now(timezone.utc)
    if args.received_at:
        try:
            received_at = aware_time("--received-at", args.received_at)
        except ValueError as err:
            return fail("normalize", str(err), 2)
    settings = Settings.from_env()
    options = AdapterOptions(known.id, known.kind, subject=args.subject, assumed_zone=settings.assumed_zone, country=known.country)
    try:
        result = run_adapter(known.adapter, args.file.read_bytes(), received_at=received_at, options=options)
    except AdapterError as err:
        return fail("normalize", f"{args.file}: {err}")
    for event in result.events:
        print(event.model_dump_json())
    if result.outcome.value != "normalised":
        print(f"hub normalize: {result.outcome.value}: " + "; ".join(p.detail for p in result.problems), file=sys.stderr)
    return 0
