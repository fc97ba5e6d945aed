"""Configures OpenTelemetry once per process: Azure Monitor in Azure, OTLP or console locally, or
in-memory for tests. OpenTelemetry's global providers can be set only once, so this decides once."""

from __future__ import annotations

import importlib
import logging
import threading
from typing import Any, Literal

from opentelemetry import metrics, trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader, MetricReader, PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from shared.settings import Settings
from shared.telemetry.logging import configure_logging

logger = logging.getLogger(__name__)

TelemetryMode = Literal["azure_monitor", "otlp", "console", "in_memory", "none"]

_lock = threading.Lock()
_mode: TelemetryMode | None = None
_in_memory: tuple[InMemorySpanExporter, InMemoryMetricReader] | None = None


def configure_telemetry(settings: Settings) -> TelemetryMode:
    """Set up exporters for this process on the first call; later calls return the mode chosen."""
    global _mode
    with _lock:
        if _mode is not None:
            return _mode
        _mode = _configure(settings)
    configure_logging(settings)
    logger.info("telemetry configured: %s", _mode)
    return _mode


def use_in_memory_telemetry() -> tuple[InMemorySpanExporter, InMemoryMetricReader]:
    """Tests: global providers that keep spans and metrics in memory (the same pair on every call).

    Clear the exporter between tests; the reader's metrics are cumulative, so compare before and after.
    """
    global _mode, _in_memory
    with _lock:
        if _in_memory is not None:
            return _in_memory
        if _mode not in (None, "none"):
            raise RuntimeError(f"telemetry is already configured ({_mode}); providers are set once per process")
        exporter, reader = InMemorySpanExporter(), InMemoryMetricReader()
        _install_sdk(Resource.create({"service.name": "copilot-tests"}), SimpleSpanProcessor(exporter), [reader])
        _mode, _in_memory = "in_memory", (exporter, reader)
        return _in_memory


def _configure(settings: Settings) -> TelemetryMode:
    resource = Resource.create(
        {"service.name": settings.telemetry_service_name, "service.version": settings.app_version}
    )
    if settings.appinsights_connection_string:
        _configure_azure_monitor(settings, resource)
        return "azure_monitor"
    if settings.otlp_endpoint:
        exporters = _otlp_exporters()
        if exporters is not None:
            span_exporter, metric_exporter = exporters
            reader = PeriodicExportingMetricReader(metric_exporter)
            _install_sdk(resource, BatchSpanProcessor(span_exporter), [reader])
            return "otlp"
        logger.warning("OTEL_EXPORTER_OTLP_ENDPOINT is set but opentelemetry-exporter-otlp is not installed")
    if settings.telemetry_console:
        _install_sdk(resource, BatchSpanProcessor(ConsoleSpanExporter()), [])
        return "console"
    return "none"


def _configure_azure_monitor(settings: Settings, resource: Resource) -> None:
    from azure.monitor.opentelemetry import configure_azure_monitor

    options: dict[str, Any] = {
        "connection_string": settings.appinsights_connection_string,
        "resource": resource,
        "logger_name": settings.telemetry_logger_name,
        "enable_live_metrics": settings.telemetry_live_metrics,
        # Our own SERVER span in `shared.web.serve` covers HTTP; the Functions host traces the rest.
        "instrumentation_options": {name: {"enabled": False} for name in ("fastapi", "flask", "django")},
    }
    credential = _entra_credential(settings)
    if credential is not None:
        options["credential"] = credential
    configure_azure_monitor(**options)
    _use_opentelemetry_for_azure_sdk()


def _entra_credential(settings: Settings) -> Any | None:
    """A managed identity when APPLICATIONINSIGHTS_AUTHENTICATION_STRING says `Authorization=AAD`."""
    raw = settings.appinsights_authentication_string or ""
    parts = dict(part.split("=", 1) for part in raw.split(";") if "=" in part)
    if parts.get("Authorization", "").upper() != "AAD":
        return None
    from azure.identity import ManagedIdentityCredential

    client_id = parts.get("ClientId") or settings.azure_client_id
    return ManagedIdentityCredential(client_id=client_id) if client_id else ManagedIdentityCredential()


def _otlp_exporters() -> tuple[Any, Any] | None:
    try:
        spans = importlib.import_module("opentelemetry.exporter.otlp.proto.http.trace_exporter")
        meters = importlib.import_module("opentelemetry.exporter.otlp.proto.http.metric_exporter")
    except ImportError:
        return None
    return spans.OTLPSpanExporter(), meters.OTLPMetricExporter()


def _install_sdk(resource: Resource, processor: SpanProcessor, readers: list[MetricReader]) -> None:
    tracer_provider = TracerProvider(resource=resource)
    tracer_provider.add_span_processor(processor)
    trace.set_tracer_provider(tracer_provider)
    metrics.set_meter_provider(MeterProvider(resource=resource, metric_readers=readers))
    _use_opentelemetry_for_azure_sdk()


def _use_opentelemetry_for_azure_sdk() -> None:
    """Cosmos and queue SDK calls become child spans (what AZURE_SDK_TRACING_IMPLEMENTATION selects)."""
    from azure.core.settings import settings as azure_settings

    azure_settings.tracing_implementation = "opentelemetry"
