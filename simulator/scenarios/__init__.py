"""Journeys: who carries a parcel from order to outcome, and how the partners' numbers meet.

Each scenario adds one order (or none) and its shipments to the world, with a track per
partner. Parcels link only through what the real formats carry: an AliExpress order's
`logistics_no`, a Cainiao S10 `mailNo` that Russian Post tracks too, a Russian Post
renumbering, an Ozon posting's `tracking_number`, CDEK `related_entities`, or a hub-native
`handed_over` event (to CDEK or SPSR).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from simulator.scenarios.aliexpress import (
    aliexpress_cancelled,
    aliexpress_cdek,
    aliexpress_russian_post,
    aliexpress_split,
    aliexpress_spsr,
)
from simulator.scenarios.ozon import ozon_boxberry, ozon_cdek, ozon_russian_post
from simulator.scenarios.warehouses import guangzhou_russian_post, overseas_warehouse
from simulator.scenarios.wildberries import wildberries
from simulator.world import World

Scenario = Callable[[World, datetime], None]
# (scenario, weight, shipments it adds).
SCENARIOS: tuple[tuple[Scenario, int, int], ...] = (
    (aliexpress_russian_post, 22, 1),
    (aliexpress_split, 5, 2),
    (aliexpress_cdek, 12, 1),
    (ozon_cdek, 11, 1),
    (ozon_boxberry, 10, 1),
    (ozon_russian_post, 9, 1),
    (wildberries, 15, 1),
    (overseas_warehouse, 9, 1),
    (guangzhou_russian_post, 5, 1),
    (aliexpress_cancelled, 2, 0),
    (aliexpress_spsr, 4, 1),
)
