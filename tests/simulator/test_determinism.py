"""Same seed, same bytes; another seed, other journeys (issue 6)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from simulator import FaultRates, simulate, write_simulation

pytestmark = pytest.mark.unit


def _files(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def test_the_same_seed_writes_byte_identical_folders(tmp_path: Path) -> None:
    # Two processes with different string hashing: no set order or hash may leak into the output.
    for name, hash_seed in (("first", "1"), ("second", "2")):
        subprocess.run(
            [sys.executable, "-m", "hub.cli", "simulate", "--shipments", "60", "--seed", "11",
             "--out", str(tmp_path / name)],
            env={**os.environ, "PYTHONHASHSEED": hash_seed}, check=True, capture_output=True,
        )
    first, second = _files(tmp_path / "first"), _files(tmp_path / "second")
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []
    assert "manifest.jsonl" in first and "ground_truth/shipments.jsonl" in first
    write_simulation(simulate(60, 11), tmp_path / "in-process")
    assert _files(tmp_path / "in-process") == first


def test_another_seed_gives_other_journeys() -> None:
    one, other = simulate(60, 11), simulate(60, 12)
    assert [m.payload for m in one.messages] != [m.payload for m in other.messages]
    # Operators' running numbers (hub:WHM-000001) repeat across runs; partners' numbers do not.
    def numbers(simulation):  # type: ignore[no-untyped-def]
        return {i for s in simulation.shipments() for i in s["identifiers"] if not i.startswith("hub:")}

    assert numbers(one).isdisjoint(numbers(other))
    assert [s["scenario"] for s in one.shipments()] != [s["scenario"] for s in other.shipments()]


def test_fault_rates_do_not_change_the_journeys() -> None:
    clean, faulty = simulate(40, 5, FaultRates.none()), simulate(40, 5, FaultRates(malformed=0.2, duplicates=0.2))
    assert clean.shipments() == faulty.shipments()
    assert clean.orders() == faulty.orders()
    assert len(faulty.messages) > len(clean.messages)


def test_no_fault_means_no_dead_letter_and_an_empty_ledger_but_for_none() -> None:
    clean = simulate(40, 5, FaultRates.none())
    assert clean.faults() == []
    assert {m.expected.outcome for m in clean.messages} <= {"normalised", "ignored", "partial"}
