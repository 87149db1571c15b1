"""The access declaration (deploy/access.toml) read and expanded into the ACLs it means for
one hub's settings: pure, so the matrix of who may do what can be checked without a broker.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from hub.config import Settings
from hub.topics import partner_topic

DECLARATION = Path(__file__).resolve().parents[2] / "deploy" / "access.toml"
RESOURCES = ("topic", "group", "cluster")
OPERATIONS = ("Read", "Write", "Describe", "Create", "DescribeConfigs")
PARTNER_ROLE = "partner"
PARTNER_USER_PREFIX = "partner-"


class AccessError(ValueError):
    """The declaration cannot be used; the message says where, in one line."""


@dataclass(frozen=True, order=True)
class Acl:
    """One ALLOW rule as Kafka keeps it (from any host)."""

    principal: str
    resource: str  # topic | group | cluster
    name: str
    pattern: str  # literal | prefixed
    operation: str

    def describe(self) -> str:
        star = "*" if self.pattern == "prefixed" else ""
        return f"{self.principal} {self.operation} {self.resource}:{self.name}{star}"


@dataclass(frozen=True)
class Rule:
    resource: str
    name: str
    pattern: str
    operations: tuple[str, ...]


@dataclass(frozen=True)
class Role:
    name: str
    user: str  # a template for the partner role
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class Declaration:
    partners: tuple[str, ...]
    roles: dict[str, Role]

    def users(self) -> dict[str, str]:
        """Every principal's user name → its role: one per service role, one per partner."""
        found = {role.user: name for name, role in self.roles.items() if name != PARTNER_ROLE}
        found.update({partner_user(p): PARTNER_ROLE for p in self.partners})
        return found

    def user_for(self, name: str) -> str:
        """The user name of a role (`workers`), a partner id (`cdek`) or a user name itself."""
        if name in self.roles and name != PARTNER_ROLE:
            return self.roles[name].user
        if name in self.partners:
            return partner_user(name)
        if name in self.users():
            return name
        known = ", ".join(sorted(r for r in self.roles if r != PARTNER_ROLE))
        raise AccessError(f"{name!r} is neither a role ({known}) nor a declared partner (add it with `hub access add-partner`)")


def partner_user(partner: str) -> str:
    return PARTNER_USER_PREFIX + partner.replace("_", "-")


def load(path: Path = DECLARATION) -> Declaration:
    try:
        data = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise AccessError(f"cannot read {path}: {err}") from None
    roles = {}
    for name, raw in data.get("roles", {}).items():
        if "user" not in raw:
            raise AccessError(f"{path}: role {name} has no user")
        roles[name] = Role(name, raw["user"], tuple(_rule(path, name, r) for r in raw.get("allow", [])))
    if PARTNER_ROLE not in roles:
        raise AccessError(f"{path}: no [roles.{PARTNER_ROLE}]")
    return Declaration(tuple(data.get("partners", [])), roles)


def _rule(path: Path, role: str, raw: dict) -> Rule:
    kinds = [r for r in RESOURCES if r in raw]
    if len(kinds) != 1:
        raise AccessError(f"{path}: a rule of role {role} names {len(kinds)} resources; one of {', '.join(RESOURCES)}")
    pattern = raw.get("pattern", "literal")
    if pattern not in ("literal", "prefixed"):
        raise AccessError(f"{path}: role {role}: pattern {pattern!r} is not literal or prefixed")
    operations = tuple(raw.get("operations", []))
    unknown = [op for op in operations if op not in OPERATIONS]
    if unknown or not operations:
        raise AccessError(f"{path}: role {role}: operations {unknown or '[]'} not among {', '.join(OPERATIONS)}")
    return Rule(kinds[0], raw[kinds[0]], pattern, operations)


def expand(declaration: Declaration, settings: Settings) -> set[Acl]:
    """Every ACL the declaration means for the hub of `settings`."""
    names = {"topic_prefix": settings.topic_prefix, "partner_prefix": settings.partner_prefix, "app_id": settings.app_id}
    acls: set[Acl] = set()
    for name, role in declaration.roles.items():
        if name == PARTNER_ROLE:
            for partner in declaration.partners:
                own = {**names, "partner": partner, "partner_topic": partner_topic(settings, partner)}
                acls |= _acls(f"User:{partner_user(partner)}", role.rules, own)
        else:
            acls |= _acls(f"User:{role.user}", role.rules, names)
    return acls


def _acls(principal: str, rules: tuple[Rule, ...], names: dict[str, str]) -> set[Acl]:
    return {
        Acl(principal, rule.resource, rule.name.format(**names), rule.pattern, operation)
        for rule in rules for operation in rule.operations
    }


def managed(acl: Acl, declaration: Declaration, settings: Settings) -> bool:
    """An ACL `apply` owns: one of a declared principal, or of any partner (a partner taken
    out of the declaration loses its ACLs), on a resource of this hub. Hubs that share a
    cluster (other topic prefixes and app ids) keep their ACLs for the same user names: an
    `apply` for one never removes what another declared."""
    user = acl.principal.removeprefix("User:")
    if not (user in declaration.users() or user.startswith(PARTNER_USER_PREFIX)):
        return False
    if acl.resource == "cluster":
        return True
    return any(acl.name.startswith(root) for root in _namespaces(declaration, settings).get(acl.resource, ()))


def _namespaces(declaration: Declaration, settings: Settings) -> dict[str, set[str]]:
    """Per resource type, the name prefixes that belong to the hub of `settings`: its topic
    prefixes and app id, and every group name or prefix its declaration gives."""
    roots: dict[str, set[str]] = {"topic": {settings.topic_prefix, settings.partner_prefix, f"{settings.app_id}-"}, "group": set()}
    for acl in expand(declaration, settings):
        if acl.resource == "group":
            roots["group"].add(acl.name)
    return roots


@dataclass(frozen=True)
class Difference:
    to_add: list[Acl]
    to_remove: list[Acl]

    def lines(self) -> list[str]:
        return [f"+ {a.describe()}" for a in self.to_add] + [f"- {a.describe()}" for a in self.to_remove]


def difference(wanted: set[Acl], present: set[Acl], declaration: Declaration, settings: Settings) -> Difference:
    """What `apply` adds and removes to go from `present` to `wanted`, sorted."""
    ours = {acl for acl in present if managed(acl, declaration, settings)}
    return Difference(sorted(wanted - present), sorted(ours - wanted))


def with_partner(path: Path, partner: str) -> bool:
    """Add `partner` to the declaration's `partners` list in `path`, keeping the rest of the
    file as written; False if it was there already."""
    text = path.read_text()
    declaration = load(path)
    if partner in declaration.partners:
        return False
    listed = ", ".join(f'"{p}"' for p in sorted({*declaration.partners, partner}))
    new, count = re.subn(r"(?m)^partners\s*=\s*\[[^\]]*\]", f"partners = [{listed}]", text, count=1)
    if count != 1:
        raise AccessError(f"{path}: no one-line `partners = [...]` to add {partner} to")
    path.write_text(new)
    return True
