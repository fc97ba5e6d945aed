"""Property-based run over every operation in /api/openapi.json on the dev host: no 5xx, no response
that breaks the documented schema. Bodies come from the request schemas and from arbitrary JSON."""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import quote

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema
from jsonschema import Draft202012Validator

from tests.conftest import bearer

EXAMPLES_PER_OPERATION = 12
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)


def schema_with_components(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    return {**schema, "components": document["components"]}


def check_response(response: httpx.Response, operation: dict[str, Any], document: dict[str, Any]) -> None:
    assert response.status_code < 500, (response.status_code, response.text[:300])
    assert response.headers.get("x-request-id")
    responses = operation["responses"]
    documented = responses.get(str(response.status_code)) or responses.get(f"{response.status_code // 100}XX")
    assert documented is not None, (response.status_code, response.text[:300])
    content = documented.get("content", {})
    if "application/json" in content and response.headers.get("content-type", "").startswith("application/json"):
        schema = schema_with_components(content["application/json"]["schema"], document)
        errors = sorted(Draft202012Validator(schema).iter_errors(response.json()), key=str)
        assert not errors, (response.status_code, errors[0].message, response.text[:300])


class PropertyRun:
    def __init__(self, http: httpx.Client, headers: dict[str, str], document: dict[str, Any]) -> None:
        self.http, self.headers, self.document = http, headers, document
        self.cases = 0

    def operation(self, path: str, method: str, operation: dict[str, Any]) -> None:
        body_schema = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
        bodies = JSON_VALUES if body_schema is None else st.one_of(
            from_schema(schema_with_components(body_schema, self.document)), JSON_VALUES
        )
        names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "path"]
        segments = st.one_of(st.uuids().map(str), st.text(min_size=1, max_size=40))

        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(body=bodies, params=st.fixed_dictionaries({name: segments for name in names}))
        def run(body: Any, params: dict[str, str]) -> None:
            concrete = path
            for name, value in params.items():
                concrete = concrete.replace("{" + name + "}", quote(value, safe=""))
            content = json.dumps(body).encode() if method in ("post", "put", "patch") else None
            response = self.http.request(method.upper(), concrete, content=content,
                                         headers={**self.headers, "content-type": "application/json"})
            self.cases += 1
            check_response(response, operation, self.document)

        run()


def test_no_server_errors_and_no_schema_breaks(http: httpx.Client) -> None:
    headers = bearer("t-fuzz", f"u-{uuid.uuid4().hex[:8]}")
    document = http.get("/api/openapi.json", headers=headers).json()
    runner = PropertyRun(http, headers, document)
    operations = [(path, method, op) for path, item in document["paths"].items() for method, op in item.items()]
    for path, method, operation in operations:
        runner.operation(path, method, operation)
    print(f"property run: {runner.cases} generated requests over {len(operations)} operations")
    assert runner.cases >= len(operations)
