"""Partner adapters: pure functions from a partner's bytes to canonical events.

Each partner package exposes `parse(raw, *, received_at, options) -> AdapterResult` and
raises `AdapterError` (with a closed `DeadLetterReason`) for input it cannot read. Nothing
here knows Kafka. `adapters.registry` maps adapter names to parsers.
"""
