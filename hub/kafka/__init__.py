"""Kafka plumbing under the faust app: fixes to faust, followers of topics, lag, the watchdog."""
