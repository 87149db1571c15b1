"""`hub access apply|add-partner|rotate|strimzi`: principals and ACLs from deploy/access.toml.

Run as the cluster's super-user (on the local secure broker: its `secure/admin.env`). A new
credential is printed once, as `HUB_KAFKA_USERNAME=` / `HUB_KAFKA_PASSWORD=` lines, and kept
nowhere by the hub: the broker stores only its salted SCRAM form.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import time
from pathlib import Path

from hub.access import declaration as access
from hub.access.strimzi import kafka_users_yaml
from hub.cli._shared import broker_problem, fail, settings_or_none
from hub.config import Settings, kafka_client_options
from hub.partners import PARTNERS


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("access", help="apply the declared principals and ACLs; add a partner; rotate a credential")
    parser.add_argument("action", choices=["apply", "add-partner", "rotate", "strimzi"])
    parser.add_argument("name", nargs="?", help="add-partner: a partner id; rotate: a role (workers, finance, ...), a partner id or a user")
    parser.add_argument("--file", type=Path, default=Path(os.environ.get("HUB_ACCESS_FILE") or access.DECLARATION),
                        help="the declaration (default HUB_ACCESS_FILE, else deploy/access.toml)")
    parser.add_argument("--dry-run", action="store_true", help="apply: print the difference, change nothing")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.action in ("add-partner", "rotate") and not args.name:
        return fail("access", f"{args.action} needs a NAME")
    if args.action == "strimzi":
        try:
            print(kafka_users_yaml(access.load(args.file)), end="")
        except access.AccessError as err:
            return fail("access", str(err))
        return 0
    settings = settings_or_none("access")
    if settings is None:
        return 1
    try:
        if args.action == "add-partner":
            if args.name not in PARTNERS:
                return fail("access", f"{args.name!r} is not a partner of the hub (hub/partners.py): its topic would not be read")
            access.with_partner(args.file, args.name)
        declared = access.load(args.file)
        if args.action == "rotate":
            user = declared.user_for(args.name)
            return _print_credential(user, asyncio.run(_rotate(settings, user)))
        lines = asyncio.run(_apply(settings, declared, dry_run=args.dry_run))
        if args.action == "apply":
            print("\n".join(lines) if lines else "no change: the cluster matches the declaration")
            return 0
        user = access.partner_user(args.name)
        return _print_credential(user, asyncio.run(_rotate(settings, user)))
    except access.AccessError as err:
        return fail("access", str(err))
    except Exception as err:  # noqa: BLE001 - one line, whatever the broker said
        return fail("access", broker_problem(f"cannot {args.action}", settings, err))


def _print_credential(user: str, password: str) -> int:
    print(f"HUB_KAFKA_USERNAME={user}\nHUB_KAFKA_PASSWORD={password}")
    return 0


async def _admin(settings: Settings):
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap, request_timeout_ms=10000, **kafka_client_options(settings))
    await admin.start()
    return admin


async def _apply(settings: Settings, declared: access.Declaration, *, dry_run: bool) -> list[str]:
    """Make the cluster's ACLs for the declared principals what the declaration says; the
    difference as `+`/`-` lines. The declared partners' topics are created too."""
    from hub.kafka import acl_admin
    from hub.topics import ensure_topics

    wanted = access.expand(declared, settings)
    admin = await _admin(settings)
    try:
        change = access.difference(wanted, await acl_admin.describe_acls(admin), declared, settings)
        if dry_run:
            return change.lines()
        await acl_admin.create_acls(admin, change.to_add)
        await acl_admin.delete_acls(admin, change.to_remove)
        # The broker applies ACLs from its metadata log a moment after accepting them.
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            present = await acl_admin.describe_acls(admin)
            if not access.difference(wanted, present, declared, settings).lines():
                break
            await asyncio.sleep(0.2)
    finally:
        await admin.close()
    await ensure_topics(settings, list(declared.partners))
    return change.lines()


async def _rotate(settings: Settings, user: str) -> str:
    """A new SCRAM-SHA-512 password for `user` (created if it had none); the old one stops working."""
    from hub.kafka import acl_admin

    password = secrets.token_urlsafe(24)
    admin = await _admin(settings)
    try:
        await acl_admin.upsert_scram_credential(admin, user, password)
    finally:
        await admin.close()
    return password
