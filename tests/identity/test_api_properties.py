"""Property-based run over every operation in /api/openapi.json on the dev host, as a fresh user: no 5xx,
no undocumented status, no response that breaks the documented schema. Bodies and query parameters
come from the document's schemas and from arbitrary JSON; path parameters are sometimes ids the user
really owns, so valid-ish requests reach the store and not just the validation."""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter
from typing import Any
from urllib.parse import quote

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from tests.conftest import bearer
from tests.identity.schema_strategies import JSON_VALUES, strategy_for

EXAMPLES_PER_OPERATION = 60
CONVERSATIONS = "/api/v1/conversations"
NDJSON_OBJECTS = {
    "conversation": "Conversation",
    "conversation.message": "ConversationMessage",
    "response": "ResponseObject",
}


def schema_with_components(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    return {**schema, "components": document["components"]}


def assert_valid(instance: Any, schema: dict[str, Any], document: dict[str, Any], response: httpx.Response) -> None:
    errors = sorted(Draft202012Validator(schema_with_components(schema, document)).iter_errors(instance), key=str)
    assert not errors, (response.status_code, errors[0].message, response.text[:300])


def check_response(response: httpx.Response, operation: dict[str, Any], document: dict[str, Any]) -> None:
    assert response.status_code < 500, (response.status_code, response.text[:300])
    assert response.headers.get("x-request-id")
    responses = operation["responses"]
    documented = responses.get(str(response.status_code)) or responses.get(f"{response.status_code // 100}XX")
    assert documented is not None, (response.status_code, response.text[:300])
    content_type = response.headers.get("content-type", "")
    if response.status_code == 204:
        assert response.content == b""
    content = documented.get("content", {})
    if "application/json" in content and content_type.startswith("application/json"):
        assert_valid(response.json(), content["application/json"]["schema"], document, response)
    if content_type.startswith("application/x-ndjson"):
        for line in response.text.splitlines():
            row = json.loads(line)
            reference = f"#/components/schemas/{NDJSON_OBJECTS[row['object']]}"
            assert_valid(row, {"$ref": reference}, document, response)


class PropertyRun:
    def __init__(self, http: httpx.Client, headers: dict[str, str], document: dict[str, Any]) -> None:
        self.http, self.headers, self.document = http, headers, document
        self.cases = 0
        self.successes: Counter[str] = Counter()

    def seed(self) -> dict[str, list[str]]:
        """A conversation with one message, so generated path parameters can name real resources."""
        created = self.http.post(CONVERSATIONS, json={"title": "seed"}, headers=self.headers)
        assert created.status_code == 201, created.text
        cid = created.json()["id"]
        message = self.http.post(
            f"{CONVERSATIONS}/{cid}/messages", json={"role": "assistant", "content": "hi"}, headers=self.headers
        )
        assert message.status_code == 201, message.text
        return {"conversation_id": [cid], "message_id": [message.json()["id"]], "item_id": [message.json()["id"]]}

    def operation(self, path: str, method: str, operation: dict[str, Any]) -> None:
        body_schema = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
        bodies = (
            JSON_VALUES if body_schema is None else st.one_of(strategy_for(body_schema, self.document), JSON_VALUES)
        )
        parameters = operation.get("parameters", [])
        real = self.seed() if any(p["in"] == "path" for p in parameters) else {}
        paths = st.fixed_dictionaries(
            {p["name"]: _path_values(real.get(p["name"])) for p in parameters if p["in"] == "path"}
        )
        queries = st.fixed_dictionaries(
            {},
            optional={
                p["name"]: st.one_of(strategy_for(p["schema"], self.document), st.text(max_size=12)).map(_query_text)
                for p in parameters
                if p["in"] == "query"
            },
        )
        if_match = st.sampled_from([None, "*", '"junk"', 'W/"weak"', "a, b"])

        @settings(
            max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        @given(body=bodies, params=paths, query=queries, condition=if_match)
        def run(body: Any, params: dict[str, str], query: dict[str, str], condition: str | None) -> None:
            concrete = path
            for name, value in params.items():
                concrete = concrete.replace("{" + name + "}", quote(value, safe=""))
            content = json.dumps(body).encode() if method in ("post", "put", "patch") else None
            headers = {**self.headers, "content-type": "application/json"}
            if condition is not None:
                headers["If-Match"] = condition
            response = self.http.request(method.upper(), concrete, content=content, params=query, headers=headers)
            self.cases += 1
            check_response(response, operation, self.document)
            if response.is_success:
                self.successes[f"{method.upper()} {path}"] += 1

        run()


def _path_values(owned: list[str] | None) -> st.SearchStrategy[str]:
    """Half the time an id the user owns, else a random uuid or arbitrary text."""
    mine = st.sampled_from(owned or ["none"])
    return st.one_of(mine, mine, st.uuids().map(str), st.text(min_size=1, max_size=40))


def _query_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def test_no_server_errors_and_no_schema_breaks(http: httpx.Client) -> None:
    headers = bearer(f"t-fuzz-{uuid.uuid4().hex[:6]}", f"u-{uuid.uuid4().hex[:8]}")
    document = http.get("/api/openapi.json", headers=headers).json()
    runner = PropertyRun(http, headers, document)
    operations = [(path, method, op) for path, item in document["paths"].items() for method, op in item.items()]
    conversation_operations = [op for path, _, op in operations if path.startswith(CONVERSATIONS)]
    assert len(conversation_operations) == 15
    assert all("not yet described" not in op.get("description", "").lower() for op in conversation_operations)
    started = time.monotonic()
    for path, method, operation in operations:
        runner.operation(path, method, operation)
    elapsed = time.monotonic() - started
    print(f"property run: {runner.cases} generated requests over {len(operations)} operations in {elapsed:.1f} s")
    assert runner.cases >= len(operations) * EXAMPLES_PER_OPERATION // 2
    reached = {key for key in runner.successes if key.split(" ", 1)[1].startswith(CONVERSATIONS)}
    assert len(reached) == len(conversation_operations), runner.successes
