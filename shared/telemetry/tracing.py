"""The app's tracer, stage spans with sanitised attributes, and W3C trace context across queues."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import Link, Span, SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from shared.telemetry.attributes import ERROR_TYPE, sanitize

TRACER_NAME = "copilot"
tracer = trace.get_tracer(TRACER_NAME)
_w3c = TraceContextTextMapPropagator()


@contextmanager
def stage_span(
    name: str,
    attributes: Mapping[str, Any] | None = None,
    *,
    kind: SpanKind = SpanKind.INTERNAL,
    context: otel_context.Context | None = None,
    links: list[Link] | None = None,
) -> Iterator[Span]:
    """A span for one stage (moderation, quota, upstream attempt...); an exception marks it failed.

    Inside a local trace that was not sampled, the child would be dropped (`WholeTraceSampler`), so no
    span is made: the current one stands in, and the per-stage cost of an unsampled request is a lookup.
    """
    if context is None and (dropped := unsampled_parent()) is not None:
        yield dropped
        return
    with tracer.start_as_current_span(
        name,
        context=context,
        kind=kind,
        attributes=sanitize(attributes),
        links=links,
        record_exception=False,
        set_status_on_exception=False,
    ) as span:
        try:
            yield span
        except BaseException as error:
            mark_failed(span, error)
            raise


def unsampled_parent() -> Span | None:
    """The current span when it is a local, unsampled, non-recording one: a child of it would be dropped
    (`WholeTraceSampler`), so callers use it in the child's stead rather than make one."""
    current = trace.get_current_span()
    parent = current.get_span_context()
    if parent.is_valid and not parent.is_remote and not parent.trace_flags.sampled and not current.is_recording():
        return current
    return None


def mark_failed(span: Span, error: BaseException) -> None:
    """Error status and type only: exception messages may quote user input, so they are not recorded."""
    if span.is_recording():
        span.set_attribute(ERROR_TYPE, type(error).__qualname__)
        span.set_status(Status(StatusCode.ERROR))


def annotate(attributes: Mapping[str, Any], span: Span | None = None) -> None:
    """Add allow-listed attributes to a span (the current one by default)."""
    target = span or trace.get_current_span()
    if target.is_recording():
        target.set_attributes(sanitize(attributes))


def inject_trace_headers() -> dict[str, str]:
    """The current trace context as W3C `traceparent`/`tracestate`, for a message envelope."""
    carrier: dict[str, str] = {}
    _w3c.inject(carrier)
    return carrier


def context_from(carrier: Mapping[str, str]) -> otel_context.Context | None:
    """The remote parent in a W3C carrier, or None when it carries no valid trace."""
    extracted = _w3c.extract(carrier)
    parent = trace.get_current_span(extracted).get_span_context()
    return extracted if parent.is_valid else None


@contextmanager
def continue_trace(
    carrier: Mapping[str, str],
    name: str,
    attributes: Mapping[str, Any] | None = None,
    *,
    kind: SpanKind = SpanKind.CONSUMER,
) -> Iterator[Span]:
    """A span that continues the producer's trace from `carrier`.

    The Functions host starts a fresh trace for each queue-triggered invocation; when the worker has
    made that invocation's context current, the new span links to it so both traces stay navigable.
    """
    parent = context_from(carrier)
    links: list[Link] = []
    if parent is not None:
        invocation = trace.get_current_span().get_span_context()
        if invocation.is_valid and invocation.trace_id != trace.get_current_span(parent).get_span_context().trace_id:
            links.append(Link(invocation))
    with stage_span(name, attributes, kind=kind, context=parent, links=links) as span:
        yield span


def current_trace_ids() -> tuple[str, str] | None:
    """(trace id, span id) of the current span as lowercase hex, or None outside a recorded trace."""
    span_context = trace.get_current_span().get_span_context()
    if not span_context.is_valid:
        return None
    return format(span_context.trace_id, "032x"), format(span_context.span_id, "016x")
