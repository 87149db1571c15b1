"""The JSON Schemas consumers read, generated from the models. `python -m schemas.json_schemas`
rewrites them; a test fails when a model changes and the files were not regenerated."""

from __future__ import annotations

import json
from pathlib import Path

from schemas.event import CanonicalEvent
from schemas.settlement import SettlementEntry, Statement
from schemas.timeline import TIMELINE_RECORD

OUT = Path(__file__).parent / "json"

GENERATED = {
    "canonical_event.schema.json": lambda: CanonicalEvent.model_json_schema(),
    "timeline_record.schema.json": lambda: TIMELINE_RECORD.json_schema(),
    "settlement_entry.schema.json": lambda: SettlementEntry.model_json_schema(),
    "statement.schema.json": lambda: Statement.model_json_schema(),
}


def render(name: str) -> str:
    schema = GENERATED[name]()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    # v1 changes are additive: consumers must accept properties they do not know yet.
    _allow_additional(schema)
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _allow_additional(node: object) -> None:
    if isinstance(node, dict):
        if node.get("additionalProperties") is False:
            node["additionalProperties"] = True
        for value in node.values():
            _allow_additional(value)
    elif isinstance(node, list):
        for value in node:
            _allow_additional(value)


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for name in GENERATED:
        (OUT / name).write_text(render(name))
        print(OUT / name)


if __name__ == "__main__":
    main()
