"""`hub timeline ID`: one parcel's timeline, from the worker at HUB_WEB_URL."""

from __future__ import annotations

import argparse
import json
from typing import Any

from hub.cli._shared import fail, fetch_shipment, settings_or_none


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("timeline", help="show one parcel's timeline, from the worker at HUB_WEB_URL")
    parser.add_argument("id", help="shipment id (shp_...), scheme:VALUE or a bare number")
    parser.add_argument("--json", action="store_true", help="the timeline as one JSON document")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = settings_or_none("timeline")
    if settings is None:
        return 1
    try:
        status, body = fetch_shipment(settings.web_url, args.id)
    except OSError as err:
        return fail("timeline", f"no worker answers at {settings.web_url} ({getattr(err, 'reason', err)})")
    if status == 300:
        return fail("timeline", f"{args.id} fits several schemes, ask for one of: {', '.join(body['candidates'])}", 2)
    if "order" in body:
        print(json.dumps(body, ensure_ascii=False) if args.json else f"order {body['order']}: shipments {', '.join(body['shipments'])}")
        return 0
    if not body.get("found"):
        return fail("timeline", f"no timeline for {args.id}: {body.get('error', 'not seen yet')}")
    print(json.dumps(body["timeline"], ensure_ascii=False) if args.json else render_timeline(body["timeline"]))
    return 0


def render_timeline(timeline: dict[str, Any]) -> str:
    """A timeline as a person reads it in a terminal: status, identifiers, legs, then events."""
    lines = [
        f"shipment {timeline['shipment_id']}: {timeline['status']} ({timeline['milestone']})",
        f"  identifiers: {', '.join(timeline['identifiers'])}",
    ]
    if timeline.get("orders"):
        lines.append(f"  orders: {', '.join(timeline['orders'])}")
    corridor = timeline.get("corridor")
    if corridor:
        route = f"{corridor.get('origin_country') or '?'} → {corridor.get('destination_country') or '?'}"
        lines.append(f"  corridor: {route} / {corridor.get('destination_city')}")
    if timeline.get("promised_delivery"):
        lines.append(f"  promised delivery: {timeline['promised_delivery']}")
    if timeline.get("legs"):
        lines.append("  legs:")
        for leg in timeline["legs"]:
            lines.append(f"    {leg['leg']:<22} {leg['partner']:<14} {leg['entered_at']} → {leg.get('exited_at') or '…'}")
    lines.append("  events:")
    for event in timeline["events"]:
        place = (event.get("location") or {}).get("city") or ""
        lines.append(
            f"    {event['occurred_at']}  {event['partner']:<12} {event['status']:<20} {event['milestone']:<26} "
            f"{event['raw_code']:<28} {place}"
        )
    return "\n".join(lines)
