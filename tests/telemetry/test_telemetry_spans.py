"""Span helpers: attribute allow-list, failure marking, W3C propagation, once-per-process set-up."""

from __future__ import annotations

from typing import Any

import pytest
from opentelemetry import trace
from opentelemetry.trace import SpanKind, StatusCode

from shared.gateway.pool import Backend
from shared.gateway.spans import end_answered, start_attempt
from shared.identity.caller import Caller, CallerKind
from shared.settings import BackendSettings, load_settings
from shared.telemetry import attributes as attr
from shared.telemetry import setup
from shared.telemetry.attributes import sanitize
from shared.telemetry.tracing import annotate, continue_trace, inject_trace_headers, stage_span
from tests.telemetry.telemetry_support import Telemetry, all_attribute_text, hex_trace, use_in_memory_telemetry

PROMPT = "Summarise the board minutes for Project Falcon"


def test_sanitize_keeps_allow_listed_scalars_only() -> None:
    clean = sanitize(
        {
            attr.GEN_AI_REQUEST_MODEL: "gpt-4o-mini",
            attr.GEN_AI_USAGE_INPUT_TOKENS: 12,
            attr.GEN_AI_RESPONSE_FINISH_REASONS: ["stop"],
            attr.UPSTREAM_ATTEMPT: 2,
            "gen_ai.prompt": PROMPT,
            "copilot.messages": [{"role": "user", "content": PROMPT}],
            attr.MODERATION_OUTCOME: "x" * 1000,
            attr.QUOTA_DECISION: None,
        }
    )

    assert clean == {
        attr.GEN_AI_REQUEST_MODEL: "gpt-4o-mini",
        attr.GEN_AI_USAGE_INPUT_TOKENS: 12,
        attr.GEN_AI_RESPONSE_FINISH_REASONS: ("stop",),
        attr.UPSTREAM_ATTEMPT: 2,
    }


def test_stage_spans_never_carry_prompt_text(telemetry: Telemetry) -> None:
    with stage_span("moderation", {attr.MODERATION_OUTCOME: "allowed", "prompt": PROMPT}) as span:
        annotate({attr.GEN_AI_USAGE_OUTPUT_TOKENS: 7, "gen_ai.completion": PROMPT})
        annotate({attr.QUOTA_DECISION: "allow"}, span)

    (recorded,) = telemetry.spans_named("moderation")
    assert dict(recorded.attributes or {}) == {
        attr.MODERATION_OUTCOME: "allowed",
        attr.GEN_AI_USAGE_OUTPUT_TOKENS: 7,
        attr.QUOTA_DECISION: "allow",
    }
    assert PROMPT not in all_attribute_text(telemetry.spans())


def test_a_failing_stage_records_error_type_but_not_the_message(telemetry: Telemetry) -> None:
    with pytest.raises(ValueError), stage_span("quota"):
        raise ValueError(PROMPT)

    (recorded,) = telemetry.spans_named("quota")
    assert recorded.status.status_code is StatusCode.ERROR
    assert (recorded.attributes or {})[attr.ERROR_TYPE] == "ValueError"
    assert recorded.events == ()
    assert PROMPT not in all_attribute_text([recorded])


def test_trace_headers_round_trip_and_link_the_invocation(telemetry: Telemetry) -> None:
    with stage_span("producer"):
        headers = inject_trace_headers()
    assert set(headers) >= {"traceparent"}

    with stage_span("host invocation", kind=SpanKind.SERVER), continue_trace(headers, "consumer"):
        pass

    (producer,) = telemetry.spans_named("producer")
    (invocation,) = telemetry.spans_named("host invocation")
    (consumer,) = telemetry.spans_named("consumer")
    assert hex_trace(consumer) == hex_trace(producer) != hex_trace(invocation)
    assert consumer.parent is not None and consumer.parent.span_id == producer.context.span_id
    assert consumer.kind is SpanKind.CONSUMER
    assert [link.context.span_id for link in consumer.links] == [invocation.context.span_id]


