"""`hub worker`: a stream worker running every stage, with its web server on HUB_WEB_PORT."""

from __future__ import annotations

import argparse
import asyncio
import os

from hub.cli._shared import fail, settings_or_none
from hub.config import kafka_client_options


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("worker", help="run a stream worker (all stages)")
    parser.add_argument("--web-port", type=int, default=None, help="HTTP port (default HUB_WEB_PORT or 6066)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.web_port:
        os.environ["HUB_WEB_PORT"] = str(args.web_port)
        os.environ.setdefault("HUB_WEB_URL", f"http://127.0.0.1:{args.web_port}")
    settings = settings_or_none("worker")
    if settings is None:
        return 1
    from hub.app import active_partners, create_app
    from hub.kafka.security import SASL_SSL, connection_problem
    from hub.logs import configure_logging
    from hub.topics import ensure_topics

    if settings.kafka_security == SASL_SSL and not settings.api_tokens_file:
        return fail("worker", "HUB_KAFKA_SECURITY=sasl_ssl needs HUB_API_TOKENS: a secure hub does not serve its HTTP API unauthenticated")
    configure_logging(settings.log_format, settings.log_level)
    try:
        asyncio.run(ensure_topics(settings, [p.id for p in active_partners()]))
    except Exception as err:  # noqa: BLE001 - one line, whatever the broker said
        reason = asyncio.run(connection_problem(settings.kafka_bootstrap, kafka_client_options(settings))) or " ".join(str(err).split())
        return fail("worker", f"cannot prepare topics on {settings.kafka_bootstrap}: {reason}")
    import faust

    app = create_app(settings)
    # redirect_stdouts=False: our structlog lines go to stdout as they are, not re-logged as faust warnings.
    worker = faust.Worker(app, loglevel=settings.log_level.lower(), quiet=True, redirect_stdouts=False)
    worker.execute_from_commandline()
    return 0
