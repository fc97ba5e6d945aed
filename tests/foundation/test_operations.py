"""Each HTTP operation is declared once: one table entry, one registered function, one OpenAPI operation,
and access is checked in one place before any handler runs."""

from __future__ import annotations

import inspect
import json
import typing
from collections import Counter
from typing import Any

import httpx
import pytest
from fastapi import Request

import function_app
from devhost.function_index import index
from shared.identity.caller import Caller, CallerKind, Capability
from shared.openapi import build_document
from shared.openapi_routes import all_operations
from shared.operations import Access, Operation, serve_operation
from tests.conftest import bearer

CATCH_ALL = "{*path}"
HEALTH = {"health"}


def _registered() -> Counter[tuple[str, str, str]]:
    http_functions, _queues = index(function_app.app)
    return Counter(
        (function.name, method, function.route.template)
        for function in http_functions
        if function.route.template != CATCH_ALL
        for method in function.methods
    )


def test_every_registered_function_has_exactly_one_table_entry_and_the_reverse() -> None:
    declared = Counter((operation.name, operation.method, operation.path) for operation in all_operations())
    registered = _registered()
    assert registered == declared
    assert max(declared.values()) == 1
    assert len({name for name, _method, _path in declared}) == len(declared), "function names are unique"


def test_every_table_entry_is_exactly_one_openapi_operation() -> None:
    document = build_document(all_operations())
    described = Counter(operation["operationId"] for item in document["paths"].values() for operation in item.values())
    assert described == Counter(operation.name for operation in all_operations())


def test_every_operation_but_health_demands_a_capability() -> None:
    public = {operation.name for operation in all_operations() if operation.access is Access.PUBLIC}
    assert public == HEALTH
    demanding = [operation for operation in all_operations() if isinstance(operation.access, Capability)]
    assert len(demanding) == len(all_operations()) - len(HEALTH)


@pytest.mark.parametrize("operation", all_operations(), ids=lambda operation: operation.name)
def test_a_handler_takes_the_model_its_entry_parses(operation: Operation) -> None:
    parameters = list(inspect.signature(operation.handler).parameters)
    hints = typing.get_type_hints(operation.handler)
    if operation.request is not None:
        assert len(parameters) == 2, parameters
        accepted = typing.get_args(hints[parameters[1]]) or (hints[parameters[1]],)
        produced = operation.request if operation.reader is None else typing.get_type_hints(operation.reader)["return"]
        assert produced in accepted
    else:
        assert len(parameters) == 1, parameters


def _request(operation: Operation, body: bytes) -> Request:
    path = "/api/" + operation.path
    params: dict[str, str] = {}
    for part in operation.path.split("/"):
        if part.startswith("{"):
            params[part.strip("{}")] = "conv_" + "0" * 32
    scope = {
        "type": "http",
        "method": operation.method,
        "path": path,
        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        "query_string": b"",
        "path_params": params,
    }
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return Request(scope, receive)


def _without_capabilities() -> Caller:
    return Caller(CallerKind.APP, tenant_id="t-ops", user_id="app-ops", capabilities=frozenset())


@pytest.mark.parametrize(
    "operation",
    [operation for operation in all_operations() if isinstance(operation.access, Capability)],
    ids=lambda operation: operation.name,
)
async def test_a_caller_without_the_capability_gets_the_one_403_before_the_handler(operation: Operation) -> None:
    async def authenticate(_request: Request) -> Caller:
        return _without_capabilities()

    response = await serve_operation(_request(operation, b'{"not": valid json'), operation, authenticate)

    assert response.status_code == 403
    assert isinstance(operation.access, Capability)
    assert json.loads(bytes(response.body)) == {
        "error": {
            "message": f"The caller lacks the capability: {operation.access.value}.",
            "type": "permission_error",
            "code": "forbidden",
            "param": None,
        }
    }
    assert response.headers["x-request-id"]


SAMPLE = [
    ("POST", "/api/v1/chat/completions"),
    ("GET", "/api/v1/models"),
    ("POST", "/api/v1/moderations"),
    ("GET", "/api/v1/conversations"),
    ("PATCH", "/api/v1/conversations/conv_00000000000000000000000000000000"),
    ("POST", "/api/v1/responses"),
    ("PUT", "/api/v1/admin/capture"),
    ("GET", "/api/v1/me"),
    ("GET", "/api/openapi.json"),
    ("GET", "/api/queues.json"),
]


@pytest.mark.stack
def test_over_http_an_app_token_without_roles_gets_the_one_403_shape(http: httpx.Client) -> None:
    no_roles = bearer("t-ops", "app-ops", extra={"idtyp": "app"})
    shapes = set()
    for method, path in SAMPLE:
        response = http.request(method, path, headers=no_roles, json={"input": "hi"})
        assert response.status_code == 403, (method, path, response.text)
        error = response.json()["error"]
        assert error["message"].startswith("The caller lacks the capability: "), (method, path, error)
        shapes.add((error["type"], error["code"], error["param"], tuple(sorted(error))))
    assert shapes == {("permission_error", "forbidden", None, ("code", "message", "param", "type"))}


@pytest.mark.stack
def test_any_grant_lets_a_credential_describe_itself_and_the_api(http: httpx.Client) -> None:
    one_role = bearer("t-ops", "app-reader", extra={"idtyp": "app", "roles": ["Conversations.Read"]})
    me = http.get("/api/v1/me", headers=one_role)
    assert me.status_code == 200, me.text
    assert me.json()["capabilities"] == ["conversations.read", "describe"]
    assert http.get("/api/openapi.json", headers=one_role).status_code == 200
    assert http.get("/api/queues.json", headers=one_role).status_code == 200
    assert http.get("/api/v1/models", headers=one_role).status_code == 403
