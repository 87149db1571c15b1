"""Identity, in its simplest honest form: one shipment per routing identifier.

`shipment_id = "shp_" + first 16 hex of sha256(smallest identifier)`, so the id depends
only on the identifiers, never on arrival order. Linking several identifiers into one
shipment (min-label connected components) deepens this stage without changing its topics.
"""

from __future__ import annotations

import hashlib


def shipment_id_for(identifier: str) -> str:
    return "shp_" + hashlib.sha256(identifier.encode()).hexdigest()[:16]
