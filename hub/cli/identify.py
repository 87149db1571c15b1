"""`hub identify NUMBER`: what a tracking or order number can be, from the identifier registry.

Prints one line per candidate scheme (level, check digit, and for S10 the service and the
issuing country; for Russian Post's 14 digits the accepting office), or one line of JSON
with `--json`. A number that fits no scheme is an error on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from hub.cli._shared import fail
from schemas.identifiers import SCHEMES, Identifier, InvalidIdentifier, Scheme, candidates, s10_service

EXIT_OK = 0
EXIT_NO_SCHEME = 2


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "identify",
        help="say which identifier schemes a number can belong to",
        description="List the identifier schemes NUMBER fits (or check a scheme:VALUE), with check digits.",
    )
    parser.add_argument("number", metavar="NUMBER", help="a bare number, or scheme:VALUE")
    parser.add_argument("--json", action="store_true", help="print one line of JSON")
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    number = str(args.number)
    try:
        found = candidates(number)
    except InvalidIdentifier as err:
        return fail("identify", str(err), EXIT_NO_SCHEME)
    if not found:
        return fail("identify", f"{number.strip()!r} fits no known identifier scheme", EXIT_NO_SCHEME)
    described = [describe(identifier) for identifier in found]
    if args.json:
        print(json.dumps({"input": number, "ambiguous": len(found) > 1, "candidates": described}, ensure_ascii=False))
    else:
        if len(found) > 1:
            print(f"{number.strip()}: {len(found)} candidates")
        for candidate in described:
            print(_line(candidate))
    return EXIT_OK


def describe(identifier: Identifier) -> dict[str, Any]:
    """One candidate as data: identifier, scheme, level, check digit and what the number says."""
    candidate: dict[str, Any] = {
        "identifier": str(identifier),
        "scheme": identifier.scheme.value,
        "value": identifier.value,
        "level": identifier.level.value,
        "check_digit_valid": identifier.check_digit_valid,
        "about": SCHEMES[identifier.scheme].note,
    }
    if identifier.scheme is Scheme.S10:
        candidate["service"] = s10_service(identifier.value)
        candidate["country"] = identifier.value[-2:]
    elif identifier.scheme is Scheme.RP:
        candidate["accepting_office"] = identifier.value[:6]
    return candidate


def _line(candidate: dict[str, Any]) -> str:
    check = {True: "check digit valid", False: "check digit INVALID", None: "no check digit"}
    details = [f"level {candidate['level']}", check[candidate["check_digit_valid"]]]
    if "service" in candidate:
        details += [f"service: {candidate['service']}", f"country {candidate['country']}"]
    if "accepting_office" in candidate:
        details.append(f"accepting office {candidate['accepting_office']}")
    return f"{candidate['identifier']}  ({'; '.join(details)})"
