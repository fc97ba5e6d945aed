"""Work done after the requests it serves (usage flush, moderation-outcome writes) runs in a trace of
its own, linked to those requests, with its Cosmos calls as children: never a late child of a request."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from opentelemetry.trace import SpanKind

from shared.gateway.usage import UsageRecorder
from shared.identity.caller import Caller, CallerKind
from shared.moderation.outcomes import OutcomeRecorder
from shared.resources import MODERATION, USAGE
from shared.telemetry.tracing import stage_span
from tests.telemetry.telemetry_support import Telemetry, hex_trace

pytestmark = pytest.mark.stack


def _check(telemetry: Telemetry, name: str, requests: list[Any]) -> None:
    (background,) = telemetry.spans_named(name)
    assert background.parent is None
    assert hex_trace(background) not in {format(r.get_span_context().trace_id, "032x") for r in requests}
    assert sorted(link.context.span_id for link in background.links) == sorted(
        r.get_span_context().span_id for r in requests
    )
    writes = [s for s in telemetry.spans() if s.parent is not None and s.parent.span_id == background.context.span_id]
    assert writes, "the Cosmos writes are children of the background span"
    for request in requests:
        request_id = request.get_span_context().span_id
        assert not [s for s in telemetry.spans() if s.parent is not None and s.parent.span_id == request_id]


async def test_usage_flush_is_its_own_trace_linked_to_the_requests(telemetry: Telemetry, clients: Any) -> None:
    recorder = UsageRecorder(clients.database.get_container_client(USAGE.name), flush_interval_s=60)
    requests = []
    for number in range(2):
        caller = Caller(CallerKind.USER, f"t-{uuid.uuid4().hex[:8]}", f"u-{number}")
        with stage_span(f"POST request {number}", kind=SpanKind.SERVER) as request:
            recorder.record(caller, "gpt-4o-mini", 10, 5)
        requests.append(request)

    await recorder.aclose()

    _check(telemetry, "usage flush", requests)


async def test_moderation_outcomes_are_written_in_their_own_trace(telemetry: Telemetry, clients: Any) -> None:
    recorder = OutcomeRecorder(clients.database.get_container_client(MODERATION.name), flush_interval_s=60)
    partition = f"moderation:{uuid.uuid4().hex[:8]}"
    with stage_span("POST /api/v1/moderations", kind=SpanKind.SERVER) as request:
        recorder.record({"id": uuid.uuid4().hex, "pk": partition, "type": "moderation_outcome"})

    await recorder.aclose()

    _check(telemetry, "moderation outcomes write", [request])
