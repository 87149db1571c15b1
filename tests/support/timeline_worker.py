"""The timeline agent's work on one shipment message, without Kafka, written out step by step
(the agent runs it as hub/stages/shipment_step.py, which tests/service/test_fold_pool.py checks
against this): the stage, then settlement after each new timeline and everything sent to
hub.turnover again after a repeat; states kept encoded between messages, as the table keeps them."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from hub.kafka import state_codec
from hub.settlement.contracts import load_contracts
from hub.stages.identity import Send
from hub.stages.money import Money, after_publish, withheld
from hub.stages.retire import retire_message
from hub.stages.settle import resend_messages, settle_step
from hub.stages.timeline import Publish, handle_shipment_message
from schemas import CanonicalEvent

CONTRACTS = load_contracts(Path(__file__).resolve().parents[2] / "deploy" / "contracts.example.toml")
# The default quiet time before a finished shipment retires, in seconds.
AFTER = 90 * 86400.0


@dataclass
class Worker:
    """Shipment states by id, and what handling each message published and sent."""

    states: dict[str, bytes] = field(default_factory=dict)

    def state(self, shipment_id: str) -> dict | None:
        raw = self.states.get(shipment_id)
        return state_codec.decode(raw) if raw is not None else None

    def handle(self, shipment_id: str, message: dict) -> tuple[list[Publish], list[Send], list[dict]]:
        """One message: (timelines published, messages to hub.shipment-events, messages to hub.turnover)."""
        state, outputs = handle_shipment_message(self.state(shipment_id), shipment_id, json.loads(json.dumps(message)))
        published, forwarded, turnover = [], [], []
        for output in outputs:
            if isinstance(output, Send):
                forwarded.append(output)
                continue
            published.append(output)
            state, money = after_publish(state, output)
            if money is Money.SETTLE:
                state, sends, withheld_now = settle_step(state, output.record, CONTRACTS)
                state, _ = withheld(state, withheld_now)
                turnover += [s.message for s in sends]
            elif money is Money.RESEND:
                turnover += [s.message for s in resend_messages(state.get("settled"))]
        self.states[shipment_id] = state_codec.encode(state)
        return published, forwarded, turnover

    def event(self, shipment_id: str, event: CanonicalEvent):
        return self.handle(shipment_id, {"kind": "event", "event": json.loads(event.model_dump_json())})

    def feed(self, shipment_id: str, events: list[CanonicalEvent]) -> list[dict]:
        """Each event in turn; everything sent to hub.turnover."""
        return [message for event in events for message in self.event(shipment_id, event)[2]]

    def retire(self, shipment_id: str, as_of: float):
        return self.handle(shipment_id, retire_message(as_of, AFTER))
