"""The gateway's pure parts: signatures, the token bucket, the partner file and the spool (hub/gateway/)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime, timezone
from pathlib import Path

import pytest

from hub.gateway.auth import (
    aliexpress_signature,
    check_aliexpress,
    check_standard_webhook,
    check_token,
    standard_webhook_signature,
)
from hub.gateway.native import SeenWebhooks
from hub.gateway.outcomes import Outcome
from hub.gateway.partner_access import PartnerFileError, load_partner_access
from hub.gateway.rate_limit import TokenBucket
from hub.gateway.record import gateway_record
from hub.gateway.spool import Spool, SpoolLocked
from hub.partners import PARTNERS

pytestmark = pytest.mark.unit

KEY = b"k" * 32
NATIVE = {p.id for p in PARTNERS.values() if p.adapter == "hub_native"}
ROOT = Path(__file__).resolve().parents[2]


def test_a_path_token_must_match_exactly():
    assert check_token(b"secret-token", "secret-token") is None
    assert check_token(b"secret-token", "secret-toke") is Outcome.BAD_TOKEN
    assert check_token(b"secret-token", "") is Outcome.BAD_TOKEN
    assert check_token(b"secret-token", "sécret-token") is Outcome.BAD_TOKEN


def test_the_aliexpress_signature_is_hex_hmac_of_app_key_and_body():
    body = b'{"message_type": 1}'
    expected = hmac.new(b"app-secret", b"12345678" + body, hashlib.sha256).hexdigest()
    assert aliexpress_signature(b"12345678", b"app-secret", body) == expected
    assert check_aliexpress(b"12345678", b"app-secret", body, expected) is None
    assert check_aliexpress(b"12345678", b"app-secret", body, expected.upper()) is None
    assert check_aliexpress(b"12345678", b"app-secret", body + b" ", expected) is Outcome.BAD_SIGNATURE
    assert check_aliexpress(b"12345678", b"app-secret", body, None) is Outcome.MISSING_SIGNATURE
    assert check_aliexpress(b"12345678", b"app-secret", body, "ünicode") is Outcome.BAD_SIGNATURE


def test_standard_webhooks_signature_as_the_spec_computes_it():
    # The Standard Webhooks 1.0 recipe: base64 HMAC-SHA256 over "id.timestamp.body".
    digest = hmac.new(KEY, b"msg_1.1700000000.{}", hashlib.sha256).digest()
    assert standard_webhook_signature(KEY, "msg_1", "1700000000", b"{}") == "v1," + base64.b64encode(digest).decode()


def signed(body: bytes, *, webhook_id: str = "msg_1", timestamp: int = 1_700_000_000, key: bytes = KEY) -> dict[str, str]:
    return {"webhook-id": webhook_id, "webhook-timestamp": str(timestamp),
            "webhook-signature": standard_webhook_signature(key, webhook_id, str(timestamp), body)}


@pytest.mark.parametrize(("change", "outcome"), [
    ({}, None),
    ({"webhook-signature": None}, Outcome.MISSING_SIGNATURE),
    ({"webhook-id": None}, Outcome.MISSING_SIGNATURE),
    ({"webhook-timestamp": None}, Outcome.MISSING_SIGNATURE),
    ({"webhook-timestamp": "1700000301"}, Outcome.STALE_TIMESTAMP),
    ({"webhook-timestamp": "1699999699"}, Outcome.STALE_TIMESTAMP),
    ({"webhook-timestamp": "1700000299"}, Outcome.BAD_SIGNATURE),  # in the window, but not what was signed
    ({"webhook-timestamp": "17e8"}, Outcome.STALE_TIMESTAMP),
    ({"webhook-id": "msg_2"}, Outcome.BAD_SIGNATURE),
    ({"webhook-signature": "v1,AAAA"}, Outcome.BAD_SIGNATURE),
    ({"webhook-signature": "v2,whatever"}, Outcome.BAD_SIGNATURE),
])
def test_standard_webhooks_verdicts(change, outcome):
    headers = {**signed(b"{}"), **change}
    headers = {k: v for k, v in headers.items() if v is not None}
    assert check_standard_webhook((KEY,), headers, b"{}", now=1_700_000_000.0) is outcome


def test_a_signature_list_and_rotated_keys():
    other = b"o" * 32
    good = signed(b"{}", key=other)["webhook-signature"]
    headers = {**signed(b"{}"), "webhook-signature": f"v1,bm9wZQ== {good}"}
    assert check_standard_webhook((KEY, other), headers, b"{}", now=1_700_000_000.0) is None
    assert check_standard_webhook((KEY,), headers, b"{}", now=1_700_000_000.0) is Outcome.BAD_SIGNATURE


def test_seen_webhook_ids_are_forgotten_after_the_window():
    now = [0.0]
    seen = SeenWebhooks(window=600, clock=lambda: now[0])
    seen.remember("wh_moscow", "msg_1")
    assert seen.seen("wh_moscow", "msg_1") and not seen.seen("pvz_network", "msg_1")
    now[0] = 601.0
    assert not seen.seen("wh_moscow", "msg_1")


def test_the_token_bucket_allows_bursts_then_the_rate():
    now = [0.0]
    bucket = TokenBucket(rate=10, burst=3, clock=lambda: now[0])
    assert [bucket.take() for _ in range(4)] == [True, True, True, False]
    now[0] = 0.1
    assert bucket.take() and not bucket.take()
    now[0] = 100.0
    assert sum(bucket.take() for _ in range(10)) == 3


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "partners.toml"
    path.write_text(text)
    return path


def load(path: Path):
    return load_partner_access(path, set(PARTNERS), NATIVE)


def test_the_example_partner_file_loads():
    access = load(ROOT / "deploy" / "gateway-secrets.example.toml")
    assert {"ozon", "cdek", "aliexpress", "wh_moscow"} <= set(access)
    assert access["ozon"].source_allowed("195.34.21.7") and not access["ozon"].source_allowed("10.0.0.1")
    assert access["cdek"].source_allowed("10.0.0.1")
    assert access["pvz_network"].rate == 50


def test_the_pollers_tables_of_the_shared_file_are_left_to_them(tmp_path):
    """One secrets file for the gateway and the pollers (docs/pollers.md): [pollers.*] is theirs."""
    access = load(write(tmp_path, '[cdek]\ntoken = "t0p-secret"\n\n[pollers.boxberry]\ntoken = "b0x"\n'))
    assert set(access) == {"cdek"}


@pytest.mark.parametrize(("text", "message"), [
    ('[ozon]\ntoken = ""\n', "[ozon] token must be a non-empty string"),
    ('[nobody]\ntoken = "x"\n', "unknown partner [nobody]"),
    ('[russian_post]\ntoken = "x"\n', "[russian_post] does not push"),
    ('[cdek]\ntoken = "t0p-secret"\nrate = -1\n', "[cdek] rate must be a positive number"),
    ('[cdek]\ntoken = "t0p-secret"\ntokn = "t0p-secret"\n', "[cdek] tokn is not a setting"),
    ('[wh_moscow]\nsecrets = ["whsec_c2hvcnQ="]\n', "[wh_moscow] secrets: each secret must be whsec_"),
    ('[aliexpress]\napp_key = "1"\n', "[aliexpress] app_secret must be a non-empty string"),
    ('[ozon]\ntoken = "t0p-secret"\nallow_from = ["nonsense"]\n', "[ozon] allow_from"),
    ("[ozon\n", "is not TOML"),
])
def test_a_bad_partner_file_is_one_line_naming_partner_and_key_never_the_secret(tmp_path, text, message):
    with pytest.raises(PartnerFileError) as caught:
        load(write(tmp_path, text))
    assert message in str(caught.value) and "\n" not in str(caught.value)
    assert "t0p-secret" not in str(caught.value)


def test_partner_access_never_prints_its_secrets(tmp_path):
    access = load(write(tmp_path, '[cdek]\ntoken = "t0p-secret"\n'))
    assert "t0p-secret" not in repr(access) and "t0p-secret" not in str(access)


def record(n: int):
    return gateway_record(topic="partner.cdek.events", partner="cdek", body=f'{{"n": {n}}}'.encode(),
                          received_at=datetime(2026, 1, 1, tzinfo=timezone.utc),
                          source="127.0.0.1", instance="gw-1", auth="path_token", webhook_id=f"msg_{n}" if n % 2 else None)


def test_the_spool_keeps_records_with_key_and_headers_across_a_restart(tmp_path):
    spool = Spool(tmp_path, clock=lambda: 1000.0)
    for n in range(5):
        spool.append(record(n))
    assert spool.depth() == 5 and spool.oldest() == 1000.0
    spool.close()
    reopened = Spool(tmp_path)
    assert reopened.depth() == 5
    number, records = reopened.next_sealed()
    assert [r.record for r in records] == [record(n) for n in range(5)]
    reopened.remove(number)
    assert reopened.depth() == 0 and reopened.oldest() is None and reopened.next_sealed() is None
    reopened.close()


def test_the_spool_drains_oldest_first_and_seals_the_active_segment(tmp_path):
    spool = Spool(tmp_path)
    spool.append(record(1))
    number, records = spool.next_sealed()
    spool.append(record(2))  # goes to the new active segment
    assert [r.record for r in records] == [record(1)] and spool.depth() == 2
    spool.remove(number)
    number, records = spool.next_sealed()
    assert [r.record for r in records] == [record(2)]
    spool.remove(number)
    spool.close()


def test_a_torn_last_record_is_skipped_and_the_rest_kept(tmp_path):
    spool = Spool(tmp_path)
    spool.append(record(1))
    spool.append(record(2))
    spool.close()
    segment = next(tmp_path.glob("segment-*.spool"))
    segment.write_bytes(segment.read_bytes()[:-7])  # a crash in the middle of the second write
    reopened = Spool(tmp_path)
    assert reopened.depth() == 1
    assert [r.record for r in reopened.next_sealed()[1]] == [record(1)]
    reopened.close()


def test_one_process_owns_a_spool_folder(tmp_path):
    spool = Spool(tmp_path)
    with pytest.raises(SpoolLocked):
        Spool(tmp_path)
    spool.close()
    Spool(tmp_path).close()
