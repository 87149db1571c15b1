"""`hub publish --dir DIR [--until T]`: replay a simulation folder in its manifest's order.

Every message whose simulated publish time is at or before `until` is sent (all of them
without `until`), in manifest order, with the subject header the manifest names.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from hub.config import Settings
from hub.simulator.output import ManifestEntry, read_manifest
from hub.simulator.publish import Record, publish


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


def replay(directory: Path, settings: Settings, *, until: datetime | None = None, rate: float | None = None,
           show_progress: bool = True) -> int:
    """Publish the folder's messages up to `until`; returns how many were sent."""
    records = load_records(directory, entries_until(directory, until))
    if not records:
        return 0
    return publish(settings, records, rate=rate, show_progress=show_progress)
