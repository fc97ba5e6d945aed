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
from shared.web import Authenticate, RequestContext, json_response, parse_model, read_json, serve

Method = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
Result = Response | BaseModel | dict[str, Any]
Handler = Callable[..., Awaitable[Result]]
"""`handler(context)`, or `handler(context, body)` when the operation parses a `request` model."""


class Access(StrEnum):
    """Who may call an operation that demands no capability."""

    PUBLIC = "public"
    """No credentials needed (health probes)."""
    AUTHENTICATED = "authenticated"
    """Any valid credential, whatever its capabilities (the caller itself, the API's own documents)."""


class Body(StrEnum):
    PARSED = "parsed"
    """`serve` validates the body into the `request` model and hands the model to the handler."""
    RAW = "raw"
    """The handler reads the body itself (it forwards the exact bytes); `request` only documents it."""


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
    body: Body = Body.PARSED
    body_limit: Callable[[Settings], int] = max_request_bytes
    query: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    """The success status; a handler that returns a model or dict is answered with it."""
    streaming: bool = False
    errors: tuple[int, ...] = ()
    tags: tuple[str, ...] = ()
    description: str = ""

    @property
    def parses_body(self) -> bool:
        return self.request is not None and self.body is Body.PARSED


def authorise(context: RequestContext, access: Capability | Access) -> None:
    """The one access check: 401 without a usable identity, 403 (one shape) without the capability."""
    if access is Access.PUBLIC:
        return
    if isinstance(access, Capability):
        require(context, access)
    else:
        require(context)


async def _run(operation: Operation, context: RequestContext) -> Result:
    authorise(context, operation.access)
    if operation.request is not None and operation.parses_body:
        limit = operation.body_limit((await get_clients()).settings)
        body = parse_model(operation.request, await read_json(context.request, limit))
        result = await operation.handler(context, body)
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
