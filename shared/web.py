"""HTTP plumbing shared by every function: request ids, body limits, JSON, error rendering."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from fastapi import Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ValidationError
from pydantic_core import PydanticSerializationError

from shared.errors import ApiError, bad_request, dependency_unavailable, internal_error, payload_too_large
from shared.identity.caller import Caller
from shared.telemetry.request_spans import server_span

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


class LeanStreamingResponse(StreamingResponse):
    """A StreamingResponse without starlette's per-response anyio task group: two plain asyncio tasks.

    On ASGI servers older than spec 2.4 (uvicorn, the Functions worker) a send after the client left
    does not fail, so the body is sent from one task while another listens for `http.disconnect`;
    whichever ends first stops the other. A disconnect cancels the body iterator, and with it the
    upstream request it relays. (Sending from the calling task with only a watcher task cost less CPU
    but added ~3-4 ms p50 at concurrency 16 in bench/gateway.py, so the body keeps its own task.)
    """

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        spec = scope.get("asgi", {}).get("spec_version", "2.0")
        if scope["type"] != "http" or tuple(map(int, spec.split("."))) >= (2, 4):
            await super().__call__(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        sending = loop.create_task(self.stream_response(send))
        listening = loop.create_task(_disconnected(receive))
        try:
            await asyncio.wait((sending, listening), return_when=asyncio.FIRST_COMPLETED)
        finally:
            listening.cancel()
            if not sending.done():
                sending.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await sending
        if not sending.cancelled():
            sending.result()  # re-raises what the body raised
        if self.background is not None:
            await self.background()


async def _disconnected(receive: Any) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


def _new_request_id() -> str:
    """32 hex digits like a uuid4's. It correlates logs and is no secret: no getrandom syscall per request
    (the module's generator is reseeded in forked children)."""
    return f"{random.getrandbits(128):032x}"


def request_id_of(request: Request) -> str:
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    if 0 < len(incoming) <= 128 and incoming.isascii() and incoming.isprintable():
        return incoming
    return _new_request_id()


def _json_bytes(payload: Any) -> bytes:
    try:
        return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    except UnicodeEncodeError:  # a lone surrogate stored before bodies were checked: escape it, don't fail
        return json.dumps(payload, separators=(",", ":"), default=str).encode()


def json_response(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    if isinstance(payload, BaseModel):
        try:
            body = payload.model_dump_json(exclude_none=False).encode()
        except PydanticSerializationError:
            body = _json_bytes(payload.model_dump(mode="python", exclude_none=False))
    else:
        body = _json_bytes(payload)
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
        except Exception as error:
            failure = dependency_unavailable(error)
            if failure is None:
                logger.exception("unhandled error", extra={"request_id": request_id})
                failure = internal_error(request_id)
            else:
                logger.warning("dependency unavailable: %r", error, extra={"request_id": request_id})
            response = error_response(failure, request_id)
        response.headers[REQUEST_ID_HEADER] = request_id
        return observed.finish(response, request_id)


async def read_body(request: Request, max_bytes: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None:
        if not (declared.isascii() and declared.isdigit()):
            raise bad_request("Content-Length is not a number.")
        if len(declared) > len(str(max_bytes)) or int(declared) > max_bytes:
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
    """The nesting depth of decoded JSON (a scalar counts as a level), or the first depth found above `limit`."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    deepest = 0
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            children = ()
        below = level
        for child in children:
            if isinstance(child, dict | list):
                stack.append((child, level + 1))
            else:
                below = level + 1
        deepest = max(deepest, below)
        if deepest > limit:
            return deepest
    return deepest


def _may_nest_deeper_than(body: bytes, limit: int) -> bool:
    """False when the body has too few brackets to nest past `limit` (a C-speed count instead of a walk)."""
    return body.count(b"[") + body.count(b"{") >= limit


class _DuplicateKey(ValueError):
    pass


def _unique_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """One JSON object; a repeated key is refused, since parsers disagree on which value wins."""
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return obj


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def has_lone_surrogate(value: Any) -> bool:
    """Whether decoded JSON holds a surrogate that pairs with nothing (it cannot be encoded as UTF-8)."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def decode_json(body: bytes) -> Any:
    """A request body as JSON, exactly as every later reader will see it.

    400 when empty, not strict UTF-8 (UTF-16/32 and a BOM included), malformed, holding a repeated
    object key, NaN/Infinity, a lone surrogate escape, or nested deeper than MAX_JSON_DEPTH.
    """
    if not body:
        raise bad_request("Request body must be JSON.", code="invalid_json")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise bad_request("Request body must be UTF-8 encoded JSON.", code="invalid_encoding") from None
    try:
        payload = json.loads(text, object_pairs_hook=_unique_object, parse_constant=_no_constant)
    except _DuplicateKey as duplicate:
        raise bad_request(f"Duplicate key {str(duplicate)!a} in a JSON object.", code="duplicate_key") from None
    except (json.JSONDecodeError, ValueError, RecursionError):
        raise bad_request("Request body is not valid JSON.", code="invalid_json") from None
    if _may_nest_deeper_than(body, MAX_JSON_DEPTH) and _depth(payload, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
        raise bad_request(f"JSON nesting is deeper than {MAX_JSON_DEPTH}.", code="invalid_json")
    if "\\u" in text and has_lone_surrogate(payload):
        raise bad_request("Request body holds an unpaired UTF-16 surrogate escape.", code="invalid_unicode")
    return payload


def bounded_int(raw: str, low: int, high: int) -> int | None:
    """`raw` as an integer from `low` to `high` written in ASCII digits, else None (never an exception)."""
    if not (0 < len(raw) <= len(str(high)) and raw.isascii() and raw.isdigit()):
        return None
    value = int(raw)
    return value if low <= value <= high else None


def parse_model(model: type[M], payload: Any) -> M:
    """Validate a JSON payload into a model; the first problem becomes a 400 naming the field."""
    try:
        return model.model_validate(payload)
    except ValidationError as error:
        problem = error.errors()[0]
        where = ".".join(str(part) for part in problem["loc"])
        message = f"{where}: {problem['msg']}" if where else problem["msg"]
        raise bad_request(message, param=where or None) from None