def test_no_current_trace_means_no_headers_and_an_empty_carrier_keeps_the_current_parent(
    telemetry: Telemetry,
) -> None:
    assert not trace.get_current_span().get_span_context().is_valid
    assert inject_trace_headers() == {}

    with stage_span("invocation"), continue_trace({"traceparent": "garbage"}, "consumer"):
        pass

    (invocation,) = telemetry.spans_named("invocation")
    (consumer,) = telemetry.spans_named("consumer")
    assert consumer.parent is not None and consumer.parent.span_id == invocation.context.span_id


def test_set_up_happens_once_per_process(telemetry: Telemetry, stack: Any) -> None:
    assert use_in_memory_telemetry() == (telemetry.exporter, telemetry.reader)
    provider = trace.get_tracer_provider()
    settings = load_settings(APPLICATIONINSIGHTS_CONNECTION_STRING="InstrumentationKey=00000000-0000-0000-0000-0")

    assert setup.configure_telemetry(settings) == "in_memory"
    assert trace.get_tracer_provider() is provider


@pytest.mark.parametrize(
    ("auth", "expects_credential"),
    [
        ("Authorization=AAD", True),
        ("Authorization=AAD;ClientId=1111", True),
        ("", False),
        ("Authorization=X", False),
    ],
)
def test_entra_auth_uses_a_managed_identity(auth: str, expects_credential: bool, stack: Any) -> None:
    settings = load_settings(APPLICATIONINSIGHTS_AUTHENTICATION_STRING=auth)

    credential = setup._entra_credential(settings)

    assert (credential is not None) is expects_credential
    if credential is not None:
        assert type(credential).__name__ == "ManagedIdentityCredential"


def test_a_stage_inside_an_unsampled_local_trace_makes_no_span(telemetry: Telemetry) -> None:
    unsampled = trace.SpanContext(0x1234, 0x5678, is_remote=False, trace_flags=trace.TraceFlags(0))
    parent = trace.NonRecordingSpan(unsampled)
    with trace.use_span(parent), stage_span("moderation", {attr.MODERATION_STAGE: "prompt"}) as span:
        assert span is parent
        assert trace.get_current_span() is parent
        annotate({attr.MODERATION_OUTCOME: "allowed"}, span)
    with pytest.raises(ValueError), trace.use_span(parent), stage_span("quota"):
        raise ValueError(PROMPT)

    assert telemetry.spans() == []


def test_a_stage_inside_a_sampled_trace_is_its_child(telemetry: Telemetry) -> None:
    with stage_span("request") as root, stage_span("moderation") as child:
        assert child is not root
        assert child.get_span_context().trace_id == root.get_span_context().trace_id

    (recorded,) = telemetry.spans_named("moderation")
    assert recorded.parent is not None
    assert recorded.parent.span_id == root.get_span_context().span_id


def test_an_upstream_attempt_span_is_made_only_in_a_sampled_trace(telemetry: Telemetry) -> None:
    settings = BackendSettings(alias="m", endpoint="https://example.openai.azure.com", deployment="d", name="b")
    backend = Backend(settings, "https://example.openai.azure.com/x")
    caller = Caller(CallerKind.USER, tenant_id="t", user_id="u")
    unsampled = trace.NonRecordingSpan(trace.SpanContext(0x1234, 0x5678, is_remote=False))
    with trace.use_span(unsampled):
        span = start_attempt(caller, "m", backend, 1, streaming=True)
        assert span is unsampled
        end_answered(span, response_model="m")
    assert telemetry.spans() == []

    with stage_span("request"):
        span = start_attempt(caller, "m", backend, 1, streaming=True)
        end_answered(span, response_model="m")
    (attempt,) = telemetry.spans_named("chat m")
    assert attempt.kind is SpanKind.CLIENT
