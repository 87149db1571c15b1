"""`hub settlements --period P` and `hub settlements explain ENTRY_ID`: statements of a quarter, one entry's reasons."""

from __future__ import annotations

import argparse
import csv
import sys

from hub import topics
from hub.cli._shared import broker_problem, fail, latest_by_key, settings_or_none
from hub.settlement.periods import parse_period


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("settlements", help="statements for a period, or explain one entry")
    parser.add_argument("explain", nargs="?", choices=["explain"], help="explain ENTRY_ID")
    parser.add_argument("entry_id", nargs="?")
    parser.add_argument("--period", help="quarter, e.g. 2026Q3")
    parser.add_argument("--contract", help="only this contract id")
    parser.add_argument("--csv", action="store_true", help="CSV for spreadsheets")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.explain and not args.entry_id:
        return fail("settlements", "explain needs an ENTRY_ID", 2)
    if not args.explain and not args.period:
        return fail("settlements", "give --period YYYYQn, or explain ENTRY_ID", 2)
    if not args.explain:
        try:
            parse_period(args.period)
        except ValueError as err:
            return fail("settlements", str(err), 2)
    settings = settings_or_none("settlements")
    if settings is None:
        return 1
    topic = topics.SETTLEMENTS.name(settings) if args.explain else topics.STATEMENTS.name(settings)
    try:
        latest = latest_by_key(settings, topic)
    except Exception as err:  # noqa: BLE001 - one line, whatever the broker said
        return fail("settlements", broker_problem(f"cannot read {topic}", settings, err))
    if args.explain:
        return _explain(latest, args.entry_id, topic)
    statements = [s for s in latest.values() if s["period"] == args.period and (not args.contract or s["contract_id"] == args.contract)]
    statements.sort(key=lambda s: (s["contract_id"], s["payer"], s["payee"]))
    if args.csv:
        writer = csv.writer(sys.stdout)
        writer.writerow([
            "contract", "payer", "payee", "period", "currency", "accrual", "reversal", "period_fee", "adjustment", "net", "vat",
            "entries", "state", "cutoff",
        ])
        for s in statements:
            t = s["totals"]
            writer.writerow([s["contract_id"], s["payer"], s["payee"], s["period"], s["currency"],
                             *(_major(t.get(k, 0)) for k in ("accrual", "reversal", "period_fee", "adjustment")),
                             _major(s["net_minor"]), _major(s["vat_minor"]), sum(s["counts"].values()), s["state"], s["cutoff"] or ""])
        return 0
    print(render_statements(args.period, statements))
    return 0


def render_statements(period: str, statements: list[dict]) -> str:
    if not statements:
        return f"no statements for {period}"
    lines = [f"Statements for {period}", ""]
    header = (
        f"{'contract':<26} {'payer':<12} {'payee':<13} {'accruals':>14} {'reversals':>14} {'fees':>14} {'adjust.':>12}"
        f" {'net':>15} {'VAT':>12}  state"
    )
    lines += [header, "-" * len(header)]
    for s in statements:
        t = s["totals"]
        lines.append(
            f"{s['contract_id']:<26} {s['payer']:<12} {s['payee']:<13} {_major(t.get('accrual', 0)):>14} {_major(t.get('reversal', 0)):>14} "
            f"{_major(t.get('period_fee', 0)):>14} {_major(t.get('adjustment', 0)):>12} {_major(s['net_minor']):>15} {_major(s['vat_minor']):>12}  "
            f"{s['state']}{' ' + s['cutoff'] if s.get('cutoff') else ''}"
        )
    lines.append("")
    currencies = ", ".join(sorted({s["currency"] for s in statements}))
    lines.append(f"amounts in major units ({currencies}); entries: {sum(sum(s['counts'].values()) for s in statements)}")
    return "\n".join(lines)


def _major(minor: int) -> str:
    sign = "-" if minor < 0 else ""
    return f"{sign}{abs(minor) // 100:,}.{abs(minor) % 100:02d}".replace(",", " ")


def _explain(entries: dict[str, dict], entry_id: str, topic: str) -> int:
    entry = entries.get(entry_id)
    if entry is None:
        return fail("settlements", f"no entry {entry_id} on {topic}")
    lines = [
        f"entry {entry['entry_id']}: {entry['kind']} of {_major(entry['amount_minor'])} {entry['currency']} (VAT {_major(entry['vat_minor'])})",
        f"  {entry['payer']} owes {entry['payee']} in {entry['period']}"
        + (f" (late input from {entry['original_period']})" if entry.get("original_period") else ""),
        f"  contract {entry['contract_id']} version {entry['contract_version']} (file {entry['contract_hash']})",
        f"  basis {_major(entry['basis_minor'])} {entry['basis_currency']} for {entry['subject']} × rate {entry['rate']}"
        + (f", FX {entry['fx_rate']}" if entry.get("fx_rate") else ""),
        f"  cause {entry['cause']}",
        f"  trigger event {entry.get('trigger_event_id') or '-'} at {entry['occurred_at']}; inputs received by {entry['inputs_received_at']}",
    ]
    if entry.get("reverses"):
        lines.append(f"  reverses {entry['reverses']}")
    print("\n".join(lines))
    return 0
