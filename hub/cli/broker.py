"""`hub broker start|stop|status|fetch`: the local Kafka broker (or three-node cluster) in `--dir`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from hub.cli._shared import fail
from hub.kafka import broker, broker_security


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("broker", help="start, stop or report the local Kafka broker")
    parser.add_argument("action", choices=["start", "stop", "status", "fetch"])
    parser.add_argument("--dir", type=Path, default=broker.DEFAULT_DIR, help="data and log directory (default .hub/broker)")
    parser.add_argument("--port", type=int, default=None, help="client port (default: HUB_BROKER_PORT, the recorded port or a free one)")
    parser.add_argument("--nodes", type=int, choices=[1, 3], default=None,
                        help="1 (default), or 3: a local KRaft cluster, replication 3, min.insync.replicas 2")
    parser.add_argument("--secure", action="store_true",
                        help="SASL_SSL (SCRAM-SHA-512) listeners only, ACLs deny by default; a local CA made on first start")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        if args.action == "fetch":
            print(broker.resolve_jars())
        elif args.action == "start":
            state = broker.start(args.dir, args.port, nodes=args.nodes, secure=args.secure)
            # The bootstrap address alone on stdout, so scripts can capture it.
            print(state.bootstrap)
            if state.secure:
                admin_env = broker_security.prepare(args.dir.resolve()).admin_env
                print(f"secure broker: the super-user's settings are in {admin_env} (set -a; . {admin_env}; set +a)", file=sys.stderr)
        elif args.action == "stop":
            print("stopped" if broker.stop(args.dir) else "not running")
        else:
            print(broker.status(args.dir))
    except broker.BrokerError as err:
        return fail("broker", str(err))
    return 0
