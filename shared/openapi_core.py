"""OpenAPI descriptions of the platform's own routes: health, the caller, and the document itself."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

from shared.identity.models import CallerView
from shared.openapi import build_document, http_routes, register_operation


class DependencyHealth(BaseModel):
    name: str
    status: Literal["ok", "failed"]
    latency_ms: float
    error: str | None = None


class HealthReport(BaseModel):
    status: Literal["ok", "failed"]
    version: str
    dependencies: list[DependencyHealth]


class OpenApiDocument(BaseModel):
    openapi: str
    info: dict[str, Any]
    paths: dict[str, Any]
    components: dict[str, Any]


register_operation(
    "GET",
    "health",
    summary="Health of the app and its dependencies",
    response=HealthReport,
    authenticated=False,
    errors=(503,),
    tags=("platform",),
    description="Answers 503 with the same body when a dependency fails. Needs no credentials.",
)
register_operation(
    "GET",
    "v1/me",
    summary="The authenticated caller",
    response=CallerView,
    tags=("identity",),
)
register_operation(
    "GET",
    "openapi.json",
    summary="This OpenAPI 3.1 document",
    response=OpenApiDocument,
    tags=("platform",),
)


class AsyncApiDocument(BaseModel):
    asyncapi: str
    info: dict[str, Any]
    channels: dict[str, Any]
    operations: dict[str, Any]
    components: dict[str, Any]


register_operation(
    "GET",
    "queues.json",
    summary="The queues' AsyncAPI 3 document: envelope, payload and result schemas, with an example each",
    response=AsyncApiDocument,
    tags=("platform",),
    description="Generated from the models the queue consumers validate with; see docs/queues.md.",
)


_documents: dict[int, dict[str, Any]] = {}


def openapi_document(app: Any, version: str) -> dict[str, Any]:
    """The document for a function app, built once per process (routes do not change while running)."""
    key = id(app)
    if key not in _documents:
        _documents[key] = build_document(http_routes(app), version=version)
    return _documents[key]
