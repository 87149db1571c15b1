"""The published JSON Schema agrees with the adapter, and every conforming case conforms to it.

Two evaluators check the cases: `jsonschema` (a test dependency: without it these tests fail,
never pass quietly) and a tiny evaluator of the keywords the schema uses, which also proves
the schema uses no keyword beyond them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from adapters.hub_native.codes import EVENT_NAMES
from schemas import AmountKind, Milestone, Party, Reason

pytestmark = pytest.mark.unit

ROOT = Path(__file__).parents[3]
SCHEMA = json.loads((ROOT / "schemas" / "hub_native.schema.json").read_text(encoding="utf-8"))
CASES = Path(__file__).parent / "cases"
CONFORMING = sorted(p for p in CASES.glob("*.json") if p.name.split("_")[0] in ("doc", "example", "synthetic"))
INVALID = sorted(CASES.glob("invalid_*.json"))
KEYWORDS = {
    "$schema", "$id", "title", "description", "default", "type", "const", "enum", "required", "properties",
    "pattern", "minLength", "maxLength", "maxItems", "items", "if", "then", "else", "not",
}


def errors(schema: dict[str, Any], value: Any, where: str = "$") -> list[str]:
    """The subset of JSON Schema 2020-12 the hub-native schema uses."""
    found: list[str] = []
    kind = schema.get("type")
    types = {"string": str, "object": dict, "array": list}
    if kind is not None and not isinstance(value, types[kind]):
        return [f"{where}: not {kind}"]
    if "const" in schema and value != schema["const"]:
        found.append(f"{where}: not {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        found.append(f"{where}: {value!r} not in enum")
    if isinstance(value, str):
        if "pattern" in schema and not re.search(schema["pattern"], value):
            found.append(f"{where}: {value!r} does not match")
        if len(value) < schema.get("minLength", 0) or len(value) > schema.get("maxLength", len(value)):
            found.append(f"{where}: length")
    if isinstance(value, dict):
        found += [f"{where}.{key}: required" for key in schema.get("required", []) if key not in value]
        for key, sub in schema.get("properties", {}).items():
            if key in value:
                found += errors(sub, value[key], f"{where}.{key}")
    if isinstance(value, list):
        if len(value) > schema.get("maxItems", len(value)):
            found.append(f"{where}: too many items")
        for index, item in enumerate(value):
            found += errors(schema.get("items", {}), item, f"{where}[{index}]")
    if "if" in schema:
        branch = "then" if not errors(schema["if"], value, where) else "else"
        if branch in schema:
            found += errors(schema[branch], value, where)
    if "not" in schema and not errors(schema["not"], value, where):
        found.append(f"{where}: matches a forbidden shape")
    return found


def keywords(schema: Any) -> set[str]:
    if isinstance(schema, dict):
        used = set(schema) - {"properties"}
        for key, sub in schema.items():
            if key == "properties":
                for child in sub.values():
                    used |= keywords(child)
            elif isinstance(sub, dict):
                used |= keywords(sub)
        return used
    return set()


def test_schema_is_json_using_only_keywords_the_checker_knows() -> None:
    assert SCHEMA["properties"]["format"] == {"const": "hub-native/1"}
    assert keywords(SCHEMA) <= KEYWORDS


def test_event_enum_equals_the_events_the_adapter_accepts() -> None:
    enum = SCHEMA["properties"]["event"]["enum"]
    assert len(enum) == len(set(enum))
    assert set(enum) == EVENT_NAMES
    assert set(enum) == {m.value for m in Milestone} - {"informational", "unknown"}
    print(f"hub-native events: {len(enum)}")


def test_other_enums_equal_the_canonical_vocabularies() -> None:
    properties = SCHEMA["properties"]
    assert set(properties["reason"]["enum"]) == {r.value for r in Reason}
    assert set(properties["reason_party"]["enum"]) == {p.value for p in Party}
    assert set(properties["amounts"]["items"]["properties"]["kind"]["enum"]) == {k.value for k in AmountKind}


@pytest.mark.parametrize("path", CONFORMING, ids=lambda p: p.name)
def test_conforming_cases_validate(path: Path) -> None:
    document = json.loads(path.read_bytes())
    assert errors(SCHEMA, document) == []
    import jsonschema  # type: ignore[import-untyped]  # in pyproject's test extra; missing is a failure

    jsonschema.validate(document, SCHEMA)


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.name)
def test_invalid_cases_do_not_validate(path: Path) -> None:
    document = json.loads(path.read_bytes())
    assert errors(SCHEMA, document) != []
    import jsonschema  # type: ignore[import-untyped]

    assert not jsonschema.Draft202012Validator(SCHEMA).is_valid(document)


def test_doc_examples_are_the_cases() -> None:
    doc = (ROOT / "docs" / "hub-native-format.md").read_text(encoding="utf-8")
    blocks = [json.loads(b) for b in re.findall(r"```json\n(.*?)```", doc, flags=re.S)]
    cases = [json.loads((CASES / n).read_bytes()) for n in ("doc_example_duty_paid.json", "doc_example_handover.json")]
    assert blocks == cases


def test_identifier_patterns_follow_the_identifier_registry() -> None:
    from schemas.identifiers import SCHEMES, Level

    parcel = {s.value for s, rule in SCHEMES.items() if rule.level is Level.PARCEL}
    others = {s.value for s, rule in SCHEMES.items() if rule.level is not Level.PARCEL}

    def schemes(pattern: str) -> set[str]:
        return set(re.fullmatch(r"\^\((.*)\):\\S\.\*\$", pattern).group(1).split("|"))  # type: ignore[union-attr]

    assert schemes(SCHEMA["properties"]["parcel"]["pattern"]) == parcel
    assert schemes(SCHEMA["properties"]["handover_to"]["pattern"]) == parcel
    assert schemes(SCHEMA["properties"]["order"]["pattern"]) == others
