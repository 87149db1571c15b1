"""`hub contracts check|publish FILE`: validate a contracts file; publish its versions to hub.contracts."""

from __future__ import annotations

import argparse
import asyncio
import json
from datetime import date
from pathlib import Path

from hub import topics
from hub.cli._shared import fail, publish
from hub.config import Settings, kafka_client_options
from hub.settlement.contracts import ContractError, check_publishable, load_contracts


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("contracts", help="check or publish a contracts file")
    parser.add_argument("action", choices=["check", "publish"])
    parser.add_argument("file", type=Path)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        contract_set = load_contracts(args.file)
    except ContractError as err:
        return fail("contracts", str(err))
    if args.action == "check":
        for c in contract_set.contracts:
            print(f"{c.id} v{c.version} {c.kind} from {c.effective_from} rate {c.rate} ({c.timezone}, {c.rounding}, VAT {c.vat})")
        print(f"ok: {len(contract_set.contracts)} contract versions, {len(contract_set.fx)} FX rates, file hash {contract_set.file_hash}")
        return 0
    try:
        count = publish_contract_file(Settings.from_env(), args.file)
    except ContractError as err:
        return fail("contracts", str(err))
    except Exception as err:  # noqa: BLE001 - one line, whatever the broker said
        return fail("contracts", f"cannot publish: {err}")
    print(f"published {count} contract versions (file hash {contract_set.file_hash})")
    return 0


def publish_contract_file(settings: Settings, path: Path) -> int:
    """Validate, refuse retroactive or conflicting versions, publish each version to hub.contracts."""
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
    asyncio.run(publish(settings.kafka_bootstrap, topics.CONTRACTS.name(settings), records, security=kafka_client_options(settings)))
    return len(records)


async def _published_contracts(settings: Settings) -> dict[tuple[str, int], str]:
    """(contract id, version) → file hash of what hub.contracts already holds."""
    from hub.kafka.topic_reader import read_all

    published = {}
    for _, value in await read_all(settings.kafka_bootstrap, topics.CONTRACTS.name(settings), security=kafka_client_options(settings)):
        if value:
            record = json.loads(value)
            published[(record["contract"]["id"], record["contract"]["version"])] = record["file_hash"]
    return published
