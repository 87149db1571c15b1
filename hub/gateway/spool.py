"""The local spool: records the broker did not acknowledge in time, fsynced before the partner hears 200.

A folder of append-only segments, `segment-<n>.spool`; the highest is the one appended to.
Each record is framed `HS` + length + crc32 + a JSON body (topic, key, value and headers in
base64, and when it was spooled), so a write torn by a crash is seen and skipped: its request
was never answered. The drainer seals the active segment, sends a sealed one whole and only
then deletes it, so a crash mid-drain sends some records twice with identical bytes and
headers, never loses one. One process owns a spool folder (an exclusive lock on `spool.lock`).
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import struct
import threading
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

from hub.gateway.record import GatewayRecord

MAGIC = b"HS"
FRAME = struct.Struct(">2sII")  # magic, payload length, crc32 of the payload


class SpoolLocked(RuntimeError):
    """Another process owns this spool folder."""


@dataclass
class _Segment:
    number: int
    records: int
    oldest: float | None  # when its first record was spooled


@dataclass(frozen=True)
class SpooledRecord:
    record: GatewayRecord
    spooled_at: float


def encode_record(record: GatewayRecord, spooled_at: float) -> bytes:
    payload = json.dumps({
        "topic": record.topic,
        "key": None if record.key is None else base64.b64encode(record.key).decode(),
        "value": base64.b64encode(record.value).decode(),
        "headers": [[name, base64.b64encode(value).decode()] for name, value in record.headers],
        "spooled_at": spooled_at,
    }, separators=(",", ":")).encode()
    return FRAME.pack(MAGIC, len(payload), zlib.crc32(payload)) + payload


def decode_records(data: bytes) -> list[SpooledRecord]:
    """Every whole record of a segment's bytes, up to the first torn or corrupt frame."""
    records, at = [], 0
    while at + FRAME.size <= len(data):
        magic, length, crc = FRAME.unpack_from(data, at)
        payload = data[at + FRAME.size: at + FRAME.size + length]
        if magic != MAGIC or len(payload) != length or zlib.crc32(payload) != crc:
            break
        fields = json.loads(payload)
        key = None if fields["key"] is None else base64.b64decode(fields["key"])
        headers = tuple((name, base64.b64decode(value)) for name, value in fields["headers"])
        records.append(SpooledRecord(GatewayRecord(fields["topic"], key, base64.b64decode(fields["value"]), headers), fields["spooled_at"]))
        at += FRAME.size + length
    return records


class Spool:
    """Appends are thread-safe (the server runs them in a worker thread: fsync blocks)."""

    def __init__(self, directory: Path, clock=time.time) -> None:
        self.directory = directory
        self._clock = clock
        self._lock = threading.Lock()
        directory.mkdir(parents=True, exist_ok=True)
        self._lock_file = open(directory / "spool.lock", "a+b")  # noqa: SIM115 - held for the spool's life
        try:
            fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock_file.close()
            raise SpoolLocked(f"another gateway owns the spool {directory}") from None
        self._segments: dict[int, _Segment] = {}
        for path in sorted(directory.glob("segment-*.spool")):
            records = decode_records(path.read_bytes())
            if records:
                number = int(path.stem.split("-")[1])
                self._segments[number] = _Segment(number, len(records), records[0].spooled_at)
            else:
                path.unlink()
        self._active = self._open(max(self._segments, default=0) + 1)

    def _path(self, number: int) -> Path:
        return self.directory / f"segment-{number:012d}.spool"

    def _open(self, number: int) -> _Segment:
        self._file = open(self._path(number), "ab")  # noqa: SIM115 - the active segment stays open
        _fsync_directory(self.directory)
        return _Segment(number, 0, None)

    def append(self, record: GatewayRecord) -> None:
        """Write and fsync one record; when this returns the record survives a crash. OSError when it cannot."""
        now = self._clock()
        frame = encode_record(record, now)
        with self._lock:
            if self._file.closed:
                raise OSError(f"the spool {self.directory} could not open a segment")
            try:
                self._file.write(frame)
                self._file.flush()
                os.fsync(self._file.fileno())
            except OSError:
                # A partial frame is skipped on reading; later appends start a fresh segment.
                self._seal()
                raise
            self._active.records += 1
            if self._active.oldest is None:
                self._active.oldest = now

    def _seal(self) -> None:
        self._file.close()
        if self._active.records:
            self._segments[self._active.number] = self._active
        else:
            self._path(self._active.number).unlink(missing_ok=True)
        self._active = self._open(self._active.number + 1)

    def depth(self) -> int:
        """Records waiting to be drained."""
        with self._lock:
            return self._active.records + sum(s.records for s in self._segments.values())

    def oldest(self) -> float | None:
        """When the oldest waiting record was spooled (epoch seconds), or None when empty."""
        with self._lock:
            times = [s.oldest for s in (*self._segments.values(), self._active) if s.oldest is not None]
        return min(times, default=None)

    def next_sealed(self) -> tuple[int, list[SpooledRecord]] | None:
        """The oldest sealed segment and its records, sealing the active one first if nothing else waits."""
        with self._lock:
            if not self._segments and self._active.records:
                self._seal()
            if not self._segments:
                return None
            number = min(self._segments)
        return number, decode_records(self._path(number).read_bytes())

    def remove(self, number: int) -> None:
        """A sealed segment is on the broker: forget it."""
        with self._lock:
            self._segments.pop(number, None)
            self._path(number).unlink(missing_ok=True)
        _fsync_directory(self.directory)

    def writable(self) -> bool:
        return not self._file.closed and os.access(self.directory, os.W_OK)

    def close(self) -> None:
        with self._lock:
            self._file.close()
            if not self._active.records:
                self._path(self._active.number).unlink(missing_ok=True)
            self._lock_file.close()


def _fsync_directory(directory: Path) -> None:
    """A new or removed segment's name is durable too."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
