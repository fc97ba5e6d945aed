"""A small OTLP/HTTP (protobuf) receiver on a free loopback port: what an exporter sent, decoded."""

from __future__ import annotations

import gzip
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest, ExportLogsServiceResponse
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
    ExportMetricsServiceResponse,
)
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue


@dataclass(frozen=True)
class ReceivedSpan:
    trace_id: str
    span_id: str
    parent_span_id: str
    name: str
    kind: int
    attributes: dict[str, Any]
    links: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ReceivedLog:
    trace_id: str
    span_id: str
    body: str
    severity: str
    attributes: dict[str, Any]


@dataclass
class Received:
    spans: list[ReceivedSpan] = field(default_factory=list)
    logs: list[ReceivedLog] = field(default_factory=list)
    metric_names: set[str] = field(default_factory=set)
    resources: list[dict[str, Any]] = field(default_factory=list)


def _value(value: AnyValue) -> Any:
    kind = value.WhichOneof("value")
    if kind == "array_value":
        return tuple(_value(item) for item in value.array_value.values)
    return getattr(value, kind) if kind else None


def _attributes(items: Any) -> dict[str, Any]:
    pairs: list[KeyValue] = list(items)
    return {pair.key: _value(pair.value) for pair in pairs}


class OtlpReceiver:
    def __init__(self) -> None:
        self.received = Received()
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                if self.headers.get("content-encoding") == "gzip":
                    body = gzip.decompress(body)
                answer = receiver._take(self.path, body)
                if answer is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("content-type", "application/x-protobuf")
                self.send_header("content-length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def snapshot(self) -> Received:
        with self._lock:
            current = self.received
            return Received(list(current.spans), list(current.logs), set(current.metric_names), list(current.resources))

    def _take(self, path: str, body: bytes) -> bytes | None:
        with self._lock:
            if path == "/v1/traces":
                traces = ExportTraceServiceRequest.FromString(body)
                for resource_spans in traces.resource_spans:
                    self.received.resources.append(_attributes(resource_spans.resource.attributes))
                    for scope in resource_spans.scope_spans:
                        self.received.spans.extend(_span(span) for span in scope.spans)
                return bytes(ExportTraceServiceResponse().SerializeToString())
            if path == "/v1/logs":
                logs = ExportLogsServiceRequest.FromString(body)
                for resource_logs in logs.resource_logs:
                    for scope in resource_logs.scope_logs:
                        self.received.logs.extend(
                            ReceivedLog(
                                record.trace_id.hex(),
                                record.span_id.hex(),
                                str(_value(record.body)),
                                record.severity_text,
                                _attributes(record.attributes),
                            )
                            for record in scope.log_records
                        )
                return bytes(ExportLogsServiceResponse().SerializeToString())
            if path == "/v1/metrics":
                metrics = ExportMetricsServiceRequest.FromString(body)
                for resource_metrics in metrics.resource_metrics:
                    for scope in resource_metrics.scope_metrics:
                        self.received.metric_names.update(metric.name for metric in scope.metrics)
                return bytes(ExportMetricsServiceResponse().SerializeToString())
        return None

    @contextmanager
    def running(self) -> Iterator[OtlpReceiver]:
        thread = threading.Thread(target=self._server.serve_forever, name="otlp-receiver", daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()
            thread.join(10)


def _span(span: Any) -> ReceivedSpan:
    return ReceivedSpan(
        span.trace_id.hex(),
        span.span_id.hex(),
        span.parent_span_id.hex(),
        span.name,
        span.kind,
        _attributes(span.attributes),
        tuple((link.trace_id.hex(), link.span_id.hex()) for link in span.links),
    )
