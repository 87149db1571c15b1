"""How table values are encoded, on disk and on their changelogs: compact JSON, deflated with a preset dictionary.

A shipment's state is JSON (hub/stages/timeline.py): its events with every field of the
canonical model, what it settled, its summary. As JSON it takes about 8.4 KB per shipment
(548 simulated shipments, 11 events each on average); most of it is the same field names and
values again and again, which deflate removes, and a preset dictionary of those names
removes even from a state's first event: about 1.1 KB. Lossless: a value decodes to exactly
the JSON that was encoded, so the stages compare, deduplicate and cache as before
(hub/stages/stored_events.py compares stored JSON).

JSON is written and read with orjson (several times faster than the standard library's, and a
state is encoded at every write and decoded at every read from RocksDB).

Format: one version byte, then the deflated JSON. A value that starts with `{` is plain JSON,
as changelogs written before this codec hold: they are still read. The dictionary of a
version never changes (changelogs keep its values); another dictionary is another version.
"""

from __future__ import annotations

import json
import zlib
from collections import OrderedDict
from typing import Any

import orjson
from faust.serializers import codecs

NAME = "hub-state"
_VERSION_1 = b"\x01"
# Field names and frequent values of a timeline state, its events, settlement memory and
# summary; and of identity and turnover states. Deflate favours what comes last: the most
# frequent go at the end. Never edit: add a version instead.
_DICTIONARY_1 = (
    b'{"redirect":"","merged_into":[],"released":{},"withheld":[],"generation":1,"routed":{},'
    b'"label":"","neighbours":[],"orders":[],"previous_labels":[],"relabelled_at":"","cuts":[],"released_from":[],'
    b'"closed":{},"booked":{},'
    b'"settled":{"entries":{},"contributions":{}},"contract_id":"","contract_version":1,"contract_hash":"",'
    b'"payer":"","payee":"","cause":"","period":"2026-Q2","basis_minor":0,"basis_currency":"RUB","rate":"0",'
    b'"fx_rate":null,"amount_minor":0,"vat_minor":0,"currency":"RUB","minor":0,"inputs_received_at":"",'
    b'"trigger_event_id":null,"reverses":null,"original_period":null,"kind":"accrual","entry_id":"ent_",'
    b'"summary":{"status":"delivered","started_at":1,"last_event_at":1,"delivered_at":null,'
    b'"promised_delivery":null,"corridor":"CN-RU-\xd0\x9c\xd0\xbe\xd1\x81\xd0\xba\xd0\xb2\xd0\xb0","legs":{"first_mile":1,"line_haul":1,"last_mile":1}},'
    b'"location":{"country":"RU","city":"","region":null,"postal_code":null,"facility":null},'
    b'"partner_kind":"logistics_platform","marketplace","courier","post","pickup_point","warehouse",'
    b'"status":"in_transit","out_for_delivery","available_for_pickup","returning","returned","cancelled",'
    b'"milestone":"arrived_at_facility","departed_facility","accepted","handed_over","info_received",'
    b'"events":{"evt_":{"schema_version":1,"event_id":"evt_","partner":"cdek","partner_kind":"courier",'
    b'"adapter_version":1,"subject":["cdek:"],"references":["shop:"],"status":"in_transit",'
    b'"milestone":"departed_facility","reason":null,"reason_party":null,"occurred_at":"2026-06-25T19:23:15Z",'
    b'"local_offset_minutes":180,"offset_assumed":false,"time_source":"partner","received_at":"2026-06-25T19:25:34Z",'
    b'"location":null,"raw_code":"","raw_description":"","amounts":[],"promised_delivery":null,"flags":[]}}}'
)


# Level 1: half the time of level 6 for about a fifth more bytes; a value is encoded at every write.
_LEVEL = 1
# faust encodes each table write twice: for the store and for its changelog record, the same
# object. The last few encodings are kept by object (checked by identity, and held, so an id
# is never reused while cached); a stage never changes a state it has written (with the
# in-memory store the table holds that very object).
_RECENT = 64
_recent: OrderedDict[int, tuple[Any, bytes]] = OrderedDict()
# And the other way: a state just written is usually read again by the shipment's next event,
# so the values of the last few hundred writes and reads are kept by their encoding and given
# back without decoding (the same object, as the in-memory store gives back what was set).
_DECODED = 256
_decoded: OrderedDict[bytes, Any] = OrderedDict()


def _keep(cache: OrderedDict, key: Any, value: Any, limit: int) -> None:
    cache[key] = value
    if len(cache) > limit:
        cache.popitem(last=False)


def encode(value: Any) -> bytes:
    hit = _recent.get(id(value))
    if hit is not None and hit[0] is value:
        return hit[1]
    deflate = zlib.compressobj(_LEVEL, zdict=_DICTIONARY_1)
    encoded = _VERSION_1 + deflate.compress(orjson.dumps(value)) + deflate.flush()
    _keep(_recent, id(value), (value, encoded), _RECENT)
    _keep(_decoded, encoded, value, _DECODED)
    return encoded


def decode(data: bytes) -> Any:
    if data[:1] != _VERSION_1:
        return json.loads(data)  # plain JSON: a changelog written before this codec
    hit = _decoded.get(data)
    if hit is not None:
        _decoded.move_to_end(data)
        return hit
    inflate = zlib.decompressobj(zdict=_DICTIONARY_1)
    value = orjson.loads(inflate.decompress(data[1:]) + inflate.flush())
    _keep(_decoded, bytes(data), value, _DECODED)
    return value


class StateCodec(codecs.Codec):
    """The codec faust uses for the hub's table values (registered as `hub-state`)."""

    def _dumps(self, obj: Any) -> bytes:
        return encode(obj)

    def _loads(self, s: bytes) -> Any:
        return decode(s)


def register() -> None:
    codecs.register(NAME, StateCodec())
