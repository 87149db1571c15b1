"""`hub poll PARTNER...`: ask partners that only answer questions about every parcel still moving (docs/pollers.md)."""

from __future__ import annotations

import argparse
import asyncio

from hub.cli._shared import fail, logging_and_topics_ready, settings_or_none


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    from hub.pollers.credentials import POLLED_PARTNERS

    parser = subparsers.add_parser("poll", help="poll partners that only answer questions (russian_post, wildberries, boxberry)")
    parser.add_argument("partners", nargs="+", metavar="PARTNER", help=", ".join(POLLED_PARTNERS))
    parser.add_argument("--once", action="store_true", help="one pass, then exit (tickets stay open for the next run)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from hub.pollers.build import ASKERS
    from hub.pollers.credentials import CredentialsError

    unknown = [p for p in args.partners if p not in ASKERS]
    if unknown:
        return fail("poll", f"cannot poll {', '.join(unknown)}: pollers exist for {', '.join(ASKERS)}", 2)
    settings = settings_or_none("poll")
    if settings is None:
        return 1
    from prometheus_client import start_http_server

    from hub.pollers.clock import WallClock
    from hub.pollers.metrics import REGISTRY
    from hub.pollers.run import run_pollers
    from hub.topics import POLLER_STATE, TIMELINES

    # Only the topics a poller uses: on a secure cluster its credential reaches no others.
    failed = logging_and_topics_ready("poll", settings, list(dict.fromkeys(args.partners)), (TIMELINES, POLLER_STATE))
    if failed is not None:
        return failed
    if settings.poll_metrics_port and not args.once:
        start_http_server(settings.poll_metrics_port, addr=settings.web_host, registry=REGISTRY)
    try:
        asyncio.run(run_pollers(list(dict.fromkeys(args.partners)), settings, WallClock(), passes=1 if args.once else None))
    except CredentialsError as err:
        return fail("poll", str(err))
    except KeyboardInterrupt:
        return 0
    return 0
