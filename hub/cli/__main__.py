"""`python -m hub.cli ...` is `hub ...` (the tests start workers this way)."""

import sys

from hub.cli import main

sys.exit(main())
