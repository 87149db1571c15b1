"""`hub split A B`: undo a wrong merge by cutting the link between two parcel identifiers.

A wrong hand-over or a mistyped tracking number links two parcels into one shipment. The
operator names the two identifiers the wrong event linked; the hub cuts that link for good
(the same event replayed or sent again never links them again) and relabels what is left,
a new generation at each end (hub/stages/identity.py). If A and B are still linked through
other identifiers, they stay one shipment: the command says so, and which shipment.

Before publishing, the command asks a worker (HUB_WEB_URL) that A and B are in one shipment;
`--force` publishes the cut anyway (to forbid a link before it is ever made).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

from hub import topics
from hub.cli._shared import fail, fetch_shipment, publish, settings_or_none
from hub.config import kafka_client_options
from hub.stages.identity import split_messages
from schemas.identifiers import Identifier, InvalidIdentifier, Level, candidates


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "split", help="undo a wrong merge: cut the link between two parcel identifiers",
        description="Cut the link between parcel identifiers A and B for good; their shipment is relabelled.",
    )
    parser.add_argument("first", metavar="A", help="scheme:VALUE (or a number that fits one scheme)")
    parser.add_argument("second", metavar="B", help="scheme:VALUE (or a number that fits one scheme)")
    parser.add_argument("--force", action="store_true", help="publish even if no worker shows A and B in one shipment")
    parser.add_argument("--wait", type=float, default=20.0, help="seconds to wait for the relabelling to show (default 20, 0: do not wait)")
    parser.set_defaults(func=run)


def parcel_identifier(text: str) -> Identifier:
    """A parcel-level identifier from `scheme:VALUE` or a bare number that fits one scheme."""
    if ":" in text:
        identifier = Identifier.parse(text)
    else:
        found = candidates(text)
        if not found:
            raise InvalidIdentifier(f"{text!r} fits no known identifier scheme")
        if len(found) > 1:
            raise InvalidIdentifier(f"{text!r} fits several schemes, name one of: {', '.join(map(str, found))}")
        identifier = found[0]
    if identifier.level is not Level.PARCEL:
        raise InvalidIdentifier(f"{identifier} is {identifier.level.value}-level: only parcel identifiers link shipments")
    return identifier


def run(args: argparse.Namespace) -> int:
    try:
        first, second = parcel_identifier(args.first), parcel_identifier(args.second)
    except InvalidIdentifier as err:
        return fail("split", str(err), 2)
    if first == second:
        return fail("split", "A and B are the same identifier", 2)
    if args.wait < 0:
        return fail("split", "--wait may not be negative", 2)
    settings = settings_or_none("split")
    if settings is None:
        return 1
    before = (shipment_of(settings.web_url, str(first)), shipment_of(settings.web_url, str(second)))
    if not args.force:
        if None in before:
            missing = str(first) if before[0] is None else str(second)
            return fail("split", f"no worker at {settings.web_url} shows a shipment for {missing} (--force publishes the cut anyway)")
        if before[0] != before[1]:
            return fail("split", f"{first} is in {before[0]} and {second} in {before[1]}: they are not merged, nothing to split")
    records = [(send.key.encode(), json.dumps(send.message).encode(), []) for send in split_messages(str(first), str(second))]
    asyncio.run(publish(settings.kafka_bootstrap, topics.IDENTITY.name(settings), records, security=kafka_client_options(settings)))
    print(f"cut the link between {first} and {second}")
    if args.wait and None not in before:
        return _report(settings.web_url, str(first), str(second), args.wait)
    return 0


def _report(web_url: str, first: str, second: str, wait: float) -> int:
    """Wait for the two identifiers to resolve to two shipments; say where each ended up."""
    deadline = time.monotonic() + wait
    while True:
        after = (shipment_of(web_url, first), shipment_of(web_url, second))
        if None not in after and after[0] != after[1]:
            print(f"{first} → {after[0]}\n{second} → {after[1]}")
            return 0
        if time.monotonic() > deadline:
            break
        time.sleep(0.5)
    print(f"{first} and {second} are still one shipment ({after[0]}) after {wait:g} s: other identifiers link them too "
          f"(see `hub timeline {first}`), or the relabelling is still under way")
    return 0


def shipment_of(web_url: str, identifier: str) -> str | None:
    """The shipment id a worker resolves `identifier` to, or None (unknown, or no worker)."""
    try:
        status, body = fetch_shipment(web_url, identifier)
    except OSError:
        return None
    if status != 200 or not body.get("found"):
        return None
    return body["timeline"]["shipment_id"]
