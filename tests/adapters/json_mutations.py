"""Hypothesis strategies for hostile JSON: random shapes speaking a partner's field names,
and real payloads with one node replaced or removed."""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import strategies as st

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.sampled_from([0, -1, 10**18, 1674952260000, 1.5, "1e999", "NaN", "-0.0", "", " ", "0001-01-01T00:00:00+14:00"])
    | st.text(max_size=24)
)


def json_shapes(keys: list[str], values: list[Any] = ()) -> st.SearchStrategy[Any]:
    """Nested JSON whose object keys come mostly from `keys`, leaves sometimes from `values`."""
    key = st.sampled_from(keys) | st.text(max_size=8)
    leaf = SCALARS | st.sampled_from(list(values)) if values else SCALARS
    return st.recursive(
        leaf,
        lambda children: st.lists(children, max_size=4) | st.dictionaries(key, children, max_size=6),
        max_leaves=25,
    )


def node_paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The path of every node of a JSON document, the root's `()` first."""
    found = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            found.extend(node_paths(v, (*prefix, k)))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            found.extend(node_paths(v, (*prefix, i)))
    return found


def replaced_at(document: Any, path: tuple[Any, ...], value: Any, delete: bool = False) -> Any:
    """A copy of `document` with the node at `path` replaced by `value` (or removed)."""
    if not path:
        return value
    copied = copy.deepcopy(document)
    parent = copied
    for step in path[:-1]:
        parent = parent[step]
    if delete:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return copied


@st.composite
def mutated(draw: st.DrawFn, raw: bytes, replacement: st.SearchStrategy[Any] = SCALARS) -> bytes:
    """A real payload with up to three nodes replaced by hostile values or removed."""
    document = json.loads(raw)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        path = draw(st.sampled_from(node_paths(document)))
        delete = bool(path) and draw(st.booleans())
        document = replaced_at(document, path, draw(replacement), delete)
    return json.dumps(document, ensure_ascii=draw(st.booleans())).encode()
