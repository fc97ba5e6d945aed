"""The OpenAPI 3.1 document, built from the operation tables (routes, access and pydantic models)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from shared.identity.caller import Capability
from shared.openapi_models import ERROR_DESCRIPTIONS, SECURITY_SCHEMES, ErrorResponse
from shared.operations import Access, Operation

ROUTE_PREFIX = "/api"
_PARAMETER = re.compile(r"\{(\*?)([A-Za-z_][A-Za-z0-9_]*)(?::([a-z]+))?(\?)?\}")
_CONSTRAINT_SCHEMAS: dict[str | None, dict[str, Any]] = {
    None: {"type": "string"},
    "guid": {"type": "string", "format": "uuid"},
    "int": {"type": "integer"},
    "alpha": {"type": "string", "pattern": "^[A-Za-z]+$"},
    "bool": {"type": "boolean"},
}


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
    if operation.access is not Access.PUBLIC:
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


def _operation_object(operation: Operation, schemas: _Schemas) -> dict[str, Any]:
    _path, parameters = _path_and_parameters(operation.path)
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
    document: dict[str, Any] = {
        "operationId": operation.name,
        "summary": operation.summary,
        "responses": {str(operation.status): success, **_error_responses(operation, bool(parameters), schemas)},
        "security": [] if operation.access is Access.PUBLIC else [{"bearer": []}, {"apiKey": []}],
    }
    capability = operation.access if isinstance(operation.access, Capability) else None
    if operation.description or capability:
        needs = f"\n\nRequires the `{capability.value}` capability." if capability else ""
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


def build_document(
    operations: Iterable[Operation], *, title: str = "Copilot Platform API", version: str = "0.1.0"
) -> dict[str, Any]:
    """The document of `operations`; two operations with one method and path are a programming error."""
    operations = list(operations)
    schemas = _Schemas()
    schemas.want(ErrorResponse, "serialization")
    for operation in operations:
        schemas.want(operation.request, "validation")
        schemas.want(operation.response, "serialization")
    schemas.build()
    paths: dict[str, dict[str, Any]] = {}
    for operation in operations:
        path, _parameters = _path_and_parameters(operation.path)
        methods = paths.setdefault(path, {})
        if operation.method.lower() in methods:
            raise ValueError(f"{operation.method} {path} is declared twice")
        methods[operation.method.lower()] = _operation_object(operation, schemas)
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
