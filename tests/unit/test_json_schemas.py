"""The published JSON Schemas are the models' own, regenerated when a model changes."""

from __future__ import annotations

import json

import pytest

from schemas.json_schemas import GENERATED, OUT, render

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_schema_file_matches_the_model(name):
    assert (OUT / name).read_text() == render(name), f"run `python -m schemas.json_schemas` after changing the model ({name})"


def test_schemas_allow_additional_properties():
    for name in GENERATED:
        assert '"additionalProperties": false' not in (OUT / name).read_text()
        assert json.loads((OUT / name).read_text())["$schema"].endswith("2020-12/schema")
