"""`hub contracts`, `hub close-period` and `hub settlements`: finance's commands."""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import sys
from datetime import date, datetime, timezone
from pathlib import Path

from hub import topics
from hub.command_errors import broker_problem
from hub.config import ConfigError, Settings
from hub.settlement.contracts import ContractError, check_publishable, load_contracts
from hub.settlement.periods import close_command, parse_period


def _fail(command: str, message: str, code: int = 1) -> int:
    print(f"hub {command}: {message}", file=sys.stderr)
    return code


def add_parsers(subparsers: argparse._SubParsersAction) -> None:
    contracts = subparsers.add_parser("contracts", help="check or publish a contracts file")
    contracts.add_argument("action", choices=["check", "publish"])
    contracts.add_argument("file", type=Path)
    contracts.set_defaults(func=run_contracts)

    close = subparsers.add_parser("close-period", help="close a quarter (e.g. 2026Q3) for settlement")
    close.add_argument("period")
    close.add_argument("--cutoff", default=None, help="ISO instant, no earlier than now (default: now)")
    close.set_defaults(func=run_close_period)

    settlements = subparsers.add_parser("settlements", help="statements for a period, or explain one entry")
    settlements.add_argument("explain", nargs="?", choices=["explain"], help="explain ENTRY_ID")
    settlements.add_argument("entry_id", nargs="?")
    settlements.add_argument("--period", help="quarter, e.g. 2026Q3")
    settlements.add_argument("--contract", help="only this contract id")
    settlements.add_argument("--csv", action="store_true", help="CSV for spreadsheets")
    settlements.set_defaults(func=run_settlements)


def run_contracts(args: argparse.Namespace) -> int:
    try:
        contract_set = load_contracts(args.file)
    except ContractError as err:
        return _fail("contracts", str(err))
    if args.action == "check":
        for c in contract_set.contracts:
            print(f"{c.id} v{c.version} {c.kind} from {c.effective_from} rate {c.rate} ({c.timezone}, {c.rounding}, VAT {c.vat})")
        print(f"ok: {len(contract_set.contracts)} contract versions, {len(contract_set.fx)} FX rates, file hash {contract_set.file_hash}")
        return 0
    try:
        count = publish_contract_file(Settings.from_env(), args.file)
    except ContractError as err:
        return _fail("contracts", str(err))
    except Exception as err:  # noqa: BLE001 - one line, whatever the broker said
        return _fail("contracts", f"cannot publish: {err}")
    print(f"published {count} contract versions (file hash {contract_set.file_hash})")
    return 0


def publish_contract_file(settings: Settings, path: Path) -> int:
    """Validate, refuse retroactive or conflicting versions, publish each version to hub.contracts."""
    from hub.commands import publish
    from hub.topics import ensure_topics

    contract_set = load_contracts(path)
    asyncio.run(ensure_topics(settings, []))
    published = asyncio.run(_published_contracts(settings))
    check_publishable(published, contract_set, date.today())
    records = []
    fx = [json.loads(r.model_dump_json()) for r in contract_set.fx]
    for c in contract_set.contracts:
        value = {"file_hash": contract_set.file_hash, "contract": json.loads(c.model_dump_json()), "fx": fx}
        records.append((f"{c.id}:{c.version}".encode(), json.dumps(value, sort_keys=True).encode(), []))
    asyncio.run(publish(settings.kafka_bootstrap, topics.CONTRACTS.name(settings), records))
    return len(records)


async def _published_contracts(settings: Settings) -> dict[tuple[str, int], str]:
    """(contract id, version) → file hash of what hub.contracts already holds."""
    from hub.topic_reader import read_all

    published = {}
    for _, value in await read_all(settings.kafka_bootstrap, topics.CONTRACTS.name(settings)):
        if value:
            record = json.loads(value)
            published[(record["contract"]["id"], record["contract"]["version"])] = record["file_hash"]
    return published


def run_close_period(args: argparse.Namespace) -> int:
    try:
        parse_period(args.period)
    except ValueError as err:
        return _fail("close-period", str(err), 2)
    now = datetime.now(timezone.utc)
    cutoff = now
    if args.cutoff:
        try:
            cutoff = datetime.fromisoformat(args.cutoff)
        except ValueError:
            return _fail("close-period", f"--cutoff {args.cutoff!r} is not an ISO instant", 2)
        if cutoff.tzinfo is None:
            return _fail("close-period", "--cutoff needs an offset", 2)
        if cutoff < now:
            return _fail("close-period", "--cutoff may not be earlier than now: a close never rewrites the past", 2)
    try:
        settings = Settings.from_env()
    except ConfigError as err:
        return _fail("close-period", str(err))
    from hub.commands import publish

    command = close_command(args.period, cutoff)
    topic = topics.CONTROL.name(settings)
    try:
        asyncio.run(publish(settings.kafka_bootstrap, topic, [(args.period.encode(), json.dumps(command).encode(), [])]))
    except Exception as err:  # noqa: BLE001 - one line, whatever the broker said
        return _fail("close-period", broker_problem(f"cannot publish to {topic}", settings, err))
    print(f"close of {args.period} published with cutoff {command['cutoff']}")
    return 0


def run_settlements(args: argparse.Namespace) -> int:
    if args.explain and not args.entry_id:
        return _fail("settlements", "explain needs an ENTRY_ID", 2)
    if not args.explain and not args.period:
        return _fail("settlements", "give --period YYYYQn, or explain ENTRY_ID", 2)
    if not args.explain:
        try:
            parse_period(args.period)
        except ValueError as err:
            return _fail("settlements", str(err), 2)
    try:
        settings = Settings.from_env()
    except ConfigError as err:
        return _fail("settlements", str(err))
    topic = topics.SETTLEMENTS.name(settings) if args.explain else topics.STATEMENTS.name(settings)
    try:
        latest = latest_by_key(settings, topic)
    except Exception as err:  # noqa: BLE001 - one line, whatever the broker said
        return _fail("settlements", broker_problem(f"cannot read {topic}", settings, err))
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
        return _fail("settlements", f"no entry {entry_id} on {topic}")
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


def latest_by_key(settings: Settings, topic: str) -> dict[str, dict]:
    """Read a topic whole; the last value per key (what compaction will keep)."""
    from hub.topic_reader import read_all

    records = asyncio.run(read_all(settings.kafka_bootstrap, topic))
    latest: dict[str, dict] = {}
    for key, value in records:
        if key is not None and value is not None:
            latest[key.decode()] = json.loads(value)
    return latest
