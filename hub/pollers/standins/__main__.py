"""`python -m hub.pollers.standins boxberry --answers DIR --port N`: the Boxberry stand-in as a process, for the demo.

Not Boxberry: a local stand-in (`boxberry.py`) on the wall clock, answering `ListStatuses` for
each parcel with the bytes of `DIR/<track>.json`. The token comes from HUB_STANDIN_TOKEN (never
on the command line, never logged). Every request is one log line marked `stand_in`;
`GET /standin/recorded` gives what it recorded (requests and rule violations) as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import os
from collections.abc import Awaitable, Callable
from pathlib import Path

from aiohttp import web

from hub.logs import configure_logging, log
from hub.pollers.clock import WallClock
from hub.pollers.standins.boxberry import LABEL, BoxberryStandIn


def answers_from(directory: Path) -> dict[str, bytes]:
    """track → the bytes to answer with, one `<track>.json` file each."""
    return {path.stem: path.read_bytes() for path in sorted(directory.glob("*.json"))}


def recorded_view(standin: BoxberryStandIn) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def recorded(_: web.Request) -> web.Response:
        requests = standin.recorded.requests
        return web.json_response({"requests": len(requests), "parcels_asked": sorted({track for _, _, track in requests}),
                                  "violations": standin.recorded.violations})

    return recorded


@web.middleware
async def logged(request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]) -> web.StreamResponse:
    response = await handler(request)
    if request.path != "/standin/recorded":  # the query holds the token: only the parcel is logged
        log.info("standin_request_answered", stand_in=LABEL, method=request.query.get("method", ""),
                 track=request.query.get("ImId", ""), status=response.status)
    return response


async def serve(answers: dict[str, bytes], port: int, token: str) -> None:
    standin = BoxberryStandIn(WallClock(), dict(answers), token=token)
    standin.app.middlewares.append(logged)
    standin.app.router.add_get("/standin/recorded", recorded_view(standin))
    await standin.start(port)
    log.info("standin_started", stand_in=LABEL, endpoint=standin.endpoint, parcels=len(answers))
    try:
        await asyncio.Event().wait()
    finally:
        await standin.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hub.pollers.standins", description=__doc__.splitlines()[0])
    parser.add_argument("partner", choices=["boxberry"])
    parser.add_argument("--answers", type=Path, required=True, help="a folder of <track>.json answers")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    configure_logging(os.environ.get("HUB_LOG_FORMAT", "json"))
    try:
        asyncio.run(serve(answers_from(args.answers), args.port, os.environ.get("HUB_STANDIN_TOKEN", "token")))
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
