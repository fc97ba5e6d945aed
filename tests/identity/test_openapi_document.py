"""GET /api/openapi.json: every HTTP operation, described from the operation tables' pydantic models."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from jsonschema import Draft202012Validator
from pydantic import BaseModel, Field

from shared.identity.caller import Capability
from shared.openapi import build_document
from shared.openapi_routes import all_operations
from shared.operations import Access, Operation
from shared.web import RequestContext
from tests.conftest import RunningHost, bearer


class WidgetIn(BaseModel):
    name: str = Field(max_length=10)


class Widget(BaseModel):
    id: str
    name: str


class WidgetQuery(BaseModel):
    limit: int = Field(20, ge=1, le=100, description="page size")
    after: str | None = None


async def _widget(context: RequestContext) -> dict[str, Any]:
    return {}


def synthetic_operations() -> tuple[Operation, ...]:
    widget = "test/widgets/{widget_id:guid}"
    return (
        Operation(
            "widget_put", "PUT", widget, _widget, Capability.CONVERSATIONS_WRITE, "Replace a widget",
            request=WidgetIn, response=Widget, errors=(412,),
        ),
        Operation(
            "widget_get", "GET", widget, _widget, Capability.CONVERSATIONS_READ, "Read a widget",
            response=Widget, query=WidgetQuery,
        ),
        Operation("ping", "POST", "test/ping", _widget, Capability.DESCRIBE, "Ping"),
        Operation("probe", "GET", "test/probe", _widget, Access.PUBLIC, "Probe"),
    )  # fmt: skip


def resolve(document: dict[str, Any], reference: str) -> Any:
    node: Any = document
    for part in reference.removeprefix("#/").split("/"):
        node = node[part]
    return node


def all_refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [ref for value in node.values() for ref in all_refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in all_refs(value)]
    return []


def test_declared_models_become_the_document() -> None:
    document = build_document(synthetic_operations(), version="9.9")
    assert document["openapi"] == "3.1.0" and document["info"]["version"] == "9.9"
    assert set(document["paths"]) == {"/api/test/widgets/{widget_id}", "/api/test/ping", "/api/test/probe"}
    put = document["paths"]["/api/test/widgets/{widget_id}"]["put"]
    assert put["parameters"][0] == {
        "name": "widget_id",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "format": "uuid"},
    }
    body_schema = resolve(document, put["requestBody"]["content"]["application/json"]["schema"]["$ref"])
    assert body_schema["properties"]["name"]["maxLength"] == 10
    assert {"200", "400", "401", "403", "404", "412", "413", "500"} <= set(put["responses"])
    assert "conversations.write" in put["description"]
    get = document["paths"]["/api/test/widgets/{widget_id}"]["get"]
    limit = next(p for p in get["parameters"] if p["name"] == "limit")
    assert (limit["in"], limit["schema"]["maximum"], limit["description"]) == ("query", 100, "page size")
    ping = document["paths"]["/api/test/ping"]["post"]
    assert ping["operationId"] == "ping" and "401" in ping["responses"] and "`describe`" in ping["description"]
    probe = document["paths"]["/api/test/probe"]["get"]
    assert probe["security"] == [] and "401" not in probe["responses"]
    for reference in all_refs(document):
        resolve(document, reference)
    for schema in document["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)


def test_document_requires_authentication(http: httpx.Client) -> None:
    response = http.get("/api/openapi.json")
    assert response.status_code == 401 and response.json()["error"]["type"] == "authentication_error"


def test_one_method_and_path_declared_twice_is_refused() -> None:
    twice = synthetic_operations()[0]
    try:
        build_document((twice, twice))
    except ValueError as error:
        assert "declared twice" in str(error)
    else:
        raise AssertionError("a duplicate operation was accepted")


def test_served_document_lists_every_operation(http: httpx.Client, devhost: RunningHost) -> None:
    response = http.get("/api/openapi.json", headers=bearer("t1", "u1"))
    assert response.status_code == 200, response.text
    document = response.json()
    assert document["openapi"] == "3.1.0"
    documented = {(method.upper(), path) for path, item in document["paths"].items() for method in item}
    assert documented == {(operation.method, f"/api/{operation.path}") for operation in all_operations()}
    health = document["paths"]["/api/health"]["get"]
    assert (
        health["security"] == []
        and "HealthReport" in health["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    )


def test_every_route_but_health_rejects_anonymous_callers(http: httpx.Client) -> None:
    document = http.get("/api/openapi.json", headers=bearer("t1", "u1")).json()
    checked = 0
    for path, item in document["paths"].items():
        concrete = path
        for parameter in {p["name"] for op in item.values() for p in op.get("parameters", []) if p["in"] == "path"}:
            concrete = concrete.replace("{" + parameter + "}", str(uuid.uuid4()))
        for method, operation in item.items():
            if path == "/api/health":
                assert operation["security"] == []
                continue
            response = http.request(method.upper(), concrete, json={})
            assert response.status_code == 401, (method, path, response.status_code, response.text[:200])
            assert response.json()["error"]["type"] == "authentication_error"
            assert response.headers["x-request-id"]
            checked += 1
    assert checked >= 2
    print(f"anonymous calls rejected on {checked} operations")
