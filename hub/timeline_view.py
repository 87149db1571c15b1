"""A timeline as a person reads it in a terminal: status, identifiers, legs, then events."""

from __future__ import annotations

from typing import Any


def render_timeline(timeline: dict[str, Any]) -> str:
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
