"""Kafka plumbing under the faust app and the commands.

faust_fixes (faust behaviours that lost records, worked around), stream_health and watchdog
(a stalled partition found and healed), control_follower and contract_registry (topics every
worker reads whole), topic_reader and caught_up (reading topics, measuring lag),
partner_feed (simulated traffic into partner topics), broker (the local Kafka broker).
"""
