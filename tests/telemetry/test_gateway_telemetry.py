"""Gateway telemetry on in-process simulators: a CLIENT span per upstream attempt, failover and token
metrics, the quota span and rejection metric, and spans of the completion-jobs consumer."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import Any

import pytest
from opentelemetry.trace import SpanKind, StatusCode

from devhost.simulators.aoai import FaultSpec
from shared.errors import ApiError
from shared.gateway.jobs import CompletionJob
from shared.gateway.spans import record_next_attempt
from shared.identity.caller import Caller
from shared.queues.envelope import Envelope
from shared.queues.producer import QueueProducer
from shared.quota.service import QuotaService
from shared.resources import COMPLETION_JOBS_QUEUE, QUOTAS
from shared.settings import load_settings
from shared.telemetry import attributes as attr
from shared.telemetry.metrics import QUOTA_REJECTIONS, TOKENS, UPSTREAM_FAILOVERS, UPSTREAM_RETRIES
from shared.telemetry.tracing import stage_span
from tests.gateway.gateway_helpers import ALIAS, backend, chat, drain, make_service, new_caller, simulators
from tests.telemetry.telemetry_support import Telemetry, all_attribute_text, hex_trace

pytestmark = pytest.mark.stack

PROMPT_SECRET = "the launch code is 0000, tell nobody"


async def test_failover_yields_a_client_span_per_attempt_and_a_failover_count(telemetry: Telemetry, clients) -> None:
    async with simulators(2) as (first, second):
        first.queue_faults(FaultSpec(kind="status", status=503))
        service = make_service(clients, [backend(first, priority=1), backend(second, priority=2)])
        names = [b.name for b in service.pool.backends[ALIAS]]
        failover = {attr.UPSTREAM_BACKEND: names[0], attr.UPSTREAM_TO_BACKEND: names[1], attr.UPSTREAM_REASON: "503"}
        failovers_before = telemetry.total(UPSTREAM_FAILOVERS, failover)
        caller = new_caller()
        tokens = {attr.TENANT_HASH: caller.tenant_hash, attr.GEN_AI_REQUEST_MODEL: ALIAS}

        with stage_span("POST /api/v1/chat/completions", kind=SpanKind.SERVER) as request:
            result = await service.complete(caller, chat(f"{PROMPT_SECRET} [[sim:reply:Fine, thanks.]]"))

    usage = json.loads(result.body)["usage"]
    attempts = sorted(telemetry.spans_named(f"chat {ALIAS}"), key=lambda span: span.start_time or 0)
    assert len(attempts) == 2
    assert all(span.kind is SpanKind.CLIENT for span in attempts)
    assert all(
        span.parent is not None and span.parent.span_id == request.get_span_context().span_id for span in attempts
    )
    failed, answered = (dict(span.attributes or {}) for span in attempts)
    assert attempts[0].status.status_code is StatusCode.ERROR
    assert failed[attr.UPSTREAM_ATTEMPT] == 1 and failed[attr.UPSTREAM_BACKEND] == names[0]
    assert failed[attr.UPSTREAM_REASON] == "503" and failed[attr.HTTP_RESPONSE_STATUS_CODE] == 503
    assert attempts[1].status.status_code is not StatusCode.ERROR
    assert answered[attr.UPSTREAM_ATTEMPT] == 2 and answered[attr.UPSTREAM_BACKEND] == names[1]
    assert answered[attr.GEN_AI_USAGE_INPUT_TOKENS] == usage["prompt_tokens"]
    assert answered[attr.GEN_AI_USAGE_OUTPUT_TOKENS] == usage["completion_tokens"]
    assert answered[attr.GEN_AI_RESPONSE_FINISH_REASONS] == ("stop",)
    assert attr.TIME_TO_FIRST_TOKEN_MS not in answered, "only streams have a first token"
    assert telemetry.total(UPSTREAM_FAILOVERS, failover) == failovers_before + 1
    assert telemetry.total(TOKENS, {**tokens, attr.GEN_AI_TOKEN_TYPE: "input"}) == usage["prompt_tokens"]
    assert telemetry.total(TOKENS, {**tokens, attr.GEN_AI_TOKEN_TYPE: "output"}) == usage["completion_tokens"]
    assert PROMPT_SECRET not in all_attribute_text(telemetry.spans())


async def test_stream_span_ends_with_the_stream_and_carries_its_outcome(telemetry: Telemetry, clients) -> None:
    async with simulators(1, first_token_ms=30) as (sim,):
        service = make_service(clients, [backend(sim)])
        started = time.monotonic()
        result = await service.complete(new_caller(), chat("[[sim:reply:One two three.]]", stream=True))
        assert result.stream is not None
        assert not telemetry.spans_named(f"chat {ALIAS}"), "the span stays open while the stream is relayed"
        await drain(result.stream)
        whole_call_ms = (time.monotonic() - started) * 1000

    (span,) = telemetry.spans_named(f"chat {ALIAS}")
    details: dict[str, Any] = dict(span.attributes or {})
    assert details[attr.GEN_AI_REQUEST_STREAM] is True
    assert details[attr.GEN_AI_RESPONSE_FINISH_REASONS] == ("stop",)
    assert details[attr.GEN_AI_USAGE_OUTPUT_TOKENS] > 0
    assert 25 <= details[attr.TIME_TO_FIRST_TOKEN_MS] <= whole_call_ms, "at least the model's delay, within the call"


def test_a_retry_on_the_same_deployment_is_not_a_failover(telemetry: Telemetry) -> None:
    class Named:
        def __init__(self, name: str) -> None:
            self.name = name

    same = {attr.UPSTREAM_BACKEND: "https://a/x", attr.UPSTREAM_REASON: "timeout"}
    before = telemetry.total(UPSTREAM_RETRIES, same)
    record_next_attempt(Named("https://a/x"), Named("https://a/x"), "timeout")  # type: ignore[arg-type]
    assert telemetry.total(UPSTREAM_RETRIES, same) == before + 1


async def test_quota_span_and_rejection_metric(telemetry: Telemetry, clients) -> None:
    settings = load_settings(QUOTA_USER_TPM="1000")
    quota = QuotaService(clients.database.get_container_client(QUOTAS.name), settings)
    caller: Caller = new_caller()
    rejected = {attr.TENANT_HASH: caller.tenant_hash, attr.QUOTA_LIMIT: "user_tokens_per_minute"}
    try:
        with stage_span("request", kind=SpanKind.SERVER) as request:
            reservation = await quota.reserve(caller, ALIAS, 100)
            await quota.reconcile(reservation, 100)
            with pytest.raises(ApiError) as refused:
                await quota.reserve(caller, ALIAS, 5000)
    finally:
        await quota.aclose()

    assert refused.value.status == 429
    admitted, rejection = sorted(telemetry.spans_named("quota"), key=lambda span: span.start_time or 0)
    assert hex_trace(admitted) == hex_trace(rejection) == format(request.get_span_context().trace_id, "032x")
    assert dict(admitted.attributes or {}) == {attr.QUOTA_DECISION: "admitted"}
    assert dict(rejection.attributes or {}) == {
        attr.QUOTA_DECISION: "rejected",
        attr.QUOTA_LIMIT: "user_tokens_per_minute",
    }
    assert rejection.status.status_code is not StatusCode.ERROR, "a refusal is a decision, not a failure"
    assert telemetry.total(QUOTA_REJECTIONS, rejected) == 1


async def test_completion_job_continues_the_producers_trace(telemetry: Telemetry, devhost, clients) -> None:
    envelope = Envelope[CompletionJob](
        type="completion.job",
        tenant="t-jobs",
        user=f"u-{uuid.uuid4().hex[:8]}",
        idempotency_key=uuid.uuid4().hex,
        payload=CompletionJob(
            model="gpt-4o-mini",
            request={"messages": [{"role": "user", "content": f"{PROMPT_SECRET} [[sim:reply:ok]]"}]},
        ),
    )
    with stage_span("POST /api/v1/titles", kind=SpanKind.SERVER) as request:
        await QueueProducer(clients.queues).send(COMPLETION_JOBS_QUEUE, envelope)
    trace_id = format(request.get_span_context().trace_id, "032x")

    deadline, consumer, upstream = time.monotonic() + 20, list[Any](), list[Any]()
    while not (consumer and upstream) and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
        in_trace = [span for span in telemetry.spans() if hex_trace(span) == trace_id]
        consumer = [span for span in in_trace if span.name == f"process {COMPLETION_JOBS_QUEUE}"]
        upstream = [span for span in in_trace if span.name == "chat gpt-4o-mini"]
    assert consumer and consumer[0].kind is SpanKind.CONSUMER
    assert (consumer[0].attributes or {})[attr.QUEUE_ATTEMPT] == 1
    assert upstream and upstream[0].kind is SpanKind.CLIENT
    assert PROMPT_SECRET not in all_attribute_text(telemetry.spans())
