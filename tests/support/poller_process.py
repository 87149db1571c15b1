"""`python -m tests.support.poller_process PARTNER CLOCK_FILE`: `hub poll PARTNER` as a process on a file clock.

The same composition as the command (hub/pollers/run.py), but time is the file the test moves,
so a test can kill the process between `getTicket` and the answer and let 15 minutes pass.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from hub.config import Settings
from hub.logs import configure_logging
from hub.pollers.clock import FileClock
from hub.pollers.run import run_pollers

if __name__ == "__main__":
    settings = Settings.from_env()
    configure_logging(settings.log_format, settings.log_level)
    asyncio.run(run_pollers([sys.argv[1]], settings, FileClock(Path(sys.argv[2]))))
