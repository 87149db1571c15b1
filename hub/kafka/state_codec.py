"""How table values are encoded, on disk and on their changelogs: compact JSON, compressed with a preset dictionary.

A shipment's state is JSON (hub/stages/timeline.py): its events with every field of the
canonical model, what it settled, its summary. As JSON it takes about 8.4 KB per shipment
(548 simulated shipments, 11 events each on average); most of it is the same field names and
values again and again, which compression removes, and a preset dictionary of those names
removes even from a state's first event: about 1.1 KB. Lossless: a value decodes to exactly
the JSON that was encoded, so the stages compare, deduplicate and cache as before
(hub/stages/stored_events.py compares stored JSON).

JSON is written and read with orjson (several times faster than the standard library's, and a
state is encoded at every write and decoded at every read from RocksDB).

Format: one version byte, then (versions 2 and 3) the summary operations count, as plain JSON
after its length (4 bytes, big-endian; 0 when the value has none: a redirect, another table's
value), then the rest, compressed: deflated in version 2, zstd in version 3 (written since),
both with the same preset dictionary. zstd at level 1 compresses a shipment's state in about
two fifths of deflate's time and decompresses it in under a third, a little smaller (548
simulated states: 17.5 against 43.6 µs to encode, 5.7 against 18.7 to decode), and a state is
encoded at every write. `/metrics` and the problem queue read every
shipment's summary without decompressing any state (`summary_of`), for about 300 bytes more per
shipment. Version 1 (one version byte, then the whole value deflated), version 2, and a value
that starts with `{` (plain JSON, as changelogs written before this codec hold) are still
read; values on disk are rewritten as version 3 as scrapes meet them (`as_current`,
hub/kafka/table_summaries.py). The dictionary never changes (changelogs keep its values);
another dictionary is another version. A worker older than version 3 cannot read it: going
back to one takes rebuilding its tables.
"""

from __future__ import annotations

import json
import struct
import threading
import zlib
from collections import OrderedDict
from typing import Any

import orjson
import zstandard
from faust.serializers import codecs

NAME = "hub-state"
_VERSION_1 = b"\x01"
# Version 2 deflates with _DICTIONARY_1 too; only the summary in front is new.
_VERSION_2 = b"\x02"
# Version 3: version 2's layout, the rest compressed with zstd and _DICTIONARY_1. Written since.
_VERSION_3 = b"\x03"
_CURRENT = _VERSION_3
_WITH_SUMMARY = (_VERSION_2, _VERSION_3)
_VERSIONS = (_VERSION_1, *_WITH_SUMMARY)
_SUMMARY_LENGTH = struct.Struct(">I")
_SUMMARY_AT = 1 + _SUMMARY_LENGTH.size
_NO_SUMMARY = _SUMMARY_LENGTH.pack(0)
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


# Level 1: half the time of level 6 for about a fifth more bytes (deflate); for zstd, level 3
# would save 3% of the bytes for a fifth more time. A value is encoded at every write.
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


def keep_decoded(count: int) -> None:
    """Keep the values of the last `count` writes and reads (a timeline process keeps as many
    as it keeps shipments: hub/stages/shipment_step.py:keep_shipments)."""
    global _DECODED  # noqa: PLW0603 - the size of this module's cache, set once per process
    _DECODED = count
    while len(_decoded) > _DECODED:
        _decoded.popitem(last=False)


def forget_decoded(data: bytes) -> None:
    """Let the value of `data` go: a newer encoding of it has been written in its place."""
    _decoded.pop(data, None)


def forget_all() -> None:
    """Empty both caches (tests/perf/shipment_replay.py replays messages as if nothing were kept)."""
    _recent.clear()
    _decoded.clear()


def _keep(cache: OrderedDict, key: Any, value: Any, limit: int) -> None:
    cache[key] = value
    while len(cache) > limit:
        cache.popitem(last=False)


def live_summary(state: Any) -> dict | None:
    """The summary operations count: a live shipment's, never a redirect's (a merged
    shipment's state keeps its last summary, but its parcel is counted where it went)."""
    if not isinstance(state, dict) or state.get("redirect"):
        return None
    summary = state.get("summary")
    return summary if isinstance(summary, dict) else None


