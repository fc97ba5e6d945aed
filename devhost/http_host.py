"""An ASGI server for the app's HTTP functions, routed and authorised like the Functions host."""

from __future__ import annotations

import hmac
import json
import logging
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import azure.functions as func
from fastapi import Request
from starlette.responses import Response

from devhost.function_index import HttpFunction
from devhost.routes import RouteTemplate, sort_by_precedence

logger = logging.getLogger("devhost.http")

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


def _host_error(status: int, message: str, code: str) -> Response:
    body = {"error": {"message": message, "type": "invalid_request_error", "code": code, "param": None}}
    return Response(
        json.dumps(body),
        status_code=status,
        media_type="application/json",
        headers={"x-request-id": uuid.uuid4().hex},
    )


class FunctionKeys:
    """Function-level and admin-level keys, as `x-functions-key` or `?code=`."""

    def __init__(self, function_keys: set[str], master_key: str) -> None:
        self._function_keys = function_keys
        self._master_key = master_key

    def allows(self, auth_level: str, presented: str | None) -> bool:
        if auth_level == "ANONYMOUS":
            return True
        if not presented:
            return False
        if hmac.compare_digest(presented, self._master_key):
            return True
        return auth_level == "FUNCTION" and any(hmac.compare_digest(presented, k) for k in self._function_keys)


class HttpHost:
    def __init__(self, functions: list[HttpFunction], route_prefix: str, keys: FunctionKeys) -> None:
        routes = [(RouteTemplate(f"{route_prefix}/{f.route.template}"), f) for f in functions]
        self._routes = sort_by_precedence(routes)
        self._keys = keys

    def resolve(self, method: str, path: str) -> tuple[HttpFunction, dict[str, Any]] | None:
        parts = [part for part in path.split("/") if part]
        for template, function in self._routes:
            if method not in function.methods:
                continue
            params = template.match(parts)
            if params is not None:
                return function, params
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        found = self.resolve(scope["method"], scope["path"])
        if found is None:
            await _host_error(404, f"Unknown route: {scope['method']} {scope['path']}", "unknown_route")(
                scope, receive, send
            )
            return
        function, params = found
        scope["path_params"] = params
        request = Request(scope, receive)
        presented = request.headers.get("x-functions-key") or request.query_params.get("code")
        if not self._keys.allows(function.auth_level, presented):
            await _host_error(401, "A valid function key is required.", "function_key_required")(scope, receive, send)
            return
        try:
            response = await self._invoke(function, request, params)
        except Exception:
            logger.exception("function %s failed", function.name)
            response = _host_error(500, "The function failed.", "function_error")
        await response(scope, receive, send)

    async def _invoke(self, function: HttpFunction, request: Request, params: dict[str, Any]) -> Response:
        if function.wants_fastapi_request:
            result = await function.handler(**{function.arg_name: request})
            if not isinstance(result, Response):
                raise TypeError(f"{function.name} returned {type(result).__name__}, not a Response")
            return result
        legacy = func.HttpRequest(
            request.method,
            str(request.url),
            headers=dict(request.headers),
            params=dict(request.query_params),
            route_params={k: str(v) for k, v in params.items()},
            body=await request.body(),
        )
        outcome = function.handler(**{function.arg_name: legacy})
        if hasattr(outcome, "__await__"):
            outcome = await outcome
        return Response(
            outcome.get_body(),
            status_code=outcome.status_code,
            headers=dict(outcome.headers),
            media_type=outcome.mimetype,
        )

    @staticmethod
    async def _lifespan(receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
