"""Structured log lines carry request and trace ids; secrets and PII are masked."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from shared.telemetry.logging import JsonFormatter, LogContextFilter, request_id_var
from shared.telemetry.redaction import redact
from shared.telemetry.tracing import current_trace_ids, stage_span
from tests.telemetry.telemetry_support import Telemetry


@pytest.fixture
def log_lines() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(LogContextFilter())
    log = logging.getLogger("shared.tests.telemetry_logging")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
    try:
        yield log, stream
    finally:
        log.removeHandler(handler)


def _lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_every_line_has_request_id_and_the_current_trace(
    telemetry: Telemetry, log_lines: tuple[logging.Logger, io.StringIO]
) -> None:
    log, stream = log_lines
    token = request_id_var.set("req-123")
    try:
        with stage_span("work"):
            ids = current_trace_ids()
            log.info("moderation took %d ms", 12, extra={"stage": "moderation"})
    finally:
        request_id_var.reset(token)
    log.warning("outside any request")

    inside, outside = _lines(stream)
    assert ids is not None
    assert inside["request_id"] == "req-123"
    assert (inside["trace_id"], inside["span_id"]) == ids
    assert inside["message"] == "moderation took 12 ms"
    assert inside["stage"] == "moderation"
    assert inside["level"] == "INFO" and inside["logger"] == "shared.tests.telemetry_logging"
    assert outside["request_id"] is None and outside["trace_id"] is None


def test_secrets_are_masked_in_messages_arguments_extras_and_tracebacks(
    log_lines: tuple[logging.Logger, io.StringIO],
) -> None:
    log, stream = log_lines
    token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0.c2lnbmF0dXJlLXZhbHVl"
    log.info("upstream said %s", f"Authorization: Bearer {token}", extra={"endpoint": "https://x?sig=abcdEFGH123"})
    try:
        raise ValueError("AccountEndpoint=https://a/;AccountKey=c2VjcmV0a2V5PT0=;")
    except ValueError:
        log.exception("cosmos failed for jane.doe@contoso.com")

    text = stream.getvalue()
    assert token not in text and "c2VjcmV0a2V5PT0=" not in text and "abcdEFGH123" not in text
    assert "jane.doe@contoso.com" not in text
    first, second = _lines(stream)
    assert first["message"] == "upstream said Authorization: Bearer [REDACTED:JWT]"
    assert "AccountKey=[REDACTED:SECRET]" in str(second["exception"])


@pytest.mark.parametrize(
    ("raw", "hidden"),
    [
        ("api-key: 0123456789abcdef", "0123456789abcdef"),
        ('{"api_key": "sk-live-42"}', "sk-live-42"),
        ("Ocp-Apim-Subscription-Key=abcd1234", "abcd1234"),
        ("InstrumentationKey=00000000-1111-2222;IngestionEndpoint=https://x", "00000000-1111-2222"),
        ("SharedAccessSignature=sv=2024&sig=abc%2Fdef", "abc%2Fdef"),
        ("call me on +44 20 7946 0958 today", "7946 0958"),
        ("card 4111-1111-1111-1111 expires", "4111-1111-1111-1111"),
        ("client_secret=shh.very~secret", "shh.very~secret"),
        ("service key cpk_0123456789abcdef_" + "Zx9_-" * 8 + "abc in a message", "Zx9_-Zx9_-Zx9_-"),
    ],
)
def test_redact_masks(raw: str, hidden: str) -> None:
    assert hidden not in redact(raw)


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("mail jane.doe@contoso.com now", "mail [REDACTED:EMAIL] now"),
        ("key AKIAIOSFODNN7EXAMPLE here", "key [REDACTED:AWS_ACCESS_KEY] here"),
        ("Authorization: Basic dXNlcjpwYXNzd29yZA==", "Authorization: Basic [REDACTED:SECRET]"),
        ("password=jane.doe@contoso.com;rest", "password=[REDACTED:EMAIL];rest"),
        ("secret=a@b.co/rest-of-the-secret;next", "secret=[REDACTED:SECRET];next"),
    ],
)
def test_logs_are_masked_by_the_moderation_detector_with_credential_shapes_added(raw: str, masked: str) -> None:
    assert redact(raw) == masked


@pytest.mark.parametrize(
    "kept",
    [
        "trace 4bf92f3577b34da6a3ce929d0e0e4736 span 00f067aa0ba902b7",
        "request 5f2b1c9e8d7a4b3c and epoch 1712345678901",
        "order 1234567812345678 is not a card number",
        "model gpt-4o-mini took 1532 ms for 2048 tokens",
        "upstream circuit opened for 2 s: 127.0.0.1:57229/sick-deployment",
        "peer [2001:db8::1]:443 closed the connection",
    ],
)
def test_redact_keeps_ids_and_numbers(kept: str) -> None:
    assert redact(kept) == kept
