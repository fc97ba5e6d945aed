"""Trace context crosses a Storage queue: the consumer continues the producer's trace."""

from __future__ import annotations

import asyncio
import base64
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import azure.functions as func
import pytest
from opentelemetry.trace import SpanKind
from pydantic import BaseModel

from devhost.function_index import index
from devhost.host_config import QueueOptions
from devhost.queue_host import QueueListener
from shared.identity.caller import Caller, CallerKind
from shared.queues.consumer import InvalidMessage, message_scope, parse_envelope, send_to_poison
from shared.queues.envelope import envelope_for
from shared.queues.producer import QueueProducer
from shared.telemetry import attributes as attr
from shared.telemetry.metrics import QUEUE_MESSAGE_AGE, QUEUE_POISON
from shared.telemetry.tracing import current_trace_ids, stage_span
from tests.telemetry.telemetry_support import Telemetry, all_attribute_text, hex_trace

OPTIONS = QueueOptions(
    batch_size=4,
    new_batch_threshold=2,
    max_polling_interval_s=0.2,
    visibility_timeout_s=0,
    max_dequeue_count=3,
)
SECRET_PROMPT = "my secret prompt about the merger with Contoso"


class Note(BaseModel):
    text: str


def _caller() -> Caller:
    return Caller(CallerKind.USER, tenant_id="tenant-a", user_id="user-1", issuer="local", capabilities=frozenset())


async def _fresh_queue(clients: Any) -> str:
    name = f"tq-{uuid.uuid4().hex[:12]}"
    await clients.queues.create_queue(name)
    await clients.queues.create_queue(f"{name}-poison")
    return name


async def test_consumer_continues_the_producers_trace_and_records_message_age(
    telemetry: Telemetry, clients: Any
) -> None:
    queue = await _fresh_queue(clients)
    seen: list[tuple[str, str] | None] = []
    done = asyncio.Event()

    async def handle(msg: func.QueueMessage) -> None:
        envelope = parse_envelope(msg.get_body(), Note)
        with message_scope(queue, envelope, dequeue_count=msg.dequeue_count):
            seen.append(current_trace_ids())
        done.set()

    app = func.FunctionApp()
    app.queue_trigger(arg_name="msg", queue_name=queue, connection="AzureWebJobsStorage")(handle)
    (function,) = index(app)[1]
    age_before = telemetry.total(QUEUE_MESSAGE_AGE, {attr.QUEUE_NAME: queue})

    with stage_span("POST /api/v1/chat/completions", kind=SpanKind.SERVER) as request:
        envelope = envelope_for(_caller(), "conversation.turn", Note(text=SECRET_PROMPT))
        await QueueProducer(clients.queues).send(queue, envelope)
    request_trace = format(request.get_span_context().trace_id, "032x")

    listener = QueueListener(function, clients.queues, OPTIONS)
    task = asyncio.create_task(listener.run())
    try:
        await asyncio.wait_for(done.wait(), 20)
    finally:
        await listener.stop(grace_s=2)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await listener.aclose()

    assert seen and seen[0] is not None and seen[0][0] == request_trace
    (send,) = telemetry.spans_named(f"send {queue}")
    (process,) = telemetry.spans_named(f"process {queue}")
    assert hex_trace(send) == hex_trace(process) == request_trace
    assert process.parent is not None and process.parent.span_id == send.context.span_id
    assert (process.attributes or {})[attr.QUEUE_ATTEMPT] == 1
    storage_calls = [s for s in telemetry.spans() if s.parent and s.parent.span_id == send.context.span_id]
    assert storage_calls, "the queue SDK's send should be traced under the producer span"
    assert telemetry.total(QUEUE_MESSAGE_AGE, {attr.QUEUE_NAME: queue}) == age_before + 1
    assert SECRET_PROMPT not in all_attribute_text(telemetry.spans())


async def test_message_age_is_time_since_the_envelope_was_created(telemetry: Telemetry) -> None:
    queue = f"age-{uuid.uuid4().hex[:8]}"
    envelope = envelope_for(_caller(), "t", Note(text="x"))
    envelope = envelope.model_copy(update={"created_at": datetime.now(UTC) - timedelta(seconds=3)})

    with message_scope(queue, envelope):
        pass

    (point,) = [p for p in telemetry.points(QUEUE_MESSAGE_AGE) if (p.attributes or {}).get(attr.QUEUE_NAME) == queue]
    assert 3000 <= point.sum < 13000  # type: ignore[union-attr]


async def test_consumer_without_trace_context_starts_its_own_trace(telemetry: Telemetry) -> None:
    envelope = envelope_for(_caller(), "t", Note(text="x"))
    assert envelope.traceparent is None

    with message_scope("untraced", envelope) as span:
        assert span.get_span_context().is_valid

    (process,) = telemetry.spans_named("process untraced")
    assert process.parent is None


async def test_failure_on_the_last_attempt_counts_as_poison(telemetry: Telemetry) -> None:
    queue = f"fail-{uuid.uuid4().hex[:8]}"
    labels = {attr.QUEUE_NAME: queue, attr.QUEUE_POISON_REASON: "retries_exhausted"}
    envelope = envelope_for(_caller(), "t", Note(text="x"))

    for attempt in (1, 5):
        with pytest.raises(RuntimeError), message_scope(queue, envelope, dequeue_count=attempt):
            raise RuntimeError("transient")

    assert telemetry.total(QUEUE_POISON, labels) == 1
    failed = telemetry.spans_named(f"process {queue}")
    assert len(failed) == 2
    assert all((span.attributes or {})[attr.ERROR_TYPE] == "RuntimeError" for span in failed)


async def test_invalid_message_sent_to_poison_is_counted(telemetry: Telemetry, clients: Any) -> None:
    queue = await _fresh_queue(clients)
    labels = {attr.QUEUE_NAME: queue, attr.QUEUE_POISON_REASON: "invalid"}
    body = b'{"not": "an envelope"}'
    with pytest.raises(InvalidMessage) as problem:
        parse_envelope(body, Note)

    await send_to_poison(clients.queues, queue, body, str(problem.value))

    assert telemetry.total(QUEUE_POISON, labels) == 1
    (message,) = await clients.queues.get_queue_client(f"{queue}-poison").peek_messages()
    assert base64.b64decode(message.content) == body
