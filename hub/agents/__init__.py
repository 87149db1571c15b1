"""The faust agents, one thin module per topic: read, call the pure stage, emit what it returns.

The order of the stages, as one partner message travels (hub/stages/ holds their decisions):

    partner topics   --normalise-->  hub.events, hub.deadletter        agents/normalise.py
                     --identify--->  hub.identity                      (in normalise: stateless)
    hub.identity     --identity--->  hub.shipment-events               agents/identity.py
    hub.shipment-events --timeline-> hub.timelines, hub.turnover       agents/timeline.py
    hub.control      --control---->  every partition of hub.turnover   agents/control.py
    hub.turnover     --turnover--->  hub.settlements, hub.statements   agents/turnover.py

plus the timers and tasks (lag, watchdog, automatic closes, followers): agents/timers.py, and
the sweep that asks finished, quiet shipments to retire: agents/retire.py.
Each agent runs its per-record work under `timed(stage, ...)` (agents/stage_time.py), so
/metrics tells how much of the event loop each stage takes.
"""

from __future__ import annotations

from hub.agents import control, identity, normalise, retire, timeline, timers, turnover
from hub.agents.context import Wiring

# The timers first, as the worker has always registered them; then the agents in pipeline order.
STAGES = (timers, retire, normalise, identity, timeline, control, turnover)


def register_agents(hub: Wiring) -> None:
    for stage in STAGES:
        stage.register(hub)
