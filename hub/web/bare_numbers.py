"""A bare number that fits several identifier schemes, answered from what the hub has seen.

Trackers guess the carrier from a number's shape; the hub knows which parcels it has seen.
So a number that fits several schemes answers with the one parcel seen under any of them, or
lists the parcels seen when there are several, and only says "fits several schemes" when it
has seen none. Pure: the look-ups are done by the caller (hub/web/routes.py).
"""

from __future__ import annotations

from typing import Any


def bare_number_answer(query: str, candidates: list[str], seen: dict[str, dict[str, Any]]) -> tuple[int, dict[str, Any]]:
    """`seen`: candidate identifier → the look-up's answer, for those the hub knows.
    Returns (HTTP status, body): 200 with the one shipment's answer, else 300 with the
    candidates, `seen` saying whether they are parcels the hub knows or only shapes."""
    by_shipment: dict[str, list[str]] = {}
    for identifier in sorted(seen):
        body = seen[identifier]
        key = body["timeline"]["shipment_id"] if "timeline" in body else f"order:{body.get('order', identifier)}"
        by_shipment.setdefault(key, []).append(identifier)
    if len(by_shipment) == 1:
        (identifiers,) = by_shipment.values()
        return 200, {**seen[identifiers[0]], "query": query, "resolved_as": identifiers}
    if by_shipment:
        return 300, {"found": False, "query": query, "seen": True,
                     "candidates": sorted(i for ids in by_shipment.values() for i in ids),
                     "shipments": {i: key for key, ids in sorted(by_shipment.items()) for i in ids}}
    return 300, {"found": False, "query": query, "seen": False, "candidates": candidates}
