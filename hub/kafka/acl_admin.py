"""ACLs and SCRAM credentials on the broker, through aiokafka's admin client.

aiokafka 0.14's admin client has no methods for these, though its protocol layer has what
they need (struct types, flexible versions); the requests are declared here, so the hub
needs neither Kafka's Java tools (a JVM start of about 5 s each) nor another library.
Versions: ACL requests v1 (prefixed patterns; v0 is gone from Kafka 4), SCRAM v0.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from aiokafka.protocol.api import Request, RequestStruct, Response
from aiokafka.protocol.types import Array, CompactArray, CompactBytes, CompactString, Int8, Int16, Int32, Schema, String, TaggedFields

from hub.access.declaration import Acl

# Kafka's wire codes (org.apache.kafka.common.resource / acl).
RESOURCE_CODES = {"any": 1, "topic": 2, "group": 3, "cluster": 4, "transactional_id": 5}
PATTERN_CODES = {"any": 1, "literal": 3, "prefixed": 4}
OPERATION_CODES = {
    "Any": 1, "All": 2, "Read": 3, "Write": 4, "Create": 5, "Delete": 6, "Alter": 7, "Describe": 8,
    "ClusterAction": 9, "DescribeConfigs": 10, "AlterConfigs": 11, "IdempotentWrite": 12,
}
ALLOW, ANY = 3, 1
SCRAM_SHA_512 = 2
SCRAM_ITERATIONS = 4096

_RESOURCES = {v: k for k, v in RESOURCE_CODES.items()}
_PATTERNS = {v: k for k, v in PATTERN_CODES.items()}
_OPERATIONS = {v: k for k, v in OPERATION_CODES.items()}

_ACL_FIELDS = (("principal", String("utf-8")), ("host", String("utf-8")), ("operation", Int8), ("permission_type", Int8))


class DescribeAclsResponse_v1(Response):
    API_KEY = 29
    API_VERSION = 1
    SCHEMA = Schema(
        ("throttle_time_ms", Int32), ("error_code", Int16), ("error_message", String("utf-8")),
        ("resources", Array(("resource_type", Int8), ("resource_name", String("utf-8")), ("pattern_type", Int8), ("acls", Array(*_ACL_FIELDS)))),
    )


class DescribeAclsRequest_v1(RequestStruct):
    API_KEY = 29
    API_VERSION = 1
    RESPONSE_TYPE = DescribeAclsResponse_v1
    SCHEMA = Schema(
        ("resource_type", Int8), ("resource_name", String("utf-8")), ("pattern_type", Int8),
        ("principal", String("utf-8")), ("host", String("utf-8")), ("operation", Int8), ("permission_type", Int8),
    )


class DescribeAllAcls(Request[DescribeAclsRequest_v1]):
    API_KEY = 29

    def build(self, request_struct_class: type[DescribeAclsRequest_v1]) -> DescribeAclsRequest_v1:
        return request_struct_class(ANY, None, ANY, None, None, ANY, ANY)


class CreateAclsResponse_v1(Response):
    API_KEY = 30
    API_VERSION = 1
    SCHEMA = Schema(("throttle_time_ms", Int32), ("results", Array(("error_code", Int16), ("error_message", String("utf-8")))))


_BINDING = (("resource_type", Int8), ("resource_name", String("utf-8")), ("pattern_type", Int8), *_ACL_FIELDS)


class CreateAclsRequest_v1(RequestStruct):
    API_KEY = 30
    API_VERSION = 1
    RESPONSE_TYPE = CreateAclsResponse_v1
    SCHEMA = Schema(("creations", Array(*_BINDING)))


class CreateAcls(Request[CreateAclsRequest_v1]):
    API_KEY = 30

    def __init__(self, acls: list[Acl]):
        self._acls = acls

    def build(self, request_struct_class: type[CreateAclsRequest_v1]) -> CreateAclsRequest_v1:
        return request_struct_class([_binding(acl) for acl in self._acls])


class DeleteAclsResponse_v1(Response):
    API_KEY = 31
    API_VERSION = 1
    SCHEMA = Schema(
        ("throttle_time_ms", Int32),
        ("results", Array(("error_code", Int16), ("error_message", String("utf-8")),
                          ("matching", Array(("error_code", Int16), ("error_message", String("utf-8")), *_BINDING)))),
    )


class DeleteAclsRequest_v1(RequestStruct):
    API_KEY = 31
    API_VERSION = 1
    RESPONSE_TYPE = DeleteAclsResponse_v1
    SCHEMA = Schema(("filters", Array(*_BINDING)))


class DeleteAcls(Request[DeleteAclsRequest_v1]):
    API_KEY = 31

    def __init__(self, acls: list[Acl]):
        self._acls = acls

    def build(self, request_struct_class: type[DeleteAclsRequest_v1]) -> DeleteAclsRequest_v1:
        return request_struct_class([_binding(acl) for acl in self._acls])


class AlterUserScramCredentialsResponse_v0(Response):
    API_KEY = 51
    API_VERSION = 0
    SCHEMA = Schema(
        ("throttle_time_ms", Int32),
        ("results", CompactArray(("user", CompactString("utf-8")), ("error_code", Int16), ("error_message", CompactString("utf-8")),
                                 ("tags", TaggedFields))),
        ("tags", TaggedFields),
    )


class AlterUserScramCredentialsRequest_v0(RequestStruct):
    FLEXIBLE_VERSION = True
    API_KEY = 51
    API_VERSION = 0
    RESPONSE_TYPE = AlterUserScramCredentialsResponse_v0
    SCHEMA = Schema(
        ("deletions", CompactArray(("name", CompactString("utf-8")), ("mechanism", Int8), ("tags", TaggedFields))),
        ("upsertions", CompactArray(("name", CompactString("utf-8")), ("mechanism", Int8), ("iterations", Int32),
                                    ("salt", CompactBytes), ("salted_password", CompactBytes), ("tags", TaggedFields))),
        ("tags", TaggedFields),
    )


class UpsertScramCredential(Request[AlterUserScramCredentialsRequest_v0]):
    API_KEY = 51

    def __init__(self, user: str, password: str):
        self._user = user
        self._salt = secrets.token_bytes(32)
        # RFC 5802's Hi(): what the broker stores, so the password itself never travels.
        self._salted = hashlib.pbkdf2_hmac("sha512", password.encode(), self._salt, SCRAM_ITERATIONS)

    def build(self, request_struct_class: type[AlterUserScramCredentialsRequest_v0]) -> AlterUserScramCredentialsRequest_v0:
        return request_struct_class([], [(self._user, SCRAM_SHA_512, SCRAM_ITERATIONS, self._salt, self._salted, {})], {})


def _binding(acl: Acl) -> tuple[Any, ...]:
    return (RESOURCE_CODES[acl.resource], acl.name, PATTERN_CODES[acl.pattern], acl.principal, "*",
            OPERATION_CODES[acl.operation], ALLOW)


class AclError(RuntimeError):
    """The broker refused an ACL or credential change; the message is one line."""


def _check(code: int, message: str | None, doing: str) -> None:
    if code:
        from aiokafka.errors import for_code

        raise AclError(f"{doing}: {for_code(code).__name__} {message or ''}".strip())


async def describe_acls(admin: Any) -> set[Acl]:
    """Every ALLOW ACL on the cluster (the hub declares no DENY ones; others are left alone)."""
    response = await admin._send_request(DescribeAllAcls())
    _check(response.error_code, response.error_message, "describing ACLs")
    found = set()
    for resource_type, name, pattern, acls in response.resources:
        for principal, host, operation, permission in acls:
            if permission == ALLOW and host == "*" and resource_type in _RESOURCES and pattern in _PATTERNS and operation in _OPERATIONS:
                found.add(Acl(principal, _RESOURCES[resource_type], name, _PATTERNS[pattern], _OPERATIONS[operation]))
    return found


async def create_acls(admin: Any, acls: list[Acl]) -> None:
    if not acls:
        return
    response = await admin._send_request(CreateAcls(acls))
    for code, message in response.results:
        _check(code, message, "creating ACLs")


async def delete_acls(admin: Any, acls: list[Acl]) -> None:
    if not acls:
        return
    response = await admin._send_request(DeleteAcls(acls))
    for code, message, _matching in response.results:
        _check(code, message, "deleting ACLs")


async def upsert_scram_credential(admin: Any, user: str, password: str) -> None:
    """Create `user`'s SCRAM-SHA-512 credential, or replace it (the old password stops working)."""
    response = await admin._send_request(UpsertScramCredential(user, password))
    for name, code, message, _tags in response.results:
        _check(code, message, f"setting the credential of {name}")
