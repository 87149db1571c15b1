"""The access declaration as Strimzi `KafkaUser` resources, for installations on Kubernetes
(deploy/strimzi/kafka-users.yaml; `hub access strimzi` writes it, a unit test keeps it current).

Names follow the default settings (topic prefix `hub.`, partner prefix `partner.`, app id `hub`).
"""

from __future__ import annotations

import json
from collections import defaultdict

from hub.access.declaration import Declaration, expand
from hub.config import Settings

STRIMZI_CLUSTER = "hub"


def kafka_users_yaml(declaration: Declaration, settings: Settings | None = None) -> str:
    """One KafkaUser per principal (SCRAM-SHA-512, simple authorization), its ACLs grouped by
    resource; YAML written by hand (strings JSON-quoted, which YAML reads as they are)."""
    by_user: dict[str, dict[tuple[str, str, str], list[str]]] = defaultdict(lambda: defaultdict(list))
    for acl in sorted(expand(declaration, settings or Settings())):
        by_user[acl.principal.removeprefix("User:")][(acl.resource, acl.name, acl.pattern)].append(acl.operation)
    documents = [_user(user, resources) for user, resources in sorted(by_user.items())]
    return "".join(f"---\n{doc}" for doc in documents)


def _user(user: str, resources: dict[tuple[str, str, str], list[str]]) -> str:
    q = json.dumps
    lines = [
        "apiVersion: kafka.strimzi.io/v1beta2",
        "kind: KafkaUser",
        "metadata:",
        f"  name: {q(user)}",
        "  labels:",
        f"    strimzi.io/cluster: {q(STRIMZI_CLUSTER)}",
        "spec:",
        "  authentication:",
        "    type: scram-sha-512",
        "  authorization:",
        "    type: simple",
        "    acls:",
    ]
    for (resource, name, pattern), operations in sorted(resources.items()):
        lines.append("      - resource:")
        lines.append(f"          type: {resource}")
        if resource != "cluster":
            lines.append(f"          name: {q(name)}")
            lines.append(f"          patternType: {'prefix' if pattern == 'prefixed' else 'literal'}")
        lines.append(f"        operations: [{', '.join(sorted(operations))}]")
        lines.append('        host: "*"')
    return "\n".join(lines) + "\n"



