"""What the example contracts owe, worked out from the simulator's ground truth alone.

An oracle for the settlement end-to-end tests, written independently of hub/settlement: it
imports only the standard library (a test enforces it), reads the contracts file with
tomllib and the ground truth as JSON lines, and does its own Decimal arithmetic.

When periods were closed between batches of inputs (`inputs_until`), money whose inputs
reached the hub only after its period had closed lands, as an adjustment, in the earliest
period not yet closed then (docs/architecture.md#periods-and-closes); so does a delivery's part
of a payer's turnover, and so the fee of the period it lands in. When the inputs reached the
hub is the simulator's witness, `ground_truth/arrivals.jsonl`: the publish time of the first
message telling of the shipment's order value, delivery or return, and of its links.
"""

from __future__ import annotations

import json
import tomllib
from collections import defaultdict
from dataclasses import dataclass
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


def _next_period(period: str) -> str:
    year, quarter = int(period[:4]), int(period[5])
    return f"{year + (quarter == 4)}Q{1 if quarter == 4 else quarter + 1}"


def _arrived(arrival: dict, *what: str) -> datetime | None:
    """When the last of the inputs named arrived: the reports of `what`, the value, the links."""
    times = [arrival.get(f"{w}_at") for w in what] + [arrival.get("value_at"), arrival.get("links_at")]
    return max(datetime.fromisoformat(t) for t in times if t)


@dataclass(frozen=True)
class Entry:
    """One share entry the contracts imply: an accrual when a shipment was delivered, a
    reversal when it came back, either an adjustment when it landed in a later period."""

    contract_id: str
    payer: str
    payee: str
    period: str
    kind: str
    subject: str  # the order (or the parcel, when no order is known)
    amount_minor: int
    vat_minor: int
    basis_minor: int


def _vat(amount: Decimal, contract: dict) -> int:
    rate = Decimal(contract.get("vat_rate", "0"))
    if contract.get("vat") == "included":
        return _half_up(amount * rate / (1 + rate) * 100)
    if contract.get("vat") == "excluded":
        return _half_up(amount * rate * 100)
    return 0


def expected(
    truth_dir: Path, contracts_file: Path, closed: set[str], inputs_until: dict[str, datetime] | None = None,
) -> dict[Key, dict[str, int]]:
    """(contract, payer, payee, period) → amount per entry kind, in minor units.

    `closed`: the periods closed. `inputs_until`: per closed period, the simulated publish time
    up to which inputs had been published (and processed) when it was closed; without it,
    every period was closed after all inputs.
    """
    entries, turnover = _settle(truth_dir, contracts_file, closed, inputs_until)
    totals: dict[Key, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for e in entries:
        totals[(e.contract_id, e.payer, e.payee, e.period)][e.kind] += e.amount_minor
    terms = tomllib.loads(contracts_file.read_text())
    for (contract_id, payer, period), net in turnover.items():
        c = next(c for c in terms["contracts"] if c["id"] == contract_id)
        revenue = c.get("declared_annual_revenue_minor", {}).get(payer, 0)
        if period in closed and revenue > c["threshold_minor"] and net > 0:
            totals[(contract_id, payer, c["payee"], period)]["period_fee"] += _half_up(Decimal(net) / 100 * Decimal(c["rate"]) * 100)
    return {k: dict(v) for k, v in totals.items()}


def expected_entries(
    truth_dir: Path, contracts_file: Path, closed: set[str], inputs_until: dict[str, datetime] | None = None,
) -> list[Entry]:
    """Every share entry one by one (the fees are in `expected`), arguments as there."""
    return _settle(truth_dir, contracts_file, closed, inputs_until)[0]


def _settle(
    truth_dir: Path, contracts_file: Path, closed: set[str], inputs_until: dict[str, datetime] | None,
) -> tuple[list[Entry], dict[tuple[str, str, str], int]]:
    terms = tomllib.loads(contracts_file.read_text())
    fx = terms.get("fx", [])
    truth = truth_dir / "ground_truth"
    shipments = [json.loads(line) for line in (truth / "shipments.jsonl").read_text().splitlines() if line]
    arrivals: dict[str, dict] = {}
    if inputs_until is not None:
        arrivals = {a["shipment"]: a for a in map(json.loads, (truth / "arrivals.jsonl").read_text().splitlines()) if a}

    def landing(period: str, arrived: datetime | None) -> str:
        """The period money of `period` lands in when its inputs arrived at `arrived`."""
        while inputs_until is not None and period in closed and arrived is not None and arrived > inputs_until[period]:
            period = _next_period(period)
        return period

    entries: list[Entry] = []
    turnover: dict[tuple[str, str, str], int] = defaultdict(int)  # contract, payer, period booked
    for contract_id in sorted({c["id"] for c in terms["contracts"]}):
        versions = sorted((c for c in terms["contracts"] if c["id"] == contract_id), key=lambda c: c["version"])
        head = versions[0]
        zone = ZoneInfo(head.get("timezone", "Europe/Moscow"))
        for s in shipments:
            if not s.get("delivered_at") or not s.get("value"):
                continue
            arrival = arrivals.get(s["shipment"], {})
            delivered = datetime.fromisoformat(s["delivered_at"])
            delivered_in = landing(_quarter(delivered, zone), _arrived(arrival, "delivered") if arrival else None)
            local_day = delivered.astimezone(zone).date().isoformat()  # the file writes dates as text
            value = Decimal(s["value"]["minor"]) / 100 * _rate(fx, s["value"]["currency"], head.get("currency", "RUB"), local_day)
            returned = datetime.fromisoformat(s["returned_at"]) if s.get("returned_at") else None
            returned_in = None
            if returned is not None and returned > delivered:
                returned_in = landing(_quarter(returned, zone), _arrived(arrival, "delivered", "returned") if arrival else None)
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
                share = value * Decimal(c["rate"])
                amount, vat, basis = _half_up(share * 100), _vat(share, c), _half_up(value * 100)
                subject = s.get("order") or s["identifiers"][0]
                kind = "accrual" if delivered_in == _quarter(delivered, zone) else "adjustment"
                entries.append(Entry(c["id"], c["payer"], c["payee"], delivered_in, kind, subject, amount, vat, basis))
                if returned_in is not None:
                    kind = "reversal" if returned_in == _quarter(returned, zone) else "adjustment"
                    entries.append(Entry(c["id"], c["payer"], c["payee"], returned_in, kind, subject, -amount, -vat, basis))
            elif s["marketplace"] in head["payers"]:
                minor = _half_up(value * 100)
                turnover[(contract_id, s["marketplace"], delivered_in)] += minor
                if returned_in is not None:
                    turnover[(contract_id, s["marketplace"], returned_in)] -= minor
    return entries, turnover
