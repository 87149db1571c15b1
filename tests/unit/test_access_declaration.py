"""The access declaration (deploy/access.toml) and its Strimzi form, without a broker."""

from __future__ import annotations

import json

import pytest

from hub.access import declaration as access
from hub.access.strimzi import kafka_users_yaml
from hub.config import Settings
from hub.web.auth import ApiTokens, Caller, may_request

pytestmark = pytest.mark.unit

STRIMZI = access.DECLARATION.parent / "strimzi" / "kafka-users.yaml"


def test_a_partner_writes_and_describes_its_own_topic_only() -> None:
    acls = access.expand(access.load(), Settings())
    cdek = {a for a in acls if a.principal == "User:partner-cdek"}
    assert cdek == {access.Acl("User:partner-cdek", "topic", "partner.cdek.events", "literal", op) for op in ("Write", "Describe")}


def test_the_strimzi_users_are_the_declaration_and_well_formed() -> None:
    text = STRIMZI.read_text()
    assert text == kafka_users_yaml(access.load()), "regenerate with: hub access strimzi > deploy/strimzi/kafka-users.yaml"
    documents = text.split("---\n")[1:]
    assert len(documents) == len(access.load().users())
    for document in documents:
        lines = document.splitlines()
        assert lines[:3] == ["apiVersion: kafka.strimzi.io/v1beta2", "kind: KafkaUser", "metadata:"]
        name = json.loads(lines[3].partition(": ")[2])
        # Kubernetes names: lower-case alphanumerics and dashes (RFC 1123), which SCRAM keeps as the user name.
        assert name.replace("-", "").isalnum() and name == name.lower(), name
        assert "    type: scram-sha-512" in lines and "    type: simple" in lines
        for line in lines:
            assert not line.startswith("\t") and (len(line) - len(line.lstrip())) % 2 == 0, line
            if "name: " in line or "strimzi.io/cluster" in line:
                json.loads(line.partition(": ")[2])  # quoted strings are JSON strings


def test_apply_removes_only_what_it_owns() -> None:
    declared = access.load()
    stray = access.Acl("User:partner-gone", "topic", "partner.gone.events", "literal", "Write")
    undeclared = access.Acl("User:hub-worker", "topic", "hub.old-topic", "literal", "Read")
    foreign = access.Acl("User:someone-else", "topic", "x", "literal", "Read")
    wanted = access.expand(declared, Settings())
    change = access.difference(wanted, wanted | {stray, undeclared, foreign}, declared, Settings())
    assert change.to_add == [] and change.to_remove == sorted([stray, undeclared])


def test_two_hubs_on_one_cluster_keep_each_others_acls() -> None:
    """Same user names, other prefixes and app ids: applying one hub's declaration removes
    nothing the other declared, and applying it again changes nothing."""
    declared = access.load()
    first = Settings(topic_prefix="east.hub.", partner_prefix="east.partner.", app_id="east-hub")
    second = Settings(topic_prefix="west.hub.", partner_prefix="west.partner.", app_id="west-hub")
    both = access.expand(declared, first) | access.expand(declared, second)
    for settings in (first, second):
        change = access.difference(access.expand(declared, settings), both, declared, settings)
        assert change.to_add == [] and change.to_remove == []


def test_add_partner_keeps_the_file_as_written(tmp_path) -> None:
    path = tmp_path / "access.toml"
    path.write_text(access.DECLARATION.read_text().replace('"pvz_network", ', ""))
    assert access.with_partner(path, "pvz_network") and not access.with_partner(path, "pvz_network")
    assert path.read_text() == access.DECLARATION.read_text()


def test_tokens_are_roles_never_strings_and_partners_ask_little() -> None:
    tokens = ApiTokens(((b"o" * 20, Caller("operations")), (b"p" * 20, Caller("partner", "cdek"))))
    assert tokens.identify("Bearer " + "p" * 20) == Caller("partner", "cdek")
    assert tokens.identify("Bearer " + "p" * 19) is None and tokens.identify(None) is None and tokens.identify("p" * 20) is None
    partner = Caller("partner", "cdek")
    assert may_request(partner, "/shipments/x") and may_request(partner, "/settlements")
    assert not any(may_request(partner, p) for p in ("/ops", "/ops.json", "/metrics", "/router/", "/_timeline/shp_x"))
    assert may_request(Caller("metrics"), "/metrics") and not may_request(Caller("metrics"), "/ops")
