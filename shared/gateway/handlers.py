"""HTTP handlers of the gateway (OpenAI and Azure OpenAI shapes, models, usage), run through `serve`."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from typing import TypeVar

from fastapi import Request, Response

from shared.clients import get_clients
from shared.errors import ApiError, bad_request
from shared.gateway.models import ModelCard, ModelList, UsageList
from shared.gateway.request import CompletionRequest, read_completion_request
from shared.gateway.service import CONVERSATION_HEADER, CompletionResponse
from shared.gateway.usage import MAX_USAGE_DAYS
from shared.gateway.wiring import get_completion_service
from shared.web import LeanStreamingResponse, RequestContext, bounded_int

DEFAULT_USAGE_DAYS = 30

T = TypeVar("T")


async def _until_disconnected(request: Request) -> None:
    # The body has been read, so the next ASGI message is the disconnect, whenever it comes.
    while (await request.receive())["type"] != "http.disconnect":
        pass


async def cancel_on_disconnect(request: Request, work: Awaitable[T]) -> T:
    """Run `work`, cancelling it (and so the upstream call) if the client disconnects first."""
    task = asyncio.ensure_future(work)
    watcher = asyncio.ensure_future(_until_disconnected(request))
    try:
        await asyncio.wait({task, watcher}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        watcher.cancel()
    if not task.done():
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        # Nobody reads this answer; 499 keeps it out of the error logs and the 5xx metrics.
        raise ApiError(499, "The client closed the request.", code="client_closed_request")
    return task.result()


def extensions_enabled(tenant_id: str, setting: str) -> bool:
    return tenant_id in {tenant.strip() for tenant in setting.split(",") if tenant.strip()}


async def _read(context: RequestContext, body: bytes, alias: str | None) -> CompletionRequest:
    settings = (await get_clients()).settings
    extensions = alias is not None and extensions_enabled(context.caller.tenant_id, settings.azure_extensions_tenants)
    request = await read_completion_request(body, alias, context.request_id, extensions=extensions)
    request.conversation = context.request.headers.get(CONVERSATION_HEADER)
    return request


async def read_chat_request(context: RequestContext, body: bytes) -> CompletionRequest:
    """The OpenAI route's body: `model` names a configured alias."""
    return await _read(context, body, None)


async def read_azure_chat_request(context: RequestContext, body: bytes) -> CompletionRequest:
    """The Azure route's body: the `deployment` path parameter names the alias; `api-version` is required."""
    if not context.query("api-version"):
        raise bad_request("The api-version query parameter is required.", param="api-version")
    return await _read(context, body, context.path_param("deployment"))


async def complete(context: RequestContext, request: CompletionRequest) -> Response:
    """POST a chat completion, either shape: cancelled (and so its upstream call) if the client leaves."""
    service = await get_completion_service()
    return to_response(await cancel_on_disconnect(context.request, service.complete(context.caller, request)))


def to_response(result: CompletionResponse) -> Response:
    if result.stream is not None:
        return LeanStreamingResponse(result.stream, result.status, result.headers, media_type=result.content_type)
    return Response(result.body, result.status, result.headers, media_type=result.content_type)


async def list_models(context: RequestContext) -> ModelList:
    """GET /api/v1/models: the configured aliases in the OpenAI list shape."""
    service = await get_completion_service()
    created = int(time.time())
    return ModelList(data=[ModelCard(id=alias, created=created) for alias in service.pool.aliases])


async def get_usage(context: RequestContext) -> UsageList:
    """GET /api/v1/usage[?days=N]: the caller's tokens per UTC day and model, newest first."""
    raw = context.query("days")
    days = DEFAULT_USAGE_DAYS
    if raw is not None:
        parsed = bounded_int(raw, 1, MAX_USAGE_DAYS)
        if parsed is None:
            raise bad_request(f"days must be an integer from 1 to {MAX_USAGE_DAYS}.", param="days")
        days = parsed
    service = await get_completion_service()
    return await service.usage.usage_of(context.caller, days)
