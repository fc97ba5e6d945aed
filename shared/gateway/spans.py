"""Telemetry of upstream calls: one CLIENT span per attempt (GenAI semantic conventions) and the
upstream metrics.

An attempt's span starts when the request is sent and ends once its response has been relayed (for
a stream, with its last byte). It is never made current, so nothing stays attached to the context
across the relay's yields; its attributes are allow-listed (`shared.telemetry.attributes`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from opentelemetry.trace import Span, SpanKind, Status, StatusCode

from shared.gateway.pool import Backend
from shared.gateway.relay import JsonCompletion, RelayOutcome
from shared.identity.caller import Caller
from shared.telemetry import attributes as attr
from shared.telemetry.metrics import record_time_to_first_token, record_upstream_failover, record_upstream_retry
from shared.telemetry.tracing import annotate, tracer, unsampled_parent

GEN_AI_PROVIDER = "azure.ai.openai"
"""Every backend is an Azure OpenAI deployment (`gen_ai.provider.name` well-known value)."""
OPERATION = "chat"


def start_attempt(caller: Caller, alias: str, backend: Backend, number: int, *, streaming: bool) -> Span:
    span = unsampled_parent() or tracer.start_span(f"{OPERATION} {alias}", kind=SpanKind.CLIENT)
    if span.is_recording():
        annotate(
            {
                attr.GEN_AI_PROVIDER_NAME: GEN_AI_PROVIDER,
                attr.GEN_AI_OPERATION_NAME: OPERATION,
                attr.GEN_AI_REQUEST_MODEL: alias,
                attr.GEN_AI_REQUEST_STREAM: streaming,
                attr.UPSTREAM_BACKEND: backend.name,
                attr.UPSTREAM_ATTEMPT: number,
                attr.TENANT_HASH: caller.tenant_hash,
            },
            span,
        )
    return span


def end_failed(span: Span, code: str, status: int | None = None) -> None:
    """An attempt that got no usable response: `code` is short (`429`, `timeout`), never a message."""
    if span.is_recording():
        annotate({attr.ERROR_TYPE: code, attr.UPSTREAM_REASON: code, attr.HTTP_RESPONSE_STATUS_CODE: status}, span)
        span.set_status(Status(StatusCode.ERROR))
    span.end()


def end_json(span: Span, completion: JsonCompletion) -> None:
    end_answered(
        span,
        response_model=completion.model,
        usage=completion.usage,
        finish_reasons=completion.finish_reasons(),
    )


def end_stream(span: Span, outcome: RelayOutcome, alias: str, backend: Backend, sent_at: float) -> None:
    """A relayed stream: time to first token (from sending the request) is recorded as a metric too."""
    first_token_ms = None
    if outcome.first_chunk_at is not None:
        first_token_ms = (outcome.first_chunk_at - sent_at) * 1000
        record_time_to_first_token(first_token_ms, model=alias, backend=backend.name)
    end_answered(
        span,
        response_model=outcome.response_model,
        usage=outcome.usage,
        finish_reasons=[outcome.finish_reason] if outcome.finish_reason else [],
        time_to_first_token_ms=first_token_ms,
        error="stream_error" if outcome.error is not None else None,
    )


def end_answered(
    span: Span,
    *,
    response_model: str | None = None,
    usage: dict[str, Any] | None = None,
    finish_reasons: Sequence[str] = (),
    time_to_first_token_ms: float | None = None,
    error: str | None = None,
) -> None:
    """An attempt whose response was relayed: what the model reported, and how it ended."""
    if span.is_recording():
        annotate(
            {
                attr.HTTP_RESPONSE_STATUS_CODE: 200,
                attr.GEN_AI_RESPONSE_MODEL: response_model,
                attr.GEN_AI_RESPONSE_FINISH_REASONS: finish_reasons,
                attr.GEN_AI_USAGE_INPUT_TOKENS: _count(usage, "prompt_tokens"),
                attr.GEN_AI_USAGE_OUTPUT_TOKENS: _count(usage, "completion_tokens"),
                attr.TIME_TO_FIRST_TOKEN_MS: time_to_first_token_ms,
                attr.ERROR_TYPE: error,
            },
            span,
        )
        if error is not None:
            span.set_status(Status(StatusCode.ERROR))
    span.end()


def _count(usage: dict[str, Any] | None, name: str) -> int | None:
    value = usage.get(name) if usage else None
    return value if isinstance(value, int) else None


def record_next_attempt(failed: Backend, following: Backend, code: str) -> None:
    """A failed attempt is followed by another: a retry on the same deployment, else a failover."""
    if following.name == failed.name:
        record_upstream_retry(backend=failed.name, reason=code)
    else:
        record_upstream_failover(from_backend=failed.name, to_backend=following.name, reason=code)
