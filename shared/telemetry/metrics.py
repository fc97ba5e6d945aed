"""Metric instruments with stable names (alerts and dashboards depend on them) and small recorders."""

from __future__ import annotations

from collections.abc import Iterable

from opentelemetry import metrics

from shared.telemetry import attributes as attr

METER_NAME = "copilot"

HTTP_REQUESTS = "copilot.http.requests"
HTTP_DURATION = "copilot.http.duration"
TIME_TO_FIRST_TOKEN = "copilot.gen_ai.time_to_first_token"
TOKENS = "copilot.gen_ai.tokens"
QUOTA_REJECTIONS = "copilot.quota.rejections"
MODERATION_BLOCKS = "copilot.moderation.blocks"
UPSTREAM_RETRIES = "copilot.upstream.retries"
UPSTREAM_FAILOVERS = "copilot.upstream.failovers"
QUEUE_MESSAGE_AGE = "copilot.queue.message_age"
QUEUE_POISON = "copilot.queue.poison"
CONVERSATION_TURNS = "copilot.conversation.turns"

_meter = metrics.get_meter(METER_NAME)

http_requests = _meter.create_counter(HTTP_REQUESTS, unit="{request}", description="HTTP requests served.")
http_duration = _meter.create_histogram(
    HTTP_DURATION, unit="ms", description="Time from request to the last byte of the response."
)
time_to_first_token = _meter.create_histogram(
    TIME_TO_FIRST_TOKEN, unit="ms", description="Time from request to the first streamed completion token."
)
tokens = _meter.create_counter(TOKENS, unit="{token}", description="Tokens used, by tenant, model and type.")
quota_rejections = _meter.create_counter(QUOTA_REJECTIONS, unit="{request}", description="Requests refused by a quota.")
moderation_blocks = _meter.create_counter(
    MODERATION_BLOCKS, unit="{request}", description="Prompts or completions blocked, by category."
)
upstream_retries = _meter.create_counter(
    UPSTREAM_RETRIES, unit="{attempt}", description="Upstream attempts retried on the same backend."
)
upstream_failovers = _meter.create_counter(
    UPSTREAM_FAILOVERS, unit="{attempt}", description="Upstream attempts moved to another backend."
)
queue_message_age = _meter.create_histogram(
    QUEUE_MESSAGE_AGE, unit="ms", description="Time from enqueue to the start of processing."
)
queue_poison = _meter.create_counter(
    QUEUE_POISON, unit="{message}", description="Messages moved (or about to be moved) to a poison queue."
)
conversation_turns = _meter.create_counter(
    CONVERSATION_TURNS,
    unit="{event}",
    description="conversation-events handled: appended, duplicate (key already stored) or refused.",
)


def record_http_request(method: str, route: str, status: int, duration_ms: float) -> None:
    labels: dict[str, str | int] = {
        attr.HTTP_REQUEST_METHOD: method,
        attr.HTTP_ROUTE: route,
        attr.HTTP_RESPONSE_STATUS_CODE: status,
    }
    http_requests.add(1, labels)
    http_duration.record(duration_ms, labels)


def record_time_to_first_token(duration_ms: float, *, model: str, backend: str | None = None) -> None:
    labels = {attr.GEN_AI_REQUEST_MODEL: model}
    if backend:
        labels[attr.UPSTREAM_BACKEND] = backend
    time_to_first_token.record(duration_ms, labels)


def record_tokens(*, tenant_hash: str, model: str, input_tokens: int, output_tokens: int) -> None:
    for token_type, count in (("input", input_tokens), ("output", output_tokens)):
        if count > 0:
            tokens.add(
                count,
                {
                    attr.TENANT_HASH: tenant_hash,
                    attr.GEN_AI_REQUEST_MODEL: model,
                    attr.GEN_AI_TOKEN_TYPE: token_type,
                },
            )


def record_quota_rejection(*, tenant_hash: str, limit: str) -> None:
    """`limit` names the quota that refused (e.g. `requests_per_minute`, `tokens_per_day`)."""
    quota_rejections.add(1, {attr.TENANT_HASH: tenant_hash, attr.QUOTA_LIMIT: limit})


def record_moderation_blocks(categories: Iterable[str], *, stage: str) -> None:
    """One count per blocking category; `stage` is `prompt` or `completion`."""
    for category in categories:
        moderation_blocks.add(1, {attr.MODERATION_CATEGORY: category, attr.MODERATION_STAGE: stage})


def record_upstream_retry(*, backend: str, reason: str) -> None:
    """`reason` is a short code (`429`, `503`, `timeout`, `connect`), never an error message."""
    upstream_retries.add(1, {attr.UPSTREAM_BACKEND: backend, attr.UPSTREAM_REASON: reason})


def record_upstream_failover(*, from_backend: str, to_backend: str, reason: str) -> None:
    upstream_failovers.add(
        1,
        {
            attr.UPSTREAM_BACKEND: from_backend,
            attr.UPSTREAM_TO_BACKEND: to_backend,
            attr.UPSTREAM_REASON: reason,
        },
    )


def record_queue_message_age(*, queue: str, age_ms: float) -> None:
    queue_message_age.record(max(age_ms, 0.0), {attr.QUEUE_NAME: queue})


def record_poison(*, queue: str, reason: str) -> None:
    """`reason` is `invalid` (moved at once) or `retries_exhausted` (the host moves it)."""
    queue_poison.add(1, {attr.QUEUE_NAME: queue, attr.QUEUE_POISON_REASON: reason})


def record_conversation_turn(outcome: str, refusal: str | None = None) -> None:
    """`outcome` is `appended`, `duplicate` or `refused`; `refusal` (`conversation_gone`, `invalid`) says why."""
    labels = {attr.TURN_OUTCOME: outcome}
    if refusal is not None:
        labels[attr.TURN_REFUSAL] = refusal
    conversation_turns.add(1, labels)
