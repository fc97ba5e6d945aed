"""Log set-up: JSON lines on the handlers that print, never a second printer (each line once); records
exported to Azure Monitor with `request_id` and no stray custom dimensions; the resource names the
Functions site and instance."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from azure.monitor.opentelemetry.exporter.export.logs._exporter import _convert_log_to_envelope
from opentelemetry.instrumentation.logging.handler import LoggingHandler
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import InMemoryLogRecordExporter, SimpleLogRecordProcessor
from opentelemetry.sdk.resources import Resource

from shared.settings import load_settings
from shared.telemetry.log_export import RedactingLogRecordProcessor
from shared.telemetry.logging import LogContextFilter, configure_logging, request_id_var
from shared.telemetry.setup import service_resource
from shared.telemetry.tracing import stage_span
from tests.telemetry.telemetry_support import Telemetry

pytestmark = pytest.mark.stack


@pytest.fixture
def console(stack: Any) -> Iterator[io.StringIO]:
    """The root logger with only a console handler, as `basicConfig` (the dev host, the CLI) leaves it."""
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    stream = io.StringIO()
    root.handlers = [logging.StreamHandler(stream)]
    root.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        root.handlers, level = saved
        root.setLevel(level)


def test_json_replaces_the_console_format_instead_of_adding_a_printer(
    console: io.StringIO, telemetry: Telemetry
) -> None:
    root = logging.getLogger()
    configure_logging(load_settings(LOG_JSON="true"))
    configure_logging(load_settings(LOG_JSON="true"))

    token = request_id_var.set("req-json-1")
    try:
        with stage_span("work"):
            logging.getLogger("functions.anywhere").info("one line %s", "only")
    finally:
        request_id_var.reset(token)

    assert len([handler for handler in root.handlers if type(handler) is logging.StreamHandler]) == 1
    (line,) = console.getvalue().splitlines()
    entry = json.loads(line)
    assert entry["message"] == "one line only" and entry["request_id"] == "req-json-1"
    assert entry["trace_id"] and entry["span_id"] and entry["logger"] == "functions.anywhere"


def test_plain_lines_when_json_is_off(console: io.StringIO) -> None:
    configure_logging(load_settings(LOG_JSON="false"))

    logging.getLogger("functions.anywhere").warning("plain")

    assert console.getvalue().strip() == "plain"


def test_azure_monitor_records_carry_the_request_id_and_no_stray_dimensions(telemetry: Telemetry) -> None:
    exporter = InMemoryLogRecordExporter()  # type: ignore[no-untyped-call]
    provider = LoggerProvider(resource=Resource.create({"service.name": "copilot-func"}))
    provider.add_log_record_processor(RedactingLogRecordProcessor())
    provider.add_log_record_processor(SimpleLogRecordProcessor(exporter))
    handler = LoggingHandler(logger_provider=provider)
    handler.addFilter(LogContextFilter())
    log = logging.getLogger("shared.tests.export")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    try:
        token = request_id_var.set("req-export-1")
        try:
            with stage_span("work"):
                log.info("turn %s for jane.doe@contoso.com", "appended", extra={"outcome": "appended"})
        finally:
            request_id_var.reset(token)
        log.info("outside a request")
        try:
            raise ValueError("AccountEndpoint=https://a/;AccountKey=c2VjcmV0a2V5PT0=;")
        except ValueError:
            log.exception("cosmos failed")
    finally:
        log.removeHandler(handler)

    inside, outside, failure = (_convert_log_to_envelope(record) for record in exporter.get_finished_logs())
    exported = "shared.tests.export"
    assert inside.data.base_data.properties == {  # type: ignore[union-attr]
        "request_id": "req-export-1",
        "outcome": "appended",
        "logger_name": exported,
    }
    assert inside.data.base_data.message == "turn appended for [REDACTED:EMAIL]"  # type: ignore[union-attr]
    assert inside.tags["ai.operation.id"] != "0" * 32  # type: ignore[index]
    assert outside.data.base_data.properties == {"logger_name": exported}  # type: ignore[union-attr]
    (exception,) = failure.data.base_data.exceptions  # type: ignore[union-attr]
    assert exception.type_name == "ValueError" and "c2VjcmV0a2V5PT0=" not in f"{exception.message}{exception.stack}"
    assert "AccountKey=[REDACTED:SECRET]" in exception.stack


def test_resource_follows_the_functions_site_and_instance(stack: Any) -> None:
    settings = load_settings(
        WEBSITE_SITE_NAME="func-copilot-prod", WEBSITE_INSTANCE_ID="abc123", DEPLOYMENT_ENVIRONMENT="prod"
    )

    otlp = service_resource(settings).attributes
    azure = service_resource(settings, namespace=False).attributes

    assert (otlp["service.name"], otlp["service.instance.id"]) == ("func-copilot-prod", "abc123")
    assert otlp["service.namespace"] == "copilot-platform" and otlp["deployment.environment.name"] == "prod"
    assert "service.namespace" not in azure, "Azure Monitor would name the role <namespace>.<site>"
    assert azure["service.name"] == "func-copilot-prod" and azure["deployment.environment.name"] == "prod"
