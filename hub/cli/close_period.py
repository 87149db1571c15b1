"""`hub close-period 2026Q3 [--cutoff T]`: close a quarter; fees computed, later inputs become adjustments."""

from __future__ import annotations

import argparse
import asyncio
import json
from datetime import datetime, timezone

from hub import topics
from hub.cli._shared import aware_time, broker_problem, fail, publish, settings_or_none
from hub.config import kafka_client_options
from hub.settlement.periods import close_command, parse_period


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("close-period", help="close a quarter (e.g. 2026Q3) for settlement")
    parser.add_argument("period")
    parser.add_argument("--cutoff", default=None, help="ISO instant, no earlier than now (default: now)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        parse_period(args.period)
    except ValueError as err:
        return fail("close-period", str(err), 2)
    now = datetime.now(timezone.utc)
    cutoff = now
    if args.cutoff:
        try:
            cutoff = aware_time("--cutoff", args.cutoff)
        except ValueError as err:
            return fail("close-period", str(err), 2)
        if cutoff < now:
            return fail("close-period", "--cutoff may not be earlier than now: a close never rewrites the past", 2)
    settings = settings_or_none("close-period")
    if settings is None:
        return 1
    command = close_command(args.period, cutoff)
    topic = topics.CONTROL.name(settings)
    try:
        record = (args.period.encode(), json.dumps(command).encode(), [])
        asyncio.run(publish(settings.kafka_bootstrap, topic, [record], security=kafka_client_options(settings)))
    except Exception as err:  # noqa: BLE001 - one line, whatever the broker said
        return fail("close-period", broker_problem(f"cannot publish to {topic}", settings, err))
    print(f"close of {args.period} published with cutoff {command['cutoff']}")
    return 0
