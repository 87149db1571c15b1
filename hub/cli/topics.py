"""`hub topics create|list`: every topic of this installation (the broker never auto-creates)."""

from __future__ import annotations

import argparse
import asyncio

from hub.cli._shared import fail, settings_or_none


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("topics", help="create every topic of this installation, or list them")
    parser.add_argument("action", choices=["create", "list"])
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = settings_or_none("topics")
    if settings is None:
        return 1
    from hub.app import active_partners
    from hub.topics import all_topic_configs, ensure_topics

    partners = [p.id for p in active_partners()]
    if args.action == "list":
        for name, configs in all_topic_configs(settings, partners).items():
            print(name, " ".join(f"{k}={v}" for k, v in sorted(configs.items())))
        return 0
    try:
        created = asyncio.run(ensure_topics(settings, partners))
    except Exception as err:  # noqa: BLE001
        return fail("topics", str(err))
    print(f"created {len(created)} topics" + (": " + ", ".join(created) if created else ""))
    return 0
