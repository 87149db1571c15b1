"""The environment of one test's hub: its own prefixes and app id, fast commits; on the secure broker, as its super-user."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path


def hub_environment(bootstrap: str, directory: Path, partitions: str | None = None) -> dict[str, str]:
    """A fresh hub on `bootstrap`; worker data under `directory`. Partitions default to
    HUB_TEST_PARTITIONS, else 3."""
    run = f"t{uuid.uuid4().hex[:10]}"
    return {
        **os.environ,
        "HUB_KAFKA_BOOTSTRAP": bootstrap,
        "HUB_TOPIC_PREFIX": f"{run}.hub.",
        "HUB_PARTNER_PREFIX": f"{run}.partner.",
        "HUB_APP_ID": run,
        "HUB_PARTITIONS": partitions or os.environ.get("HUB_TEST_PARTITIONS", "3"),
        # Each worker process gets its own data directory (tests/support/worker.py).
        "HUB_DATA_DIR": str(directory / "worker-data"),
        "HUB_STORE": os.environ.get("HUB_STORE") or "rocksdb://",
        "HUB_COMMIT_INTERVAL": "0.5",
        "HUB_SESSION_TIMEOUT": "6",
        "HUB_LOG_FORMAT": "json",
        "HUB_CLOCK": "stream",
        "HUB_AUTO_CLOSE": "off",
    }


@dataclass(frozen=True)
class SecureBroker:
    """The run's secure broker (tests/integration/conftest.py `secure_broker`)."""

    bootstrap: str
    directory: Path
    admin: dict[str, str]  # the super-user's HUB_KAFKA_* settings, as its admin.env holds them

    def hub_environment(self, directory: Path, partitions: str | None = None) -> dict[str, str]:
        """A fresh hub's environment on this broker, as its super-user."""
        return {**hub_environment(self.bootstrap, directory, partitions), **self.admin}
