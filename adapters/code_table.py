"""Partner code tables as data: each code maps to a status, a milestone and maybe a reason.

An adapter keeps its table in its own `codes.py` with the source cited; a code the table
lacks maps to `UNMAPPED` (status and milestone `unknown`) and is reported as a problem,
never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass

from schemas import Milestone, Party, Reason, Status


@dataclass(frozen=True)
class CodeMapping:
    status: Status
    milestone: Milestone
    reason: Reason | None = None
    party: Party | None = None
    description: str = ""


UNMAPPED = CodeMapping(Status.UNKNOWN, Milestone.UNKNOWN)


# An `informational` row still names the status the code implies (a partner code never
# maps to `unknown` when it is documented); the timeline fold skips informational
# milestones when it decides the current status, so such a code changes nothing.
