"""Structured logs: request id and trace ids on every line, secrets and PII masked."""

from __future__ import annotations

import json
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from shared.settings import Settings
from shared.telemetry.redaction import redact
from shared.telemetry.tracing import current_trace_ids

request_id_var: ContextVar[str | None] = ContextVar("copilot_request_id", default=None)

_STANDARD_FIELDS = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id"}


class LogContextFilter(logging.Filter):
    """Adds `request_id` to every record and masks secrets in its message (install on handlers)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = request_id_var.get()
        if not getattr(record, "_copilot_redacted", False):
            record.msg = redact(record.getMessage())
            record.args = None
            record._copilot_redacted = True
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line with time, level, logger, message, request id, trace and span ids."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
            "request_id": getattr(record, "request_id", None) or request_id_var.get(),
        }
        ids = current_trace_ids()
        entry["trace_id"], entry["span_id"] = ids if ids else (None, None)
        for key, value in vars(record).items():
            if key not in _STANDARD_FIELDS and not key.startswith("_") and key not in entry:
                entry[key] = redact(value) if isinstance(value, str) else _plain(value)
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, separators=(",", ":"))


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    return redact(str(value))


def install_log_filters(handlers: list[logging.Handler]) -> None:
    for handler in handlers:
        if not any(isinstance(existing, LogContextFilter) for existing in handler.filters):
            handler.addFilter(LogContextFilter())


def configure_logging(settings: Settings) -> None:
    """Filters on the handlers already installed (the worker's, Azure Monitor's); JSON lines to stdout
    when asked, or by default when nothing else would print the app's logs."""
    root = logging.getLogger()
    wants_json = settings.log_json if settings.log_json is not None else not root.handlers
    if wants_json and not any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(JsonFormatter())
        root.addHandler(handler)
        if root.level == logging.WARNING:
            root.setLevel(logging.INFO)
    # The Azure SDKs log every HTTP request and response at INFO: noise and cost on every Cosmos call.
    logging.getLogger("azure").setLevel(logging.WARNING)
    app_logger = logging.getLogger(settings.telemetry_logger_name)
    install_log_filters([*root.handlers, *app_logger.handlers])
