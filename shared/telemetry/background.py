"""Spans for work done after the requests it serves (usage flushes, moderation-outcome writes).

Such work runs a moment after its requests ended, often for several at once: as a child of whichever
request started the timer it would appear after its parent finished and hide the others. It gets a
trace of its own instead, with span links to the (sampled) requests whose data it writes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import Link, Span

from shared.telemetry.logging import request_id_var
from shared.telemetry.tracing import stage_span

MAX_LINKS = 32


class RequestLinks:
    """The requests a batch of background work serves: up to MAX_LINKS sampled ones per batch."""

    def __init__(self) -> None:
        self._links: list[Link] = []
        self._seen: set[int] = set()

    def add_current(self) -> None:
        current = trace.get_current_span().get_span_context()
        wanted = current.is_valid and current.trace_flags.sampled and current.span_id not in self._seen
        if wanted and len(self._links) < MAX_LINKS:
            self._seen.add(current.span_id)
            self._links.append(Link(current))

    def take(self) -> list[Link]:
        links, self._links, self._seen = self._links, [], set()
        return links


@contextmanager
def background_span(name: str, links: list[Link], attributes: Mapping[str, Any] | None = None) -> Iterator[Span]:
    """A root span (its own trace), linked to the requests served; logs inside carry no request id."""
    request_token = request_id_var.set(None)
    try:
        with stage_span(name, attributes, context=otel_context.Context(), links=links) as span:
            yield span
    finally:
        request_id_var.reset(request_token)
