"""Structured logs: request id and trace ids on every line, secrets and PII masked, each line once."""

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

_STANDARD_FIELDS = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id", "taskName"}
APP_LOGGERS = ("shared", "functions")
"""The app's own loggers log at INFO whatever level the host process left on the root logger."""
_WORKER_MODULES = ("azure_functions_worker", "proxy_worker", "azure_functions_runtime")
"""The Functions Python worker's handler (forwards lines to the host): reformatted like a console's."""


class LogContextFilter(logging.Filter):
    """Adds `request_id` (when there is one) and masks secrets in the message; install on handlers.

    Masking is idempotent, so a record passing several handlers is masked again harmlessly; no marker
    attribute is left on the record, since exporters would ship it as a custom dimension.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            request_id = request_id_var.get()
            if request_id is not None:
                record.request_id = request_id
        record.msg = redact(record.getMessage())
        record.args = None
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


def _prints_lines(handler: logging.Handler) -> bool:
    """A console handler (`basicConfig`'s, the dev host's) or the worker's: lines an operator reads."""
    return type(handler) is logging.StreamHandler or type(handler).__module__.startswith(_WORKER_MODULES)


def configure_logging(settings: Settings) -> None:
    """JSON on the handlers that print lines (replacing their format, never adding a second printer);
    a stdout handler only when there is no handler at all. Filters on every handler, exporters' included."""
    root = logging.getLogger()
    if settings.log_json:
        printers = [handler for handler in root.handlers if _prints_lines(handler)]
        if not root.handlers:
            printers = [logging.StreamHandler(sys.stdout)]
            root.addHandler(printers[0])
            if root.level == logging.WARNING:
                root.setLevel(logging.INFO)
        for handler in printers:
            handler.setFormatter(JsonFormatter())
    for name in APP_LOGGERS:
        app = logging.getLogger(name)
        if app.level == logging.NOTSET:
            app.setLevel(logging.INFO)
    # The Azure SDKs log every HTTP request and response at INFO: noise and cost on every Cosmos call.
    logging.getLogger("azure").setLevel(logging.WARNING)
    app_logger = logging.getLogger(settings.telemetry_logger_name)
    install_log_filters([*root.handlers, *app_logger.handlers])
