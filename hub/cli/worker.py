"""`hub worker`: a stream worker running every stage, with its web server on HUB_WEB_PORT."""

from __future__ import annotations

import argparse
import os

from hub.cli._shared import fail, logging_and_topics_ready, settings_or_none
from hub.garbage import collect_garbage_less_often


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
    from hub.kafka.security import SASL_SSL

    if settings.kafka_security == SASL_SSL and not settings.api_tokens_file:
        return fail("worker", "HUB_KAFKA_SECURITY=sasl_ssl needs HUB_API_TOKENS: a secure hub does not serve its HTTP API unauthenticated")
    failed = logging_and_topics_ready("worker", settings)
    if failed is not None:
        return failed
    import faust

    from hub.app import create_app, worker_data_dir

    worker_data_dir(settings).parent.mkdir(parents=True, exist_ok=True)
    app = create_app(settings)
    collect_garbage_less_often()
    # redirect_stdouts=False: our structlog lines go to stdout as they are, not re-logged as faust warnings.
    worker = faust.Worker(app, loglevel=settings.log_level.lower(), quiet=True, redirect_stdouts=False)
    worker.execute_from_commandline()
    return 0
