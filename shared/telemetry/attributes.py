"""Span and metric attribute names, and the allow-list that keeps prompt text and secrets out of them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from opentelemetry.util.types import AttributeValue

# GenAI semantic conventions (gen_ai.provider.name replaced gen_ai.system).
GEN_AI_PROVIDER_NAME = "gen_ai.provider.name"
GEN_AI_OPERATION_NAME = "gen_ai.operation.name"
GEN_AI_REQUEST_MODEL = "gen_ai.request.model"
GEN_AI_RESPONSE_MODEL = "gen_ai.response.model"
GEN_AI_USAGE_INPUT_TOKENS = "gen_ai.usage.input_tokens"
GEN_AI_USAGE_OUTPUT_TOKENS = "gen_ai.usage.output_tokens"
GEN_AI_RESPONSE_FINISH_REASONS = "gen_ai.response.finish_reasons"
GEN_AI_REQUEST_STREAM = "gen_ai.request.stream"
GEN_AI_TOKEN_TYPE = "gen_ai.token.type"

# HTTP, server and messaging semantic conventions.
HTTP_REQUEST_METHOD = "http.request.method"
HTTP_ROUTE = "http.route"
HTTP_RESPONSE_STATUS_CODE = "http.response.status_code"
ERROR_TYPE = "error.type"
MESSAGING_OPERATION_TYPE = "messaging.operation.type"
MESSAGING_DESTINATION_NAME = "messaging.destination.name"

# Ours.
REQUEST_ID = "copilot.request_id"
CALLER_KIND = "copilot.caller.kind"
TENANT_HASH = "copilot.tenant_hash"
TURN_OUTCOME = "copilot.conversation.turn_outcome"
TURN_REFUSAL = "copilot.conversation.refusal"
MODERATION_OUTCOME = "copilot.moderation.outcome"
MODERATION_CATEGORY = "copilot.moderation.category"
MODERATION_STAGE = "copilot.moderation.stage"
QUOTA_DECISION = "copilot.quota.decision"
QUOTA_LIMIT = "copilot.quota.limit"
UPSTREAM_BACKEND = "copilot.upstream.backend"
UPSTREAM_ATTEMPT = "copilot.upstream.attempt"
UPSTREAM_REASON = "copilot.upstream.reason"
UPSTREAM_TO_BACKEND = "copilot.upstream.to_backend"
TIME_TO_FIRST_TOKEN_MS = "copilot.gen_ai.time_to_first_token_ms"
QUEUE_NAME = "copilot.queue.name"
QUEUE_MESSAGE_TYPE = "copilot.queue.message_type"
QUEUE_ATTEMPT = "copilot.queue.attempt"
QUEUE_POISON_REASON = "copilot.queue.poison_reason"

ALLOWED: frozenset[str] = frozenset(
    value for name, value in dict(globals()).items() if name.isupper() and isinstance(value, str)
)
MAX_STRING_CHARS = 256
MAX_SEQUENCE_ITEMS = 16


def _clean_value(value: Any) -> AttributeValue | None:
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return value if len(value) <= MAX_STRING_CHARS else None
    if isinstance(value, Sequence) and not isinstance(value, bytes | bytearray):
        items = [item for item in value if isinstance(item, str) and len(item) <= MAX_STRING_CHARS]
        return tuple(items[:MAX_SEQUENCE_ITEMS]) if items else None
    return None


def sanitize(attributes: Mapping[str, Any] | None) -> dict[str, AttributeValue]:
    """Keep only allow-listed names with short scalar values: free text (prompts, keys) never passes."""
    if not attributes:
        return {}
    clean: dict[str, AttributeValue] = {}
    for name, value in attributes.items():
        if name not in ALLOWED or value is None:
            continue
        cleaned = _clean_value(value)
        if cleaned is not None:
            clean[name] = cleaned
    return clean
