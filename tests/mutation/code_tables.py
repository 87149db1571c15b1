"""Mutate single rows of every partner code table and check that the pinned test catches each.

Run: .venv/bin/python -m tests.mutation.code_tables [--per-table N] [--seed S] [--partner NAME]
Every row by default (each field swapped for another valid value, the row removed) plus one
added row per table; --per-table draws N rows per table instead. Exits 1 if any mutation
survives. Not part of `make test`: tests/unit/test_code_table_mutations.py runs a sample.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter

from tests.support.code_table_mutations import Mutation, mutations


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-table", type=int, default=None, help="rows drawn per table (default: every row)")
    parser.add_argument("--seed", type=int, default=22, help="seed for the rows drawn and the values swapped in")
    parser.add_argument("--partner", action="append", help="only this partner (repeatable)")
    args = parser.parse_args(argv)

    tried: Counter[str] = Counter()
    survived: list[Mutation] = []
    current = None
    for mutation in mutations(random.Random(args.seed), args.per_table):
        if args.partner and mutation.partner not in args.partner:
            continue
        where = f"{mutation.partner}/{mutation.table}"
        if where != current:
            if current is not None:
                print(f"  {current}: {tried[current]} mutations, {_survivors(survived, current)} survived", flush=True)
            current = where
        tried[where] += 1
        if not mutation.caught():
            survived.append(mutation)
            print(f"  SURVIVED {where} {mutation.code!r}: {mutation.change}", flush=True)
    if current is not None:
        print(f"  {current}: {tried[current]} mutations, {_survivors(survived, current)} survived")

    total = sum(tried.values())
    partners = len({where.split("/")[0] for where in tried})
    print(f"summary: {total} mutations over {len(tried)} tables of {partners} partners (seed {args.seed}); "
          f"{total - len(survived)} caught, {len(survived)} survived")
    return 1 if survived or not total else 0


def _survivors(survived: list[Mutation], where: str) -> int:
    return sum(1 for m in survived if f"{m.partner}/{m.table}" == where)


if __name__ == "__main__":
    sys.exit(main())
