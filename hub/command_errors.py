"""How a command says in one line what went wrong talking to the broker (never a traceback)."""

from __future__ import annotations

from hub.config import Settings


def broker_problem(doing: str, settings: Settings, err: Exception) -> str:
    """`doing`, and what the broker (or its absence) answered, as one line."""
    from aiokafka.errors import KafkaConnectionError

    if isinstance(err, KafkaConnectionError):
        return f"{doing}: no broker answers at {settings.kafka_bootstrap}"
    return f"{doing} on {settings.kafka_bootstrap}: " + " ".join(str(err).split())
