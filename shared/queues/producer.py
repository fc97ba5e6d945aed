"""Sends envelopes to Storage queues in the encoding host.json declares (base64)."""

from __future__ import annotations

import base64
from typing import Any

from azure.storage.queue.aio import QueueServiceClient
from opentelemetry.trace import SpanKind

from shared.queues.envelope import Envelope
from shared.telemetry import attributes as attr
from shared.telemetry.logging import request_id_var
from shared.telemetry.tracing import inject_trace_headers, stage_span


def encode(envelope: Envelope[Any]) -> str:
    return base64.b64encode(envelope.model_dump_json().encode()).decode()


class QueueProducer:
    def __init__(self, service: QueueServiceClient) -> None:
        self._service = service

    async def send(self, queue: str, envelope: Envelope[Any], *, visibility_timeout_s: int | None = None) -> str:
        client = self._service.get_queue_client(queue)
        span_attributes = {
            attr.MESSAGING_DESTINATION_NAME: queue,
            attr.MESSAGING_OPERATION_TYPE: "send",
            attr.QUEUE_MESSAGE_TYPE: envelope.type,
        }
        with stage_span(f"send {queue}", span_attributes, kind=SpanKind.PRODUCER):
            if envelope.traceparent is None:
                headers = inject_trace_headers()
                fields = {key: headers.get(key) for key in ("traceparent", "tracestate")}
                envelope = envelope.model_copy(update=fields)
            if envelope.request_id is None and request_id_var.get() is not None:
                envelope = envelope.model_copy(update={"request_id": request_id_var.get()})
            sent = await client.send_message(encode(envelope), visibility_timeout=visibility_timeout_s)
        return str(sent.id)
