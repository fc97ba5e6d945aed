"""The SERVER span and request metrics around one HTTP invocation, kept to a few microseconds.

A streamed response outlives the handler: its span and duration end with the last byte, and each
chunk is produced with the request's span and request id current, so upstream spans stay children.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterable, AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import Request, Response
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import Link, Span, SpanKind, Status, StatusCode
from starlette.responses import StreamingResponse

from shared.identity.caller import Caller
from shared.telemetry import attributes as attr
from shared.telemetry.logging import request_id_var
from shared.telemetry.metrics import record_http_request
from shared.telemetry.tracing import context_from, tracer

MAX_ROUTE_CHARS = 128


def route_of(request: Request) -> str:
    """The route template (`/api/v1/conversations/{id}`): path parameter values become their names."""
    path: str = request.scope.get("path", "")
    params: dict[str, Any] = request.scope.get("path_params") or {}
    for name, value in sorted(params.items(), key=lambda item: -len(str(item[1]))):
        text = str(value)
        if text:
            path = path.replace(text, "{" + name + "}", 1)
    return path[:MAX_ROUTE_CHARS]


class ObservedRequest:
    def __init__(self, span: Span, method: str, route: str) -> None:
        self.span = span
        self.method = method
        self.route = route
        self.started = time.perf_counter()
        self.status = 500
        self.deferred = False

    def caller(self, caller: Caller) -> None:
        if self.span.is_recording():
            self.span.set_attribute(attr.CALLER_KIND, caller.kind.value)
            if caller.tenant_id:
                self.span.set_attribute(attr.TENANT_HASH, caller.tenant_hash)

    def finish(self, response: Response, request_id: str) -> Response:
        """Note the status; a streamed body ends the span when it is fully sent (or abandoned)."""
        self.status = response.status_code
        if isinstance(response, StreamingResponse):
            self.deferred = True
            response.body_iterator = self._traced_body(response.body_iterator, request_id)
        return response

    def end(self) -> None:
        duration_ms = (time.perf_counter() - self.started) * 1000
        record_http_request(self.method, self.route, self.status, duration_ms)
        if self.span.is_recording():
            self.span.set_attribute(attr.HTTP_RESPONSE_STATUS_CODE, self.status)
            if self.status >= 500:
                self.span.set_status(Status(StatusCode.ERROR))
        self.span.end()

    async def _traced_body(self, body: AsyncIterable[Any], request_id: str) -> AsyncIterator[Any]:
        chunks = aiter(body)
        try:
            while True:
                span_token = otel_context.attach(trace.set_span_in_context(self.span))
                request_token = request_id_var.set(request_id)
                try:
                    chunk = await anext(chunks)
                except StopAsyncIteration:
                    break
                finally:
                    request_id_var.reset(request_token)
                    otel_context.detach(span_token)
                yield chunk
        finally:
            self.end()


_trusted = False


def trust_incoming_trace_context(trusted: bool) -> None:
    """TRACE_CONTEXT_TRUST: whether callers' `traceparent` is continued (`all`) or only linked (`none`)."""
    global _trusted
    _trusted = trusted


def _parent_and_links(request: Request) -> tuple[otel_context.Context | None, list[Link]]:
    """Where the SERVER span belongs.

    Trusted (TRACE_CONTEXT_TRUST=all): under the caller's span, in its trace. Otherwise a new trace of
    our own, with a span link to the caller's span, so a caller can neither sample our traces in or out
    nor splice its spans into them. A malformed `traceparent` is ignored. When the Functions worker has
    made the host's invocation context current, the span is its child, unless the host joined an
    untrusted caller's trace: then it starts a new trace linked to both.
    """
    invocation = trace.get_current_span().get_span_context()
    incoming = context_from(request.headers) if "traceparent" in request.headers else None
    if incoming is None or _trusted:
        return (None if invocation.is_valid else incoming), []
    caller = trace.get_current_span(incoming).get_span_context()
    if not invocation.is_valid:
        return otel_context.Context(), [Link(caller)]
    if invocation.trace_id == caller.trace_id:
        return otel_context.Context(), [Link(invocation), Link(caller)]
    return None, [Link(caller)]


@contextmanager
def server_span(request: Request, request_id: str) -> Iterator[ObservedRequest]:
    """The request's SERVER span, placed by the trace-context policy (`_parent_and_links`)."""
    method: str = request.scope.get("method", "GET")
    route = route_of(request)
    parent, links = _parent_and_links(request)
    span = tracer.start_span(
        f"{method} {route}",
        context=parent,
        kind=SpanKind.SERVER,
        attributes={attr.HTTP_REQUEST_METHOD: method, attr.HTTP_ROUTE: route, attr.REQUEST_ID: request_id},
        links=links,
    )
    observed = ObservedRequest(span, method, route)
    span_token = otel_context.attach(trace.set_span_in_context(span))
    request_token = request_id_var.set(request_id)
    try:
        yield observed
    finally:
        request_id_var.reset(request_token)
        otel_context.detach(span_token)
        if not observed.deferred:
            observed.end()