def encode(value: Any) -> bytes:
    hit = _recent.get(id(value))
    if hit is not None and hit[0] is value:
        return hit[1]
    encoded = _encoded(value)
    _keep(_recent, id(value), (value, encoded), _RECENT)
    _keep(_decoded, encoded, value, _DECODED)
    return encoded


def _encoded(value: Any) -> bytes:
    summary = live_summary(value)
    if summary is None:
        return _CURRENT + _NO_SUMMARY + _zstd.compressor.compress(orjson.dumps(value))
    head = orjson.dumps(summary)
    # The rest keeps "summary" in its place (null), so the decoded state has its keys in the
    # same order as the encoded one.
    return _CURRENT + _SUMMARY_LENGTH.pack(len(head)) + head + _zstd.compressor.compress(orjson.dumps({**value, "summary": None}))


def decode(data: bytes) -> Any:
    if data[:1] not in _VERSIONS:
        return json.loads(data)  # plain JSON: a changelog written before this codec
    hit = _decoded.get(data)
    if hit is not None:
        _decoded.move_to_end(data)
        return hit
    value = _decoded_value(data)
    _keep(_decoded, bytes(data), value, _DECODED)
    return value


def summary_of(data: bytes) -> dict | None:
    """`live_summary` of a stored value, read without decompressing it (versions 2 and 3) and
    without filling the decode cache (a scrape reads every shipment once; the cache is for the
    shipments being processed)."""
    if data[:1] in _WITH_SUMMARY:
        (length,) = _SUMMARY_LENGTH.unpack_from(data, 1)
        return orjson.loads(data[_SUMMARY_AT:_SUMMARY_AT + length]) if length else None
    if data[:1] != _VERSION_1:
        return live_summary(json.loads(data))
    hit = _decoded.get(data)
    return live_summary(hit if hit is not None else _decoded_value(data))


def as_current(data: bytes) -> bytes | None:
    """The same value in the current encoding, if `data` is an older one (else None); the
    caches untouched. Shipments that are never written again (delivered long ago) would
    otherwise keep their version 1 values, and be inflated at every scrape, for good."""
    if data[:1] == _CURRENT:
        return None
    return _encoded(_decoded_value(data) if data[:1] in (_VERSION_1, _VERSION_2) else json.loads(data))


def _inflated(data: bytes) -> bytes:
    inflate = zlib.decompressobj(zdict=_DICTIONARY_1)
    return inflate.decompress(data) + inflate.flush()


class _Zstd(threading.local):
    """zstd's compressor and decompressor with the preset dictionary, one pair per thread
    (neither may be used by two threads at once; the web server's scrapes read tables too)."""

    def __init__(self) -> None:
        dictionary = zstandard.ZstdCompressionDict(_DICTIONARY_1, dict_type=zstandard.DICT_TYPE_RAWCONTENT)
        self.compressor = zstandard.ZstdCompressor(level=_LEVEL, dict_data=dictionary, write_checksum=False)
        self.decompressor = zstandard.ZstdDecompressor(dict_data=dictionary)


_zstd = _Zstd()


def _decoded_value(data: bytes) -> Any:
    """A version 1, 2 or 3 value, decoded (no cache)."""
    if data[:1] == _VERSION_1:
        return orjson.loads(_inflated(data[1:]))
    (length,) = _SUMMARY_LENGTH.unpack_from(data, 1)
    rest = data[_SUMMARY_AT + length:]
    value = orjson.loads(_zstd.decompressor.decompress(rest) if data[:1] == _VERSION_3 else _inflated(rest))
    if length:
        value["summary"] = orjson.loads(data[_SUMMARY_AT:_SUMMARY_AT + length])
    return value


class StateCodec(codecs.Codec):
    """The codec faust uses for the hub's table values (registered as `hub-state`)."""

    def _dumps(self, obj: Any) -> bytes:
        return encode(obj)

    def _loads(self, s: bytes) -> Any:
        return decode(s)


def register() -> None:
    codecs.register(NAME, StateCodec())
