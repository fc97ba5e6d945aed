"""The SERVER span and request metrics of `shared.web.serve`, through the dev host and directly."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
from fastapi import Request
from opentelemetry.trace import SpanKind
from starlette.responses import StreamingResponse

from shared.telemetry import attributes as attr
from shared.telemetry.metrics import HTTP_DURATION, HTTP_REQUESTS
from shared.telemetry.tracing import stage_span
from shared.web import RequestContext, serve
from tests.telemetry.telemetry_support import Telemetry, hex_trace

HEALTH = {
    attr.HTTP_REQUEST_METHOD: "GET",
    attr.HTTP_ROUTE: "/api/health",
    attr.HTTP_RESPONSE_STATUS_CODE: 200,
}


def _server_spans(telemetry: Telemetry, route: str) -> list:  # type: ignore[type-arg]
    return [
        span
        for span in telemetry.spans()
        if span.kind is SpanKind.SERVER and (span.attributes or {}).get(attr.HTTP_ROUTE) == route
    ]


def test_request_through_dev_host_yields_server_span_sdk_children_and_metrics(
    telemetry: Telemetry, http: httpx.Client
) -> None:
    before_count = telemetry.total(HTTP_REQUESTS, HEALTH)
    before_durations = telemetry.total(HTTP_DURATION, HEALTH)

    response = http.get("/api/health")

    assert response.status_code == 200
    request_id = response.headers["x-request-id"]
    (server,) = _server_spans(telemetry, "/api/health")
    assert server.name == "GET /api/health"
    assert server.attributes is not None
    assert server.attributes[attr.HTTP_RESPONSE_STATUS_CODE] == 200
    assert server.attributes[attr.REQUEST_ID] == request_id
    sdk_children = [
        span
        for span in telemetry.spans()
        if span.parent is not None and span.parent.span_id == server.context.span_id and span is not server
    ]
    assert sdk_children, "Cosmos and queue SDK calls should be child spans of the request"
    assert all(hex_trace(child) == hex_trace(server) for child in sdk_children)
    assert telemetry.total(HTTP_REQUESTS, HEALTH) == before_count + 1
    assert telemetry.total(HTTP_DURATION, HEALTH) == before_durations + 1
    (duration,) = [p for p in telemetry.points(HTTP_DURATION) if dict(p.attributes or {}) == HEALTH]
    assert duration.sum > 0  # type: ignore[union-attr]


def test_an_untrusted_callers_traceparent_is_linked_not_continued(telemetry: Telemetry, http: httpx.Client) -> None:
    trace_id, parent_id = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"

    response = http.get("/api/health", headers={"traceparent": f"00-{trace_id}-{parent_id}-01"})

    assert response.status_code == 200
    (server,) = _server_spans(telemetry, "/api/health")
    assert hex_trace(server) != trace_id and server.parent is None
    assert [(format(link.context.trace_id, "032x"), format(link.context.span_id, "016x")) for link in server.links] == [
        (trace_id, parent_id)
    ]


def test_unknown_route_is_recorded_by_its_template_not_its_path(telemetry: Telemetry, http: httpx.Client) -> None:
    labels = {attr.HTTP_ROUTE: "/api/{path}", attr.HTTP_RESPONSE_STATUS_CODE: 404}
    before = telemetry.total(HTTP_REQUESTS, labels)

    response = http.get("/api/no-such-thing/abc123")

    assert response.status_code == 404
    assert telemetry.total(HTTP_REQUESTS, labels) == before + 1
    (server,) = _server_spans(telemetry, "/api/{path}")
    assert "abc123" not in server.name


def _request(path: str) -> Request:
    scope = {
        "type": "http",
        "method": "POST",
        "path": path,
        "headers": [],
        "query_string": b"",
        "path_params": {},
    }
    return Request(scope)


async def _stream_handler(context: RequestContext) -> StreamingResponse:
    async def body() -> AsyncIterator[bytes]:
        for index in range(3):
            with stage_span("upstream.chunk", {attr.UPSTREAM_ATTEMPT: index}):
                yield f"data: {index}\n\n".encode()

    return StreamingResponse(body(), media_type="text/event-stream")


async def test_streamed_response_span_ends_with_the_body_and_parents_its_chunks(telemetry: Telemetry) -> None:
    labels = {attr.HTTP_ROUTE: "/api/v1/stream-test", attr.HTTP_RESPONSE_STATUS_CODE: 200}
    before = telemetry.total(HTTP_DURATION, labels)

    response = await serve(_request("/api/v1/stream-test"), _stream_handler, None)

    assert isinstance(response, StreamingResponse)
    assert _server_spans(telemetry, "/api/v1/stream-test") == [], "span must stay open while streaming"
    chunks = [chunk async for chunk in response.body_iterator]
    assert len(chunks) == 3
    (server,) = _server_spans(telemetry, "/api/v1/stream-test")
    children = telemetry.spans_named("upstream.chunk")
    assert len(children) == 3
    assert all(child.parent is not None and child.parent.span_id == server.context.span_id for child in children)
    assert telemetry.total(HTTP_DURATION, labels) == before + 1
    assert response.headers["x-request-id"] == (server.attributes or {})[attr.REQUEST_ID]
