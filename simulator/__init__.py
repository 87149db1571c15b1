"""Partner traffic simulator with ground truth (issue 6).

An independent witness: it never imports adapters, stages or settlement (an import contract
says so).

`simulate(shipments, seed)` builds journeys of parcels through the partners, renders every
event in its partner's native format, injects faults and keeps the ground truth;
`write_simulation` puts it on disk (payloads, manifest, ground truth); `publish.publish`
sends records to the partner topics; `replay.replay` sends a folder up to a simulated time.
"""

from simulator.faults import FaultRates
from simulator.generate import Simulation, simulate
from simulator.output import write_simulation

__all__ = ["FaultRates", "Simulation", "simulate", "write_simulation"]
