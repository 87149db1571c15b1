"""What the example contracts owe, worked out from the simulator's ground truth alone.

An oracle for the settlement end-to-end test, written independently of hub/settlement: it
imports only the standard library (a test enforces it), reads the contracts file with
tomllib and the ground truth as JSON lines, and does its own Decimal arithmetic.
"""

from __future__ import annotations

import json
import tomllib
from collections import defaultdict
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

Key = tuple[str, str, str, str]  # contract, payer, payee, period


def _half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _quarter(instant: datetime, zone: ZoneInfo) -> str:
    local = instant.astimezone(zone)
    return f"{local.year}Q{(local.month - 1) // 3 + 1}"


def _rate(fx: list[dict], base: str, quote: str, on) -> Decimal:
    if base == quote:
        return Decimal(1)
    rows = [r for r in fx if r["base"] == base and r["quote"] == quote and str(r["date"]) <= on]
    return Decimal(max(rows, key=lambda r: str(r["date"]))["rate"])


def expected(truth_dir: Path, contracts_file: Path, closed: set[str]) -> dict[Key, dict[str, int]]:
    """(contract, payer, payee, period) → amount per entry kind, in minor units."""
    terms = tomllib.loads(contracts_file.read_text())
    fx = terms.get("fx", [])
    shipments = [json.loads(line) for line in (truth_dir / "ground_truth" / "shipments.jsonl").read_text().splitlines() if line]
    totals: dict[Key, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    turnover: dict[tuple[str, str, str], int] = defaultdict(int)  # contract, payer, period
    for contract_id in sorted({c["id"] for c in terms["contracts"]}):
        versions = sorted((c for c in terms["contracts"] if c["id"] == contract_id), key=lambda c: c["version"])
        head = versions[0]
        zone = ZoneInfo(head.get("timezone", "Europe/Moscow"))
        for s in shipments:
            if not s.get("delivered_at") or not s.get("value"):
                continue
            delivered = datetime.fromisoformat(s["delivered_at"])
            local_day = delivered.astimezone(zone).date().isoformat()  # the file writes dates as text
            value = Decimal(s["value"]["minor"]) / 100 * _rate(fx, s["value"]["currency"], head.get("currency", "RUB"), local_day)
            returned = datetime.fromisoformat(s["returned_at"]) if s.get("returned_at") else None
            if head["kind"] == "shipment_share":
                live = [c for c in versions if str(c["effective_from"]) <= local_day]
                if not live:
                    continue
                c = live[-1]
                filters = c.get("filters", {})
                if filters.get("marketplace") and s["marketplace"] not in filters["marketplace"]:
                    continue
                if filters.get("carrier") and not set(filters["carrier"]) & set(s["partners"]):
                    continue
                amount = _half_up(value * Decimal(c["rate"]) * 100)
                totals[(c["id"], c["payer"], c["payee"], _quarter(delivered, zone))]["accrual"] += amount
                if returned is not None and returned > delivered:
                    totals[(c["id"], c["payer"], c["payee"], _quarter(returned, zone))]["reversal"] -= amount
            elif s["marketplace"] in head["payers"]:
                minor = _half_up(value * 100)
                turnover[(contract_id, s["marketplace"], _quarter(delivered, zone))] += minor
                if returned is not None and returned > delivered:
                    turnover[(contract_id, s["marketplace"], _quarter(returned, zone))] -= minor
    for (contract_id, payer, period), net in turnover.items():
        c = next(c for c in terms["contracts"] if c["id"] == contract_id)
        revenue = c.get("declared_annual_revenue_minor", {}).get(payer, 0)
        if period in closed and revenue > c["threshold_minor"] and net > 0:
            totals[(contract_id, payer, c["payee"], period)]["period_fee"] += _half_up(Decimal(net) / 100 * Decimal(c["rate"]) * 100)
    return {k: dict(v) for k, v in totals.items()}
