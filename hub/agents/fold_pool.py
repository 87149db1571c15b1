"""The timeline stage in a helper process (hub/agents/helper_pool.py): folding and settling off the worker's event loop.

The timeline agent hands over each shipment of a batch as its stored state's bytes and its
records' bytes (`ShipmentWork`), and gets back the bytes to store and to publish
(hub/stages/shipment_step.py): decoding a state, validating events, folding the timeline,
settling it, encoding the state and the timeline's JSON all happen in the helper, about two
thirds of what the stage cost the event loop. What stays there is reading and writing the
table and publishing.

A helper keeps the stage's caches (the folds and models of the shipments moving now,
hub/stages/timeline_fold.py and stored_events.py), so a shipment always goes to the same helper
(by a hash of its id). Two by default: once partner messages are all parsed, the timeline
stage is what is left to catch up, and one helper was then busy while the event loop's core
waited on it. The contracts go to a helper once, and again when they change; how many
shipments a helper keeps (HUB_TIMELINE_CACHE) with every part.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator

from hub.agents.helper_pool import Helper, HelperPool
from hub.settlement.contracts import ContractSet
from hub.stages.shipment_step import FoldedPart, ShipmentWork, fold_part


class FoldPool(HelperPool[FoldedPart]):
    def __init__(self, processes: int, source_topic: str, kept_shipments: int) -> None:
        super().__init__(processes, "fold", "fold")
        self.source_topic = source_topic  # hub.shipment-events, named in withheld settlements' dead letters
        self.kept_shipments = kept_shipments  # HUB_TIMELINE_CACHE, for each helper's caches

    def fold_in_parts(self, work: list[ShipmentWork], contracts: ContractSet) -> AsyncIterator[tuple[list[ShipmentWork], FoldedPart]]:
        """Each part of the shipments with their steps (in the part's order); what a lost
        helper left, done here."""
        topic = self.source_topic

        def args(helper: Helper, part: list[ShipmentWork]) -> tuple:
            # The contracts only when this helper does not have them yet (hub/stage_helper.py keeps them).
            given = None if helper.kept.get("contracts") is contracts else contracts
            helper.kept["contracts"] = contracts
            return (part, given, topic, self.kept_shipments)

        return self.in_parts(work, args, lambda part: fold_part(part, contracts, topic), FoldedPart,
                             route=lambda shipment: zlib.crc32(shipment.shipment_id.encode()))
