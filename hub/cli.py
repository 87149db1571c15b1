"""The `hub` command line: one entry point, one subcommand per job.

A command given bad arguments says what is wrong in one line on stderr and exits non-zero.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable

from hub import bench, broker, commands, deadletters_command, demo, ops_command, settlement_commands, simulate_command, split_command

Registrar = Callable[[argparse._SubParsersAction], None]


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line: `hub: <what is wrong>` (exit 2)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        print(f"{self.prog}: {message}", file=sys.stderr)
        raise SystemExit(2)


def _registrars() -> list[Registrar]:
    registrars: list[Registrar] = [
        commands.add_worker_parser,
        broker.add_parser,
        commands.add_topics_parser,
        commands.add_publish_parser,
        commands.add_normalize_parser,
        commands.add_timeline_parser,
        split_command.add_parser,
        demo.add_parser,
        settlement_commands.add_parsers,
        simulate_command.add_parser,
        bench.add_parser,
        ops_command.add_parser,
        deadletters_command.add_parser,
    ]
    try:  # `hub identify` lives in its own module
        from hub import identify_command

        registrars.append(identify_command.add_parser)
    except ImportError:
        pass
    return registrars


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="hub", description="Kafka-native logistics integration hub")
    subparsers = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)
    for register in _registrars():
        register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    # A command says what went wrong in its own one line: aiokafka's records ("Unable connect
    # to ...") go only to handlers a worker configures, never to stderr by Python's last resort.
    logging.getLogger("aiokafka").addHandler(logging.NullHandler())
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None) or getattr(args, "run", None)
    return int(func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
