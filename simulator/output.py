"""A simulation on disk: one folder of payload files per partner, `manifest.jsonl` with the
global publish order, and the ground truth beside them in `ground_truth/`.

manifest.jsonl, one line per message in publish order:
  {"seq": 0, "at": "<simulated publish time>", "partner": "cdek", "file": "cdek/000000.json",
   "subject": "<hub-subject header>" | null}
ground_truth/: shipments.jsonl, orders.jsonl, partners.jsonl, messages.jsonl (each message's
intended outcome), faults.jsonl (the fault ledger), arrivals.jsonl (per shipment, when the
first message telling of its value, delivery, return and links was published), run.json
(seed, rates, counts).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from simulator.clock import iso
from simulator.generate import Simulation

MANIFEST = "manifest.jsonl"
TRUTH_DIR = "ground_truth"


@dataclass(frozen=True)
class ManifestEntry:
    seq: int
    at: datetime
    partner: str
    file: str
    subject: str | None

    def as_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "at": iso(self.at), "partner": self.partner, "file": self.file,
                "subject": self.subject}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ManifestEntry:
        return cls(int(data["seq"]), datetime.fromisoformat(data["at"]), str(data["partner"]), str(data["file"]),
                   data.get("subject"))


def _lines(records: Iterable[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False, sort_keys=False) + "\n" for r in records)


def write_simulation(simulation: Simulation, directory: Path) -> None:
    """Write payloads, manifest and ground truth; the directory must be new or empty."""
    directory.mkdir(parents=True, exist_ok=True)
    if any(directory.iterdir()):
        raise FileExistsError(f"{directory} is not empty")
    entries = []
    for message in simulation.messages:
        path = directory / message.file
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(message.payload)
        entries.append(ManifestEntry(message.seq, message.at, message.partner, message.file, message.subject).as_json())
    (directory / MANIFEST).write_text(_lines(entries), encoding="utf-8")
    write_truth(simulation, directory / TRUTH_DIR)


def write_truth(simulation: Simulation, directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "shipments.jsonl").write_text(_lines(simulation.shipments()), encoding="utf-8")
    (directory / "orders.jsonl").write_text(_lines(simulation.orders()), encoding="utf-8")
    (directory / "partners.jsonl").write_text(_lines(simulation.partners()), encoding="utf-8")
    (directory / "messages.jsonl").write_text(_lines(simulation.expected_messages()), encoding="utf-8")
    (directory / "faults.jsonl").write_text(_lines(simulation.faults()), encoding="utf-8")
    (directory / "arrivals.jsonl").write_text(_lines(simulation.arrivals()), encoding="utf-8")
    (directory / "run.json").write_text(json.dumps(simulation.run_info(), indent=2) + "\n", encoding="utf-8")


def read_manifest(directory: Path) -> list[ManifestEntry]:
    path = directory / MANIFEST
    if not path.is_file():
        raise FileNotFoundError(f"{directory} has no {MANIFEST}")
    entries = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entries.append(ManifestEntry.from_json(json.loads(line)))
        except (ValueError, KeyError, TypeError) as err:
            raise ValueError(f"{path}:{number}: not a manifest entry ({err})") from err
    return entries
