"""Hypothesis strategies for the JSON Schema subset pydantic emits (hypothesis-jsonschema 0.23 cannot
draw objects with the pinned Hypothesis): values that satisfy the schema, to reach past validation."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

MAX_TEXT = 300
"""Longest generated string, so bodies stay small while still crossing the 200-character title limit."""

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)


def _resolve(reference: str, document: dict[str, Any]) -> dict[str, Any]:
    node: Any = document
    for part in reference.removeprefix("#/").split("/"):
        node = node[part]
    return dict(node)


def _text(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    if "pattern" in schema:
        return st.from_regex(schema["pattern"], fullmatch=True)
    if schema.get("format") == "uuid":
        return st.uuids().map(str)
    low = int(schema.get("minLength", 0))
    return st.text(min_size=low, max_size=max(low, min(int(schema.get("maxLength", MAX_TEXT)), MAX_TEXT)))


def _object(schema: dict[str, Any], document: dict[str, Any]) -> st.SearchStrategy[Any]:
    properties = schema.get("properties", {})
    required = set(schema.get("required", []))
    fixed = {name: strategy_for(sub, document) for name, sub in properties.items() if name in required}
    optional = {name: strategy_for(sub, document) for name, sub in properties.items() if name not in required}
    return st.fixed_dictionaries(fixed, optional=optional)


def _typed(kind: str, schema: dict[str, Any], document: dict[str, Any]) -> st.SearchStrategy[Any]:
    if kind == "string":
        return _text(schema)
    if kind == "integer":
        return st.integers(schema.get("minimum"), schema.get("maximum"))
    if kind == "number":
        return st.floats(schema.get("minimum"), schema.get("maximum"), allow_nan=False, allow_infinity=False)
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    if kind == "array":
        items = strategy_for(schema.get("items", {}), document)
        return st.lists(items, min_size=schema.get("minItems", 0), max_size=min(schema.get("maxItems", 4), 4))
    if kind == "object":
        return _object(schema, document)
    raise ValueError(f"unsupported JSON Schema type {kind!r}")


def strategy_for(schema: dict[str, Any], document: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values valid for `schema`; `$ref`s resolve against the OpenAPI `document`."""
    if "$ref" in schema:
        return strategy_for(_resolve(schema["$ref"], document), document)
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    for combinator in ("anyOf", "oneOf"):
        if combinator in schema:
            return st.one_of([strategy_for(option, document) for option in schema[combinator]])
    if "allOf" in schema and len(schema["allOf"]) == 1:
        return strategy_for(schema["allOf"][0], document)
    kind = schema.get("type")
    if kind is None:
        return JSON_VALUES
    if isinstance(kind, list):
        return st.one_of([_typed(one, schema, document) for one in kind])
    return _typed(kind, schema, document)
