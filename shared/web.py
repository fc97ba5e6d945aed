"""HTTP plumbing shared by every function: request ids, body limits, JSON, error rendering."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from fastapi import Request, Response
from pydantic import BaseModel, ValidationError

from shared.errors import ApiError, bad_request, internal_error, payload_too_large
from shared.identity.caller import Caller
from shared.telemetry.http import server_span

logger = logging.getLogger(__name__)

REQUEST_ID_HEADER = "x-request-id"
MAX_JSON_DEPTH = 32

M = TypeVar("M", bound=BaseModel)


@dataclass(slots=True)
class RequestContext:
    """What a handler gets: the raw request, its id and the authenticated caller."""

    request: Request
    request_id: str
    caller: Caller
    response_headers: dict[str, str] = field(default_factory=dict)

    def path_param(self, name: str) -> str:
        return str(self.request.path_params[name])

    def query(self, name: str) -> str | None:
        return self.request.query_params.get(name)


Handler = Callable[[RequestContext], Awaitable[Response | BaseModel | dict[str, Any]]]
Authenticate = Callable[[Request], Awaitable[Caller]]


def request_id_of(request: Request) -> str:
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    if 0 < len(incoming) <= 128 and incoming.isascii() and incoming.isprintable():
        return incoming
    return uuid.uuid4().hex


def json_response(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    if isinstance(payload, BaseModel):
        body = payload.model_dump_json(exclude_none=False).encode()
    else:
        body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    return Response(content=body, status_code=status, headers=headers, media_type="application/json")


def error_response(error: ApiError, request_id: str) -> Response:
    headers = {**error.headers, REQUEST_ID_HEADER: request_id}
    return json_response(error.body(), error.status, headers)


async def serve(request: Request, handler: Handler, authenticate: Authenticate | None) -> Response:
    """Run a handler with authentication, error mapping and the request id on every response."""
    request_id = request_id_of(request)
    with server_span(request, request_id) as observed:
        try:
            caller = await authenticate(request) if authenticate else Caller.anonymous()
            observed.caller(caller)
            context = RequestContext(request, request_id, caller)
            result = await handler(context)
            response = result if isinstance(result, Response) else json_response(result)
            response.headers.update(context.response_headers)
        except ApiError as error:
            response = error_response(error, request_id)
        except Exception:
            logger.exception("unhandled error", extra={"request_id": request_id})
            response = error_response(internal_error(request_id), request_id)
        response.headers[REQUEST_ID_HEADER] = request_id
        return observed.finish(response, request_id)


async def read_body(request: Request, max_bytes: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise bad_request("Content-Length is not a number.")
        if int(declared) > max_bytes:
            raise payload_too_large(f"Request body exceeds {max_bytes} bytes.")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise payload_too_large(f"Request body exceeds {max_bytes} bytes.")
        chunks.append(chunk)
    return b"".join(chunks)


def _depth(value: Any, limit: int) -> int:
    stack: list[tuple[Any, int]] = [(value, 1)]
    deepest = 0
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if deepest > limit:
            return deepest
        if isinstance(item, dict):
            stack.extend((child, level + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, level + 1) for child in item)
    return deepest


async def read_json(request: Request, max_bytes: int) -> Any:
    return decode_json(await read_body(request, max_bytes))


def decode_json(body: bytes) -> Any:
    """A request body as JSON: 400 when empty, malformed, or nested deeper than MAX_JSON_DEPTH."""
    if not body:
        raise bad_request("Request body must be JSON.", code="invalid_json")
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise bad_request("Request body is not valid JSON.", code="invalid_json") from None
    if _depth(payload, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
        raise bad_request(f"JSON nesting is deeper than {MAX_JSON_DEPTH}.", code="invalid_json")
    return payload


def parse_model(model: type[M], payload: Any) -> M:
    """Validate a JSON payload into a model; the first problem becomes a 400 naming the field."""
    try:
        return model.model_validate(payload)
    except ValidationError as error:
        problem = error.errors()[0]
        where = ".".join(str(part) for part in problem["loc"])
        message = f"{where}: {problem['msg']}" if where else problem["msg"]
        raise bad_request(message, param=where or None) from None
