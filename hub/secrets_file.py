"""The secrets file (HUB_GATEWAY_SECRETS, TOML) the gateway and the pollers share, read the same way."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any


def read_secrets_file(path: Path, error: type[Exception]) -> dict[str, Any]:
    """The file's tables; `error` with one line (never a value from the file) when it cannot be read."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise error(f"cannot read {path}: {err.strerror or err}") from None
    except tomllib.TOMLDecodeError as err:
        raise error(f"{path} is not TOML: {err}") from None
