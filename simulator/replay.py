"""A simulation folder read back for replay: its manifest's entries up to a simulated time, as records.

`hub publish --dir DIR [--until T]` sends them (hub/kafka/partner_feed.py): every message whose
simulated publish time is at or before `until` (all of them without `until`), in manifest
order, with the subject header the manifest names.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from simulator.output import ManifestEntry, read_manifest
from simulator.publish import Record


def entries_until(directory: Path, until: datetime | None) -> list[ManifestEntry]:
    entries = read_manifest(directory)
    return [e for e in entries if until is None or e.at <= until]


def load_records(directory: Path, entries: list[ManifestEntry]) -> list[Record]:
    records = []
    for entry in entries:
        path = directory / entry.file
        if not path.is_file():
            raise FileNotFoundError(f"manifest names {entry.file}, which is not in {directory}")
        records.append(Record(entry.partner, path.read_bytes(), entry.subject))
    return records
