"""Log export through OpenTelemetry (OTLP and Azure Monitor), imported only when a mode exports logs:
the SDK's log pipeline costs tens of milliseconds of cold start."""

from __future__ import annotations

import logging

from opentelemetry._logs import set_logger_provider
from opentelemetry.instrumentation.logging.handler import LoggingHandler
from opentelemetry.sdk._logs import LoggerProvider, LogRecordProcessor, ReadWriteLogRecord
from opentelemetry.sdk.resources import Resource

from shared.telemetry.logging import install_log_filters
from shared.telemetry.redaction import redact


class RedactingLogRecordProcessor(LogRecordProcessor):
    """Masks the exception message and stack trace the OpenTelemetry handler copies from `exc_info`
    (the message is masked by `LogContextFilter`); runs before the exporting processor."""

    FIELDS = ("exception.message", "exception.stacktrace")

    def on_emit(self, log_record: ReadWriteLogRecord) -> None:
        attributes = log_record.log_record.attributes
        if attributes is None:
            return
        for name in self.FIELDS:
            value = attributes.get(name)
            if isinstance(value, str):
                attributes[name] = redact(value)  # type: ignore[index]

    def shutdown(self) -> None:
        return None

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return True


def install_log_export(logger_name: str, resource: Resource, processor: LogRecordProcessor) -> None:
    """Records of `logger_name` (the root by default: every module) exported with their trace context."""
    provider = LoggerProvider(resource=resource)
    provider.add_log_record_processor(RedactingLogRecordProcessor())
    provider.add_log_record_processor(processor)
    set_logger_provider(provider)
    target = logging.getLogger(logger_name)
    if not any(isinstance(handler, LoggingHandler) for handler in target.handlers):
        handler = LoggingHandler(logger_provider=provider)
        target.addHandler(handler)
        install_log_filters([handler])
