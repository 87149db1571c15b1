"""The `hub` command line (hub/cli/main.py); one module per command, their shared helpers in _shared.py."""

from hub.cli.main import main

__all__ = ["main"]
