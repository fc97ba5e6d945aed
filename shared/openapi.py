"""The OpenAPI 3.1 document: every HTTP function the app registers, described by pydantic models.

Routes and methods come from the function app itself; request, query and response models come from a
registry that feature modules fill with one `register_operation(...)` call per route and method.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from shared.identity.caller import Capability
from shared.openapi_models import ERROR_DESCRIPTIONS, SECURITY_SCHEMES, ErrorResponse

ROUTE_PREFIX = "/api"
_PARAMETER = re.compile(r"\{(\*?)([A-Za-z_][A-Za-z0-9_]*)(?::([a-z]+))?(\?)?\}")
_CONSTRAINT_SCHEMAS: dict[str | None, dict[str, Any]] = {
    None: {"type": "string"},
    "guid": {"type": "string", "format": "uuid"},
    "int": {"type": "integer"},
    "alpha": {"type": "string", "pattern": "^[A-Za-z]+$"},
    "bool": {"type": "boolean"},
}
_DOCUMENTED_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


@dataclass(frozen=True)
class Operation:
    method: str
    route: str
    summary: str
    response: type[BaseModel] | None = None
    status: int | Literal["2XX"] = 200
    request: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    capability: Capability | None = None
    authenticated: bool = True
    streaming: bool = False
    tags: tuple[str, ...] = ()
    description: str = ""
    errors: tuple[int, ...] = ()


@dataclass(frozen=True)
class HttpRoute:
    route: str
    methods: frozenset[str]
    function_name: str


_registry: dict[tuple[str, str], Operation] = {}


def _route_key(route: str) -> str:
    return _PARAMETER.sub(lambda match: "{" + match.group(2) + "}", route.strip("/")).lower()


def register_operation(
    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"],
    route: str,
    *,
    summary: str,
    response: type[BaseModel] | None = None,
    status: int = 200,
    request: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    capability: Capability | None = None,
    authenticated: bool = True,
    streaming: bool = False,
    tags: Iterable[str] = (),
    description: str = "",
    errors: Iterable[int] = (),
) -> Operation:
    """Describe one route and method (`route` exactly as given to `@bp.route`). Call once at import."""
    operation = Operation(
        method.upper(),
        route.strip("/"),
        summary,
        response,
        status,
        request,
        query,
        capability,
        authenticated,
        streaming,
        tuple(tags),
        description,
        tuple(errors),
    )
    _registry[(operation.method, _route_key(route))] = operation
    return operation


def http_routes(app: Any) -> list[HttpRoute]:
    """HTTP-triggered functions of a `func.FunctionApp`, read through `get_functions()`."""
    routes: list[HttpRoute] = []
    # The host has already indexed the app, and get_functions() refuses to index it twice by
    # recording names in `functions_bindings`; read it with a fresh record and keep the host's.
    recorded = app.functions_bindings
    app.functions_bindings = {}
    try:
        functions = app.get_functions()
    finally:
        app.functions_bindings = recorded
    for function in functions:
        for raw in function.get_raw_bindings():
            binding = json.loads(raw)
            if binding.get("type") == "httpTrigger":
                methods = frozenset(m.upper() for m in binding.get("methods") or _DOCUMENTED_METHODS)
                name = function.get_function_name()
                routes.append(HttpRoute(str(binding.get("route") or name), methods, name))
    return routes


def _path_and_parameters(route: str) -> tuple[str, list[dict[str, Any]]]:
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": dict(_CONSTRAINT_SCHEMAS.get(constraint, {}))}
        for _star, name, constraint, _optional in _PARAMETER.findall(route)
    ]
    path = _PARAMETER.sub(lambda match: "{" + match.group(2) + "}", route.strip("/"))
    return f"{ROUTE_PREFIX}/{path}", parameters


def _query_parameters(model: type[BaseModel], schema: dict[str, Any]) -> list[dict[str, Any]]:
    properties = schema.get("properties", {})
    required = set(schema.get("required", []))
    return [
        {
            "name": field_info.alias or name,
            "in": "query",
            "required": (field_info.alias or name) in required,
            "schema": properties.get(field_info.alias or name, {}),
            **({"description": field_info.description} if field_info.description else {}),
        }
        for name, field_info in model.model_fields.items()
    ]


@dataclass
class _Schemas:
    wanted: list[tuple[type[BaseModel], JsonSchemaMode]] = field(default_factory=list)
    refs: dict[tuple[Any, JsonSchemaMode], Any] = field(default_factory=dict)
    components: dict[str, Any] = field(default_factory=dict)

    def want(self, model: type[BaseModel] | None, mode: JsonSchemaMode) -> None:
        if model is not None and (model, mode) not in self.wanted:
            self.wanted.append((model, mode))

    def build(self) -> None:
        refs, definitions = models_json_schema(self.wanted, ref_template="#/components/schemas/{model}")
        self.refs = dict(refs)
        self.components = dict(definitions.get("$defs", {}))

    def ref(self, model: type[BaseModel], mode: JsonSchemaMode) -> Any:
        return self.refs[(model, mode)]

    def inline(self, model: type[BaseModel]) -> dict[str, Any]:
        return model.model_json_schema(mode="validation")


def _error_responses(operation: Operation, has_path_params: bool, schemas: _Schemas) -> dict[str, Any]:
    codes = set(operation.errors) | {500}
    if operation.authenticated:
        codes |= {401, 403, 503}
    if operation.request is not None or operation.query is not None:
        codes.add(400)
    if operation.request is not None:
        codes.add(413)
    if has_path_params:
        codes.add(404)
    content = {"application/json": {"schema": schemas.ref(ErrorResponse, "serialization")}}
    return {
        str(code): {
            "description": ERROR_DESCRIPTIONS.get(code, "Error."),
            "content": content,
            "headers": {"x-request-id": {"$ref": "#/components/headers/RequestId"}},
        }
        for code in sorted(codes)
    }


def _operation_object(operation: Operation, route: HttpRoute, schemas: _Schemas) -> dict[str, Any]:
    _path, parameters = _path_and_parameters(route.route)
    if operation.query is not None:
        parameters += _query_parameters(operation.query, schemas.inline(operation.query))
    success: dict[str, Any] = {
        "description": operation.summary,
        "headers": {"x-request-id": {"$ref": "#/components/headers/RequestId"}},
    }
    if operation.response is not None:
        success["content"] = {"application/json": {"schema": schemas.ref(operation.response, "serialization")}}
    if operation.streaming:
        success.setdefault("content", {})["text/event-stream"] = {"schema": {"type": "string"}}
    several = len(route.methods & set(_DOCUMENTED_METHODS)) > 1
    document: dict[str, Any] = {
        "operationId": f"{route.function_name}_{operation.method.lower()}" if several else route.function_name,
        "summary": operation.summary,
        "responses": {str(operation.status): success, **_error_responses(operation, bool(parameters), schemas)},
        "security": [{"bearer": []}, {"apiKey": []}] if operation.authenticated else [],
    }
    if operation.description or operation.capability:
        needs = f"\n\nRequires the `{operation.capability.value}` capability." if operation.capability else ""
        document["description"] = operation.description + needs
    if operation.tags:
        document["tags"] = list(operation.tags)
    if parameters:
        document["parameters"] = parameters
    if operation.request is not None:
        document["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": schemas.ref(operation.request, "validation")}},
        }
    return document


def _undescribed(method: str, route: HttpRoute) -> Operation:
    """A route no feature described: listed, with every error it might answer."""
    return Operation(
        method,
        route.route,
        route.function_name,
        status="2XX",
        errors=(400, 404, 409, 412, 413, 429),
        description="Not yet described by its feature module.",
    )


def _operations_of(routes: Iterable[HttpRoute]) -> list[tuple[HttpRoute, Operation]]:
    found: list[tuple[HttpRoute, Operation]] = []
    for route in routes:
        if route.route.startswith("{*"):
            continue  # the catch-all that answers unknown routes
        for method in _DOCUMENTED_METHODS:
            if method not in route.methods:
                continue
            registered = _registry.get((method, _route_key(route.route)))
            found.append((route, registered or _undescribed(method, route)))
    return found


def build_document(
    routes: Iterable[HttpRoute], *, title: str = "Copilot Platform API", version: str = "0.1.0"
) -> dict[str, Any]:
    operations = _operations_of(routes)
    schemas = _Schemas()
    schemas.want(ErrorResponse, "serialization")
    for _route, operation in operations:
        schemas.want(operation.request, "validation")
        schemas.want(operation.response, "serialization")
    schemas.build()
    paths: dict[str, dict[str, Any]] = {}
    for route, operation in operations:
        path, _parameters = _path_and_parameters(route.route)
        paths.setdefault(path, {})[operation.method.lower()] = _operation_object(operation, route, schemas)
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": schemas.components,
            "securitySchemes": SECURITY_SCHEMES,
            "headers": {
                "RequestId": {"description": "Correlates the response with logs.", "schema": {"type": "string"}}
            },
        },
    }
