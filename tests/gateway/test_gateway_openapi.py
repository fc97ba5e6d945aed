"""The gateway's and moderation's routes in /api/openapi.json, and real answers that match them."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator

from tests.conftest import bearer

pytestmark = pytest.mark.stack

COMPLETIONS = "/api/v1/chat/completions"
AZURE = "/api/openai/deployments/{deployment}/chat/completions"


@pytest.fixture
def headers() -> dict[str, str]:
    return bearer(f"t-{uuid.uuid4().hex[:8]}", f"u-{uuid.uuid4().hex[:8]}")


@pytest.fixture
def document(http: httpx.Client, headers: dict[str, str]) -> dict[str, Any]:
    found: dict[str, Any] = http.get("/api/openapi.json", headers=headers).json()
    return found


def schema_errors(instance: Any, schema: dict[str, Any], document: dict[str, Any]) -> list[str]:
    validator = Draft202012Validator({**schema, "components": document["components"]})
    return [error.message for error in validator.iter_errors(instance)]


def test_completion_routes_are_described(document: dict[str, Any]) -> None:
    paths = document["paths"]
    for path in (COMPLETIONS, AZURE):
        operation = paths[path]["post"]
        assert "not yet described" not in operation.get("description", "").lower()
        assert operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
            "/ChatCompletionRequest"
        )
        success = operation["responses"]["200"]["content"]
        assert set(success) == {"application/json", "text/event-stream"}
        assert {"400", "404", "429", "503"} <= set(operation["responses"])
        assert "`completions` capability" in operation["description"]
    (version,) = [p for p in paths[AZURE]["post"]["parameters"] if p["in"] == "query"]
    assert version["name"] == "api-version"
    request = document["components"]["schemas"]["ChatCompletionRequest"]
    assert {"model", "messages", "stream"} <= set(request["properties"])
    assert request.get("additionalProperties") is True, "OpenAI's other parameters pass through"
    for path in ("/api/v1/models", "/api/v1/usage"):
        assert "not yet described" not in paths[path]["get"].get("description", "").lower()
    assert [p["name"] for p in paths["/api/v1/usage"]["get"]["parameters"]] == ["days"]
    moderations = paths["/api/v1/moderations"]["post"]
    assert moderations["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/ModerationRequest")
    assert "`moderation` capability" in moderations["description"]


def test_real_answers_match_the_documented_schemas(
    http: httpx.Client, headers: dict[str, str], document: dict[str, Any]
) -> None:
    def schema_of(path: str, method: str) -> dict[str, Any]:
        content: dict[str, Any] = document["paths"][path][method]["responses"]["200"]["content"]
        schema: dict[str, Any] = content["application/json"]["schema"]
        return schema

    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi [[sim:reply:Hello.]]"}]}
    completion = http.post(COMPLETIONS, json=body, headers=headers)
    assert completion.status_code == 200
    assert schema_errors(completion.json(), schema_of(COMPLETIONS, "post"), document) == []
    assert schema_errors({"id": "x"}, schema_of(COMPLETIONS, "post"), document), "the schema can fail"

    azure = http.post(
        AZURE.replace("{deployment}", "gpt-4o-mini"), json=body, params={"api-version": "2024-10-21"}, headers=headers
    )
    assert azure.status_code == 200
    assert schema_errors(azure.json(), schema_of(AZURE, "post"), document) == []

    moderation = http.post("/api/v1/moderations", json={"input": ["hello", "good day"]}, headers=headers)
    assert moderation.status_code == 200
    assert schema_errors(moderation.json(), schema_of("/api/v1/moderations", "post"), document) == []

    for path in ("/api/v1/models", "/api/v1/usage"):
        answer = http.get(path, headers=headers)
        assert answer.status_code == 200
        assert schema_errors(answer.json(), schema_of(path, "get"), document) == []
