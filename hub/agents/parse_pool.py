"""The partner adapters in helper processes (hub/agents/helper_pool.py): the normalise stage's parsing off the worker's event loop.

Reading partner payloads (XML and JSON, the adapters, validating and dumping the canonical
models) was a fifth of the worker's CPU. What a helper sends back per message is `Prepared`
(hub/stages/prepare.py): the events' JSON and keys, not models, so passing it costs
microseconds. A batch keeps its order: the agent publishes each message's results in the order
it read them, and acknowledges the records only after, as before.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from hub.agents.helper_pool import HelperPool
from hub.partners import Partner
from hub.stages.normalise import SourceRecord
from hub.stages.prepare import PreparedBatch, prepare_batch

Items = list[tuple[SourceRecord, Partner]]


class ParsePool(HelperPool[PreparedBatch]):
    def __init__(self, processes: int, assumed_zone: str) -> None:
        super().__init__(processes, "parse", "prepare")
        self.assumed_zone = assumed_zone

    async def prepare_in_parts(self, items: Items) -> AsyncIterator[PreparedBatch]:
        """The batch prepared, a part at a time, in order; what a lost helper left, prepared here."""
        zone = self.assumed_zone
        async for _, prepared in self.in_parts(items, lambda helper, part: (part, zone),
                                               lambda part: prepare_batch(part, zone), PreparedBatch):
            yield prepared
