"""GET /api/health: the app and its dependencies; failure details only for a caller with valid credentials."""

from __future__ import annotations

from typing import Literal

from fastapi import Response
from pydantic import BaseModel

from shared.clients import get_clients
from shared.dependencies import authenticate
from shared.errors import ApiError
from shared.health import anonymous_view, check_health
from shared.operations import Access, Operation
from shared.web import RequestContext, json_response


class DependencyHealth(BaseModel):
    name: str
    status: Literal["ok", "failed"]
    latency_ms: float
    error: str | None = None


class HealthReport(BaseModel):
    status: Literal["ok", "failed"]
    version: str
    dependencies: list[DependencyHealth]


async def get_health(context: RequestContext) -> Response:
    healthy, report = await check_health(await get_clients())
    if not await _authenticated(context):
        report = anonymous_view(report)
    return json_response(report, 200 if healthy else 503, {"Cache-Control": "no-store"})


async def _authenticated(context: RequestContext) -> bool:
    """A probe without credentials gets statuses; only a caller with valid ones sees why a dependency failed."""
    if not (context.request.headers.get("authorization") or context.request.headers.get("api-key")):
        return False
    try:
        await authenticate(context.request)
    except ApiError:
        return False
    return True


OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "health",
        "GET",
        "health",
        get_health,
        Access.PUBLIC,
        "Health of the app and its dependencies",
        response=HealthReport,
        errors=(503,),
        tags=("platform",),
        description="Answers 503 with the same body when a dependency fails. Needs no credentials.",
    ),
)
