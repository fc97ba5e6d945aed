"""The record_* helpers feed instruments with stable names and bounded attributes."""

from __future__ import annotations

import uuid

from shared.telemetry import attributes as attr
from shared.telemetry import metrics
from tests.telemetry.telemetry_support import Telemetry


def _unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def test_tokens_are_counted_by_tenant_model_and_type(telemetry: Telemetry) -> None:
    tenant, model = _unique("tenant"), _unique("model")

    metrics.record_tokens(tenant_hash=tenant, model=model, input_tokens=120, output_tokens=30)
    metrics.record_tokens(tenant_hash=tenant, model=model, input_tokens=5, output_tokens=0)

    base = {attr.TENANT_HASH: tenant, attr.GEN_AI_REQUEST_MODEL: model}
    assert telemetry.total(metrics.TOKENS, {**base, attr.GEN_AI_TOKEN_TYPE: "input"}) == 125
    assert telemetry.total(metrics.TOKENS, {**base, attr.GEN_AI_TOKEN_TYPE: "output"}) == 30


def test_time_to_first_token_is_a_histogram_in_ms(telemetry: Telemetry) -> None:
    model = _unique("model")

    metrics.record_time_to_first_token(250.0, model=model, backend="eastus")
    metrics.record_time_to_first_token(750.0, model=model, backend="eastus")

    (point,) = [
        p
        for p in telemetry.points(metrics.TIME_TO_FIRST_TOKEN)
        if (p.attributes or {}).get(attr.GEN_AI_REQUEST_MODEL) == model
    ]
    assert point.count == 2  # type: ignore[union-attr]
    assert point.sum == 1000.0  # type: ignore[union-attr]
    assert (point.attributes or {})[attr.UPSTREAM_BACKEND] == "eastus"


def test_quota_rejections_and_moderation_blocks(telemetry: Telemetry) -> None:
    tenant = _unique("tenant")
    stage = _unique("stage")

    metrics.record_quota_rejection(tenant_hash=tenant, limit="tokens_per_minute")
    metrics.record_quota_rejection(tenant_hash=tenant, limit="tokens_per_minute")
    metrics.record_moderation_blocks(["hate", "violence"], stage=stage)
    metrics.record_moderation_blocks(["hate"], stage=stage)

    assert (
        telemetry.total(metrics.QUOTA_REJECTIONS, {attr.TENANT_HASH: tenant, attr.QUOTA_LIMIT: "tokens_per_minute"})
        == 2
    )
    assert (
        telemetry.total(metrics.MODERATION_BLOCKS, {attr.MODERATION_STAGE: stage, attr.MODERATION_CATEGORY: "hate"})
        == 2
    )
    assert (
        telemetry.total(metrics.MODERATION_BLOCKS, {attr.MODERATION_STAGE: stage, attr.MODERATION_CATEGORY: "violence"})
        == 1
    )


def test_upstream_retries_and_failovers(telemetry: Telemetry) -> None:
    primary, secondary = _unique("primary"), _unique("secondary")

    metrics.record_upstream_retry(backend=primary, reason="429")
    metrics.record_upstream_retry(backend=primary, reason="timeout")
    metrics.record_upstream_failover(from_backend=primary, to_backend=secondary, reason="503")

    assert telemetry.total(metrics.UPSTREAM_RETRIES, {attr.UPSTREAM_BACKEND: primary}) == 2
    assert telemetry.total(metrics.UPSTREAM_RETRIES, {attr.UPSTREAM_BACKEND: primary, attr.UPSTREAM_REASON: "429"}) == 1
    assert (
        telemetry.total(
            metrics.UPSTREAM_FAILOVERS, {attr.UPSTREAM_BACKEND: primary, attr.UPSTREAM_TO_BACKEND: secondary}
        )
        == 1
    )


def test_queue_age_and_poison(telemetry: Telemetry) -> None:
    queue = _unique("queue")

    metrics.record_queue_message_age(queue=queue, age_ms=40.0)
    metrics.record_queue_message_age(queue=queue, age_ms=-5.0)  # clock skew never yields a negative age
    metrics.record_poison(queue=queue, reason="invalid")

    (age,) = [
        p for p in telemetry.points(metrics.QUEUE_MESSAGE_AGE) if (p.attributes or {}).get(attr.QUEUE_NAME) == queue
    ]
    assert (age.count, age.sum, age.min) == (2, 40.0, 0.0)  # type: ignore[union-attr]
    assert telemetry.total(metrics.QUEUE_POISON, {attr.QUEUE_NAME: queue, attr.QUEUE_POISON_REASON: "invalid"}) == 1


def test_metric_attributes_are_all_allow_listed(telemetry: Telemetry) -> None:
    metrics.record_tokens(tenant_hash="t", model="m", input_tokens=1, output_tokens=1)
    metrics.record_http_request("GET", "/api/x", 200, 1.0)

    names = {
        key
        for metric in (metrics.TOKENS, metrics.HTTP_REQUESTS)
        for p in telemetry.points(metric)
        for key in (p.attributes or {})
    }
    assert names and names <= attr.ALLOWED
