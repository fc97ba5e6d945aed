"""The trace-context policy for incoming requests, and whole-trace sampling.

Trusted callers (TRACE_CONTEXT_TRUST=all) continue their trace; others get a trace of ours linked to
theirs. Neither an unsampled nor a malformed `traceparent` turns our spans off. The sampler decides
once per trace, at its root; children and the queue consumer follow.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pytest
from fastapi import Request
from opentelemetry import context as context_api
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import Decision, Sampler, SamplingResult
from opentelemetry.trace import Link, SpanKind
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from opentelemetry.util.types import Attributes

from shared.telemetry import attributes as attr
from shared.telemetry import request_spans as telemetry_http
from shared.telemetry.sampling import SAMPLE_RATE_ATTRIBUTE, WholeTraceSampler
from shared.web import RequestContext, serve
from tests.telemetry.telemetry_support import Telemetry, hex_trace

CALLER_TRACE, CALLER_SPAN = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
SAMPLED = f"00-{CALLER_TRACE}-{CALLER_SPAN}-01"
UNSAMPLED = f"00-{CALLER_TRACE}-{CALLER_SPAN}-00"
MALFORMED = ["garbage", f"00-{CALLER_TRACE}-{CALLER_SPAN}", f"00-{'0' * 32}-{CALLER_SPAN}-01", f"zz-{CALLER_TRACE}"]


@pytest.fixture
def trusted() -> Iterator[None]:
    telemetry_http.trust_incoming_trace_context(True)
    try:
        yield
    finally:
        telemetry_http.trust_incoming_trace_context(False)


def _request(path: str, traceparent: str | None) -> Request:
    headers = [(b"traceparent", traceparent.encode())] if traceparent is not None else []
    scope = {"type": "http", "method": "GET", "path": path, "headers": headers, "query_string": b"", "path_params": {}}
    return Request(scope)


async def _handler(context: RequestContext) -> dict[str, str]:
    return {"ok": "yes"}


async def _served(telemetry: Telemetry, path: str, traceparent: str | None):  # type: ignore[no-untyped-def]
    response = await serve(_request(path, traceparent), _handler, None)
    assert response.status_code == 200
    (server,) = [
        span
        for span in telemetry.spans()
        if span.kind is SpanKind.SERVER and (span.attributes or {}).get(attr.HTTP_ROUTE) == path
    ]
    return server


def _linked(span) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(format(link.context.trace_id, "032x"), format(link.context.span_id, "016x")) for link in span.links]


@pytest.mark.parametrize("traceparent", [SAMPLED, UNSAMPLED], ids=["sampled", "unsampled"])
async def test_untrusted_callers_get_a_trace_of_ours_linked_to_theirs(telemetry: Telemetry, traceparent: str) -> None:
    server = await _served(telemetry, "/api/policy-untrusted", traceparent)

    assert server.context.trace_flags.sampled, "the caller's flag neither samples us in nor out"
    assert hex_trace(server) != CALLER_TRACE and server.parent is None
    assert _linked(server) == [(CALLER_TRACE, CALLER_SPAN)]


async def test_trusted_sampled_caller_continues_its_trace(telemetry: Telemetry, trusted: None) -> None:
    server = await _served(telemetry, "/api/policy-trusted-sampled", SAMPLED)

    assert hex_trace(server) == CALLER_TRACE
    assert server.parent is not None and format(server.parent.span_id, "016x") == CALLER_SPAN
    assert server.links == ()


async def test_trusted_unsampled_caller_continues_its_trace_without_turning_our_spans_off(
    telemetry: Telemetry, trusted: None
) -> None:
    server = await _served(telemetry, "/api/policy-trusted-unsampled", UNSAMPLED)

    assert hex_trace(server) == CALLER_TRACE
    assert server.parent is not None and format(server.parent.span_id, "016x") == CALLER_SPAN
    assert server.context.trace_flags.sampled


@pytest.mark.parametrize("traceparent", MALFORMED)
@pytest.mark.parametrize("trust", [False, True], ids=["untrusted", "trusted"])
async def test_a_malformed_traceparent_is_ignored(telemetry: Telemetry, traceparent: str, trust: bool) -> None:
    telemetry_http.trust_incoming_trace_context(trust)
    try:
        server = await _served(telemetry, "/api/policy-malformed", traceparent)
    finally:
        telemetry_http.trust_incoming_trace_context(False)

    assert server.context.trace_flags.sampled and server.parent is None and server.links == ()
    assert hex_trace(server) != CALLER_TRACE


class EveryOther(Sampler):
    """A root sampler that keeps every second trace it is asked about, and counts the questions."""

    def __init__(self) -> None:
        self.asked = 0

    def should_sample(
        self,
        parent_context: Context | None,
        trace_id: int,
        name: str,
        kind: SpanKind | None = None,
        attributes: Attributes = None,
        links: Sequence[Link] | None = None,
        trace_state: object = None,
    ) -> SamplingResult:
        self.asked += 1
        keep = self.asked % 2 == 1
        return SamplingResult(
            Decision.RECORD_AND_SAMPLE if keep else Decision.DROP, {SAMPLE_RATE_ATTRIBUTE: 50.0} if keep else None
        )

    def get_description(self) -> str:
        return "EveryOther"


def test_the_sampler_keeps_whole_traces_across_children_and_the_queue_hop() -> None:
    root = EveryOther()
    exporter = InMemorySpanExporter()
    provider = TracerProvider(sampler=WholeTraceSampler(root))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("test")
    w3c = TraceContextTextMapPropagator()
    traces = 10

    for number in range(traces):
        carrier: dict[str, str] = {}
        with tracer.start_as_current_span(f"request {number}", kind=SpanKind.SERVER):
            with tracer.start_as_current_span("moderation"), tracer.start_as_current_span("cosmos read"):
                pass
            with tracer.start_as_current_span("send conversation-events", kind=SpanKind.PRODUCER):
                w3c.inject(carrier)
        with (
            tracer.start_as_current_span(
                "process conversation-events", context=w3c.extract(carrier), kind=SpanKind.CONSUMER
            ),
            tracer.start_as_current_span("cosmos write"),
        ):
            pass

    assert root.asked == traces, "one decision per trace, at its root"
    by_trace: dict[int, list[str]] = {}
    for span in exporter.get_finished_spans():
        by_trace.setdefault(span.context.trace_id, []).append(span.name)
    assert len(by_trace) == traces // 2
    for names in by_trace.values():
        assert len(names) == 6, f"a kept trace is whole: {names}"
    assert all((span.attributes or {}).get(SAMPLE_RATE_ATTRIBUTE) == 50.0 for span in exporter.get_finished_spans()), (
        "children carry the root's sample rate, so Azure Monitor counts them alike"
    )


def test_an_unsampled_incoming_request_parent_asks_the_root_sampler() -> None:
    root = EveryOther()
    sampler = WholeTraceSampler(root)
    remote = trace.NonRecordingSpan(trace.SpanContext(int(CALLER_TRACE, 16), int(CALLER_SPAN, 16), is_remote=True))
    parent = trace.set_span_in_context(remote)
    trace_id = int(CALLER_TRACE, 16)

    server = sampler.should_sample(parent, trace_id, "GET /api/x", SpanKind.SERVER)
    consumer = sampler.should_sample(parent, trace_id, "process q", SpanKind.CONSUMER)

    assert server.decision is Decision.RECORD_AND_SAMPLE and root.asked == 1
    assert consumer.decision is Decision.DROP and root.asked == 1, "a queue consumer follows its producer"


def _host_invocation(trace_id: str) -> Context:
    """What the Functions worker makes current: the host's invocation span, a remote parent."""
    host = trace.SpanContext(
        int(trace_id, 16), int("1122334455667788", 16), is_remote=True, trace_flags=trace.TraceFlags(1)
    )
    return trace.set_span_in_context(trace.NonRecordingSpan(host))


async def test_under_the_host_an_untrusted_callers_trace_is_left_with_links_to_both(telemetry: Telemetry) -> None:
    token = context_api.attach(_host_invocation(CALLER_TRACE))  # the host joined the caller's trace
    try:
        server = await _served(telemetry, "/api/policy-host-joined", SAMPLED)
    finally:
        context_api.detach(token)

    assert hex_trace(server) != CALLER_TRACE and server.parent is None
    assert _linked(server) == [(CALLER_TRACE, "1122334455667788"), (CALLER_TRACE, CALLER_SPAN)]


async def test_under_the_host_the_span_is_the_invocations_child(telemetry: Telemetry) -> None:
    own = "0af7651916cd43dd8448eb211c80319c"
    token = context_api.attach(_host_invocation(own))
    try:
        server = await _served(telemetry, "/api/policy-host-own", SAMPLED)
    finally:
        context_api.detach(token)

    assert hex_trace(server) == own and server.parent is not None
    assert format(server.parent.span_id, "016x") == "1122334455667788"
    assert _linked(server) == [(CALLER_TRACE, CALLER_SPAN)]
