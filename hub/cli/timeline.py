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
    if status == 300 and body.get("seen"):
        # Several parcels the hub has seen carry this number: list them, that is the answer.
        print(json.dumps(body, ensure_ascii=False) if args.json else "\n".join(
            [f"{args.id} is on {len(set(body['shipments'].values()))} parcels the hub has seen:"]
            + [f"  {identifier}  {body['shipments'][identifier]}" for identifier in body["candidates"]]))
        return 0
    if status == 300:
        return fail("timeline", f"{args.id} fits several schemes and the hub has seen none of them: {', '.join(body['candidates'])}", 2)
    if "order" in body:
        print(json.dumps(body, ensure_ascii=False) if args.json else f"order {body['order']}: shipments {', '.join(body['shipments'])}")
        return 0
    if not body.get("found"):
        return fail("timeline", f"no timeline for {args.id}: {body.get('error', 'not seen yet')}")
    timeline = body["timeline"]
    if body.get("resolved_as") and not args.json:
        print(f"{args.id}: the one parcel the hub has seen with it, as {', '.join(body['resolved_as'])}")
    if args.json:
        # The timeline as stored, plus what a person is shown: each scan once, with its sources.
        print(json.dumps({**timeline, "scans": shown_scans(timeline)}, ensure_ascii=False))
    else:
        print(render_timeline(timeline))
    return 0


def shown_scans(timeline: dict[str, Any]) -> list[dict[str, Any]]:
    from hub.stages.scans import scans
    from schemas.timeline import Timeline

    return [scan.as_json() for scan in scans(Timeline.model_validate(timeline))]


def _delivery(timeline: dict[str, Any]) -> list[str]:
    from hub.stages.service_clock import service_times
    from schemas.timeline import Timeline

    times = service_times(Timeline.model_validate(timeline))
    if times.delivered_time_unknown:
        return ["  delivered, time unknown (only snapshots without a partner time tell of it)"]
    return [f"  delivered: {times.delivered_at.isoformat()}"] if times.delivered_at else []


def _when(moment: str | None, time_source: str | None) -> str:
    """A time as the partner gave it, or marked as only the moment the hub first read it."""
    if moment is None:
        return "…"
    return f"{moment} (observed)" if time_source == "observed" else moment


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
    lines.extend(_delivery(timeline))
    if timeline.get("legs"):
        lines.append("  legs:")
        legs = timeline["legs"]
        for leg, following in zip(legs, [*legs[1:], None]):  # noqa: B905 - the last leg has no follower
            exited = _when(leg.get("exited_at"), following.get("time_source") if following else None)
            lines.append(f"    {leg['leg']:<22} {leg['partner']:<14} {_when(leg['entered_at'], leg.get('time_source'))} → {exited}")
    lines.append("  events (a scan told by several partners shown once, with each source and code;"
                 " (observed): no partner time, dated when first read):")
    by_id = {event["event_id"]: event for event in timeline["events"]}
    for scan in shown_scans(timeline):
        first = by_id[scan["sources"][0]["event_id"]]
        place = (first.get("location") or {}).get("city") or ""
        partners = "+".join(source["partner"] for source in scan["sources"])
        codes = " | ".join(source["raw_code"] for source in scan["sources"])
        lines.append(
            f"    {_when(scan['occurred_at'], scan['time_source'])}  {partners:<12} {scan['status']:<20} "
            f"{scan['milestone']:<26} {codes:<28} {place}"
        )
    return "\n".join(lines)
