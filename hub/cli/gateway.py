"""`hub gateway`: the ingestion gateway, partners' webhooks and pushes onto their topics (docs/gateway.md)."""

from __future__ import annotations

import argparse
import asyncio
import signal

from hub.cli._shared import fail, settings_or_none


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("gateway", help="run the ingestion gateway: partner webhooks over HTTP onto their topics")
    parser.add_argument("--port", type=int, default=None, help="HTTP port (default HUB_GATEWAY_PORT or 8080)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import os

    if args.port is not None:
        os.environ["HUB_GATEWAY_PORT"] = str(args.port)
    settings = settings_or_none("gateway")
    if settings is None:
        return 1
    from hub.gateway.partner_access import PartnerFileError
    from hub.gateway.server import gateway_from_settings, serve
    from hub.gateway.spool import SpoolLocked
    from hub.logs import configure_logging

    configure_logging(settings.log_format, settings.log_level)
    try:
        gateway = gateway_from_settings(settings)
    except (PartnerFileError, SpoolLocked) as err:
        return fail("gateway", str(err))
    except OSError as err:
        return fail("gateway", f"cannot open the spool {settings.gateway_spool_dir}: {err.strerror or err}")

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await serve(gateway, settings.gateway_host, settings.gateway_port, stop)

    try:
        asyncio.run(main())
    except OSError as err:  # the port is taken, the host is not ours
        return fail("gateway", f"cannot listen on {settings.gateway_host}:{settings.gateway_port}: {err.strerror or err}")
    return 0
