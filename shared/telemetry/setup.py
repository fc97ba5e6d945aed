"""Configures OpenTelemetry once per process: Azure Monitor in Azure, OTLP or console locally, or
in-memory for tests. OpenTelemetry's global providers can be set only once, so this decides once.

Every mode samples whole traces (`shared.telemetry.sampling`) and names the resource after the
Functions site and instance, so the host's telemetry and ours are one cloud role.
"""

from __future__ import annotations

import importlib
import logging
import os
import socket
import threading
from typing import Any, Literal

from opentelemetry import metrics, trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import MetricReader, PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider, sampling
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter

from shared.settings import Settings
from shared.telemetry.logging import configure_logging
from shared.telemetry.request_spans import trust_incoming_trace_context
from shared.telemetry.sampling import WholeTraceSampler

logger = logging.getLogger(__name__)

TelemetryMode = Literal["azure_monitor", "otlp", "console", "in_memory", "none"]

_lock = threading.Lock()
_mode: TelemetryMode | None = None

_AZURE_MONITOR_INSTRUMENTATIONS_OFF = ("django", "fastapi", "flask", "psycopg2", "requests", "urllib", "urllib3")
"""Our own SERVER span in `shared.web.serve` covers HTTP and the app makes no calls through these
libraries; only the Azure SDK instrumentation stays (Cosmos and queue calls as spans)."""


def configure_telemetry(settings: Settings) -> TelemetryMode:
    """Set up exporters for this process on the first call; later calls return the mode chosen."""
    global _mode
    with _lock:
        if _mode is not None:
            return _mode
        trust_incoming_trace_context(settings.trace_context_trust == "all")
        _mode = _configure(settings)
    configure_logging(settings)
    logger.info("telemetry configured: %s", _mode)
    return _mode


def install_providers(
    mode: TelemetryMode, resource: Resource, processor: SpanProcessor, readers: list[MetricReader]
) -> None:
    """Set this process's providers for a mode the settings don't choose (tests keep spans in memory);
    `configure_telemetry` then reports that mode. Providers are set once per process: a second call fails."""
    global _mode
    with _lock:
        if _mode not in (None, "none"):
            raise RuntimeError(f"telemetry is already configured ({_mode}); providers are set once per process")
        _install_sdk(resource, processor, readers)
        _mode = mode


def service_resource(settings: Settings, *, namespace: bool = True) -> Resource:
    """service.name/instance from the Functions site and instance (WEBSITE_SITE_NAME, WEBSITE_INSTANCE_ID).

    Azure Monitor names the cloud role `<service.namespace>.<service.name>`, which would split the
    application map from the host's node (named after the site), so its resource goes without the
    namespace (`namespace=False`); OTLP and console resources carry it.
    """
    attributes: dict[str, Any] = {
        "service.name": settings.website_site_name or settings.telemetry_service_name,
        "service.version": settings.app_version,
        "service.instance.id": settings.website_instance_id or f"{socket.gethostname()}-{os.getpid()}",
        "deployment.environment.name": settings.deployment_environment,
        "deployment.environment": settings.deployment_environment,
    }
    if namespace:
        attributes["service.namespace"] = settings.telemetry_service_namespace
    if settings.website_site_name:
        attributes["cloud.provider"] = "azure"
        attributes["cloud.platform"] = "azure_functions"
    return Resource.create(attributes)


def _configure(settings: Settings) -> TelemetryMode:
    if settings.appinsights_connection_string:
        _configure_azure_monitor(settings, service_resource(settings, namespace=False))
        return "azure_monitor"
    resource = service_resource(settings)
    if settings.otlp_endpoint:
        exporters = _otlp_exporters()
        if exporters is not None:
            span_exporter, metric_exporter, log_exporter = exporters
            _install_sdk(resource, BatchSpanProcessor(span_exporter), [PeriodicExportingMetricReader(metric_exporter)])
            from opentelemetry.sdk._logs.export import BatchLogRecordProcessor

            from shared.telemetry.log_export import install_log_export

            install_log_export(settings.telemetry_logger_name, resource, BatchLogRecordProcessor(log_exporter))
            return "otlp"
        logger.warning("OTEL_EXPORTER_OTLP_ENDPOINT is set but opentelemetry-exporter-otlp-proto-http is missing")
    if settings.telemetry_console:
        _install_sdk(resource, BatchSpanProcessor(ConsoleSpanExporter()), [])
        return "console"
    return "none"


def _configure_azure_monitor(settings: Settings, resource: Resource) -> None:
    from azure.monitor.opentelemetry import configure_azure_monitor

    from shared.telemetry.log_export import RedactingLogRecordProcessor

    options: dict[str, Any] = {
        "connection_string": settings.appinsights_connection_string,
        "resource": resource,
        "logger_name": settings.telemetry_logger_name,
        "enable_live_metrics": settings.telemetry_live_metrics,
        "instrumentation_options": {name: {"enabled": False} for name in _AZURE_MONITOR_INSTRUMENTATIONS_OFF},
        "log_record_processors": [RedactingLogRecordProcessor()],
    }
    credential = _entra_credential(settings)
    if credential is not None:
        options["credential"] = credential
    configure_azure_monitor(**options)
    provider = trace.get_tracer_provider()
    if isinstance(provider, TracerProvider):
        # The distro builds the provider with its (rate-limited) sampler; tracers made from now on
        # consult it only at the root of a trace.
        provider.sampler = WholeTraceSampler(provider.sampler)
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


def _otlp_exporters() -> tuple[Any, Any, Any] | None:
    """OTLP/HTTP (protobuf) exporters; endpoint, headers and timeouts come from the OTEL_EXPORTER_OTLP_* settings."""
    try:
        spans = importlib.import_module("opentelemetry.exporter.otlp.proto.http.trace_exporter")
        meters = importlib.import_module("opentelemetry.exporter.otlp.proto.http.metric_exporter")
        logs = importlib.import_module("opentelemetry.exporter.otlp.proto.http._log_exporter")
    except ImportError:
        return None
    return spans.OTLPSpanExporter(), meters.OTLPMetricExporter(), logs.OTLPLogExporter()


def _install_sdk(resource: Resource, processor: SpanProcessor, readers: list[MetricReader]) -> None:
    tracer_provider = TracerProvider(resource=resource, sampler=WholeTraceSampler(_root_sampler()))
    tracer_provider.add_span_processor(processor)
    trace.set_tracer_provider(tracer_provider)
    metrics.set_meter_provider(MeterProvider(resource=resource, metric_readers=readers))
    _use_opentelemetry_for_azure_sdk()


def _root_sampler() -> sampling.Sampler:
    """OTEL_TRACES_SAMPLER(_ARG) when set, else every trace."""
    if os.environ.get("OTEL_TRACES_SAMPLER"):
        return sampling._get_from_env_or_default()
    return sampling.ALWAYS_ON


def _use_opentelemetry_for_azure_sdk() -> None:
    """Cosmos and queue SDK calls become child spans (what AZURE_SDK_TRACING_IMPLEMENTATION selects)."""
    from azure.core.settings import settings as azure_settings

    azure_settings.tracing_implementation = "opentelemetry"
