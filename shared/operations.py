"""One HTTP operation, declared once: its route, its handler, who may call it and the models it speaks.

Each feature lists its operations in one `OPERATIONS` table (`shared/<feature>/routes.py`); the function
adapters, the access check, request parsing and the OpenAPI document are all driven from those tables,
so adding a route is one entry plus its handler.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal

from fastapi import Request, Response
from pydantic import BaseModel

from shared.clients import get_clients
from shared.identity.authorization import require
from shared.identity.caller import Capability
from shared.settings import Settings
from shared.web import Authenticate, RequestContext, decode_json, json_response, parse_model, read_body, serve

Method = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
Result = Response | BaseModel | dict[str, Any]
Handler = Callable[..., Awaitable[Result]]
"""`handler(context)`, or `handler(context, body)` when the operation takes a `request` body."""
BodyReader = Callable[[RequestContext, bytes], Awaitable[Any]]
"""Turns a body's bytes into its handler's typed input where validating the `request` model is not enough."""


class Access(StrEnum):
    """An operation that demands no capability: only the health probe."""

    PUBLIC = "public"
    """No credentials needed."""


def max_request_bytes(settings: Settings) -> int:
    return settings.max_request_bytes


@dataclass(frozen=True, slots=True)
class Operation:
    name: str
    """The function's name in the app; also the OpenAPI operationId."""
    method: Method
    path: str
    """The route under /api, as the Functions host matches it (`{name}` path parameters)."""
    handler: Handler
    access: Capability | Access
    summary: str
    request: type[BaseModel] | None = None
    """The body's model: documented, and validated into the handler's input unless `reader` is given."""
    reader: BodyReader | None = None
    body_limit: Callable[[Settings], int] = max_request_bytes
    query: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    """The success status; a handler that returns a model or dict is answered with it."""
    streaming: bool = False
    errors: tuple[int, ...] = ()
    tags: tuple[str, ...] = ()
    description: str = ""


def authorise(context: RequestContext, access: Capability | Access) -> None:
    """The one access check: 401 without a usable identity, 403 (one shape) without the capability."""
    if isinstance(access, Capability):
        require(context, access)


async def _read(operation: Operation, model: type[BaseModel], context: RequestContext) -> Any:
    body = await read_body(context.request, operation.body_limit((await get_clients()).settings))
    if operation.reader is not None:
        return await operation.reader(context, body)
    return parse_model(model, decode_json(body))


async def _run(operation: Operation, context: RequestContext) -> Result:
    authorise(context, operation.access)
    if operation.request is not None:
        result = await operation.handler(context, await _read(operation, operation.request, context))
    else:
        result = await operation.handler(context)
    if isinstance(result, Response) or operation.status == 200:
        return result
    return json_response(result, operation.status)


async def serve_operation(request: Request, operation: Operation, authenticate: Authenticate) -> Response:
    """Authenticate, authorise, parse the body, then run the handler, all through `serve`."""

    async def handle(context: RequestContext) -> Result:
        return await _run(operation, context)

    return await serve(request, handle, None if operation.access is Access.PUBLIC else authenticate)
