"""GET /api/openapi.json, and the list of every feature's operation table the document is built from."""

from __future__ import annotations

from functools import cache
from typing import Any

from fastapi import Response
from pydantic import BaseModel

from shared import health_routes
from shared.admin import routes as admin
from shared.clients import get_clients
from shared.conversations import routes as conversations
from shared.gateway import routes as gateway
from shared.identity import routes as identity
from shared.identity.caller import Capability
from shared.moderation import routes as moderation
from shared.openapi import build_document
from shared.operations import Operation
from shared.queues import routes as queues
from shared.responses import routes as responses
from shared.web import RequestContext, json_response


class OpenApiDocument(BaseModel):
    openapi: str
    info: dict[str, Any]
    paths: dict[str, Any]
    components: dict[str, Any]


async def get_openapi(context: RequestContext) -> Response:
    clients = await get_clients()
    return json_response(openapi_document(clients.settings.app_version))


OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "get_openapi",
        "GET",
        "openapi.json",
        get_openapi,
        Capability.DESCRIBE,
        "This OpenAPI 3.1 document",
        response=OpenApiDocument,
        tags=("platform",),
    ),
)

TABLES: tuple[tuple[Operation, ...], ...] = (
    health_routes.OPERATIONS,
    identity.OPERATIONS,
    gateway.OPERATIONS,
    OPERATIONS,
    queues.OPERATIONS,
    conversations.OPERATIONS,
    moderation.OPERATIONS,
    responses.OPERATIONS,
    admin.OPERATIONS,
)
"""Every HTTP operation of the app, feature by feature; `function_app` registers exactly these."""


def all_operations() -> tuple[Operation, ...]:
    return tuple(operation for table in TABLES for operation in table)


@cache
def openapi_document(version: str) -> dict[str, Any]:
    """Built once per process: the tables do not change while it runs (callers must not change it)."""
    return build_document(all_operations(), version=version)
