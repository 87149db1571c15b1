"""Pure handlers, one module per stage: `(state, message) -> (state, outputs)`.

The faust agents in hub/agents/ only move bytes between topics and tables and call these
(and hub/settlement/'s); property tests drive them directly over simulated partitioned logs.
"""
