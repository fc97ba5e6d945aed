"""The versioned envelope every queue message travels in."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from shared.identity.caller import Caller

P = TypeVar("P", bound=BaseModel)

TRACEPARENT_PATTERN = r"^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$"


class Envelope(BaseModel, Generic[P]):
    """Who the message acts for, how to deduplicate it, and the trace it continues."""

    model_config = ConfigDict(extra="forbid")

    schema_version: Literal[1] = 1
    type: str = Field(min_length=1, max_length=64)
    tenant: str = Field(min_length=1, max_length=128)
    user: str = Field(min_length=1, max_length=128)
    idempotency_key: str = Field(min_length=1, max_length=200)
    traceparent: str | None = Field(default=None, pattern=TRACEPARENT_PATTERN)
    tracestate: str | None = Field(default=None, max_length=512)
    request_id: str | None = Field(default=None, max_length=128)
    """The HTTP request that caused the message: the consumer's log lines carry it."""
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    payload: P


def envelope_for(
    caller: Caller,
    type: str,
    payload: P,
    *,
    idempotency_key: str | None = None,
    trace_headers: dict[str, str] | None = None,
) -> Envelope[P]:
    headers = trace_headers or {}
    return Envelope[P](
        type=type,
        tenant=caller.tenant_id,
        user=caller.user_id,
        idempotency_key=idempotency_key or uuid.uuid4().hex,
        traceparent=headers.get("traceparent"),
        tracestate=headers.get("tracestate"),
        payload=payload,
    )


def trace_carrier(envelope: Envelope[Any]) -> dict[str, str]:
    """The envelope's W3C trace context as a propagation carrier."""
    carrier = {}
    if envelope.traceparent:
        carrier["traceparent"] = envelope.traceparent
    if envelope.tracestate:
        carrier["tracestate"] = envelope.tracestate
    return carrier
