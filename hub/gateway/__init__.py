"""The ingestion gateway: partners that push over HTTP reach their topics, durably (docs/gateway.md).

`server.py` is the composition root and holds the one request pipeline; each partner's
module says how it authenticates and how it answers; `delivery.py` makes a record durable
(the broker, else the spool) before the partner hears 200.
"""
