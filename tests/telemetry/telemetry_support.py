"""In-memory telemetry for the tests: spans and metric points by name and attributes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from opentelemetry.sdk.metrics.export import HistogramDataPoint, InMemoryMetricReader, NumberDataPoint
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from shared.telemetry.setup import install_providers

_in_memory: tuple[InMemorySpanExporter, InMemoryMetricReader] | None = None


def use_in_memory_telemetry() -> tuple[InMemorySpanExporter, InMemoryMetricReader]:
    """Global providers that keep spans and metrics in memory (the same pair on every call).

    Clear the exporter between tests; the reader's metrics are cumulative, so compare before and after.
    """
    global _in_memory
    if _in_memory is None:
        exporter, reader = InMemorySpanExporter(), InMemoryMetricReader()
        resource = Resource.create({"service.name": "copilot-tests"})
        install_providers("in_memory", resource, SimpleSpanProcessor(exporter), [reader])
        _in_memory = exporter, reader
    return _in_memory


@dataclass
class Telemetry:
    exporter: InMemorySpanExporter
    reader: InMemoryMetricReader

    def spans(self) -> list[ReadableSpan]:
        return list(self.exporter.get_finished_spans())

    def spans_named(self, name: str) -> list[ReadableSpan]:
        return [span for span in self.spans() if span.name == name]

    def points(self, metric: str) -> list[NumberDataPoint | HistogramDataPoint]:
        data = self.reader.get_metrics_data()
        found: list[NumberDataPoint | HistogramDataPoint] = []
        for resource in data.resource_metrics if data else []:
            for scope in resource.scope_metrics:
                for item in scope.metrics:
                    if item.name == metric:
                        found.extend(item.data.data_points)  # type: ignore[arg-type]
        return found

    def total(self, metric: str, match: Mapping[str, Any] | None = None) -> float:
        """Counter sum, or histogram count, over points whose attributes include `match`."""
        total = 0.0
        for point in self.points(metric):
            if _matches(point.attributes or {}, match or {}):
                total += point.count if isinstance(point, HistogramDataPoint) else point.value
        return total


def _matches(attributes: Mapping[str, Any], match: Mapping[str, Any]) -> bool:
    return all(attributes.get(key) == value for key, value in match.items())


def hex_trace(span: ReadableSpan) -> str:
    return format(span.context.trace_id, "032x")


def all_attribute_text(spans: list[ReadableSpan]) -> str:
    return "\n".join(str(value) for span in spans for value in (span.attributes or {}).values())
