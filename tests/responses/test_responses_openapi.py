"""The Responses and Conversations-items operations in /api/openapi.json describe what the routes serve."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator

from tests.conftest import RunningHost, bearer

pytestmark = pytest.mark.stack

OPERATIONS = {
    ("post", "/api/v1/responses"): "completions",
    ("get", "/api/v1/responses/{response_id}"): "conversations.read",
    ("delete", "/api/v1/responses/{response_id}"): "conversations.write",
    ("get", "/api/v1/responses/{response_id}/input_items"): "conversations.read",
    ("post", "/api/v1/conversations/{conversation_id}"): "conversations.write",
    ("get", "/api/v1/conversations/{conversation_id}/items"): "conversations.read",
    ("post", "/api/v1/conversations/{conversation_id}/items"): "conversations.write",
    ("get", "/api/v1/conversations/{conversation_id}/items/{item_id}"): "conversations.read",
    ("delete", "/api/v1/conversations/{conversation_id}/items/{item_id}"): "conversations.write",
}


def validate(document: dict[str, Any], method: str, path: str, status: int, instance: Any) -> None:
    schema = document["paths"][path][method]["responses"][str(status)]["content"]["application/json"]["schema"]
    errors = list(Draft202012Validator({**schema, "components": document["components"]}).iter_errors(instance))
    assert not errors, (method, path, errors[0].message)


def test_new_operations_are_described_and_match_what_is_served(devhost: RunningHost) -> None:
    auth = bearer(f"t-{uuid.uuid4().hex[:8]}", f"u-{uuid.uuid4().hex[:8]}")
    with httpx.Client(base_url=devhost.url, headers=auth, timeout=30) as http:
        document = http.get("/api/openapi.json").json()
        for (method, path), capability in OPERATIONS.items():
            operation = document["paths"][path][method]
            assert f"`{capability}`" in operation["description"], (method, path)
            assert "not yet described" not in operation["description"].lower()
        post = document["paths"]["/api/v1/responses"]["post"]
        assert "text/event-stream" in post["responses"]["200"]["content"]

        conv = http.post("/api/v1/conversations", json={"items": [{"role": "user", "content": "hi"}]}).json()
        made = http.post(
            "/api/v1/responses", json={"model": "gpt-4o-mini", "input": "hello", "conversation": conv["id"]}
        )
        assert made.status_code == 200, made.text
        validate(document, "post", "/api/v1/responses", 200, made.json())
        rid = made.json()["id"]
        validate(document, "get", "/api/v1/responses/{response_id}", 200, http.get(f"/api/v1/responses/{rid}").json())
        items = http.get(f"/api/v1/responses/{rid}/input_items").json()
        validate(document, "get", "/api/v1/responses/{response_id}/input_items", 200, items)
        listed = http.get(f"/api/v1/conversations/{conv['id']}/items").json()
        validate(document, "get", "/api/v1/conversations/{conversation_id}/items", 200, listed)
        assert len(listed["data"]) == 3
        deleted = http.delete(f"/api/v1/responses/{rid}").json()
        validate(document, "delete", "/api/v1/responses/{response_id}", 200, deleted)
