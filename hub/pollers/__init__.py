"""Pollers: ask partners that only answer questions about the parcels still moving (docs/pollers.md).

The order of one pass is in `service.py`; each partner's limits are in `limits.py`.
"""
