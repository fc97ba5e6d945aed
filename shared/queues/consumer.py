"""Parses a queue message into an envelope; a message that can never parse is poison at once."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

from azure.storage.queue.aio import QueueServiceClient
from opentelemetry.trace import Span
from pydantic import BaseModel, ValidationError

from shared.queues.contract import QueueContract
from shared.queues.envelope import Envelope, trace_carrier
from shared.resources import poison_queue
from shared.telemetry import attributes as attr
from shared.telemetry.logging import request_id_var
from shared.telemetry.metrics import record_poison, record_queue_message_age
from shared.telemetry.tracing import continue_trace

logger = logging.getLogger(__name__)

P = TypeVar("P", bound=BaseModel)


class InvalidMessage(Exception):
    """The message can never be processed; it belongs on the poison queue, with this reason."""


def parse_envelope(body: bytes, payload_type: type[P]) -> Envelope[P]:
    try:
        return Envelope[payload_type].model_validate_json(body)  # type: ignore[valid-type]
    except ValidationError as error:
        problem = error.errors()[0]
        where = ".".join(str(part) for part in problem["loc"])
        raise InvalidMessage(f"{where}: {problem['msg']}") from None


def parse_message(contract: QueueContract[P], body: bytes) -> Envelope[P]:
    """The envelope in `body` if it is the queue's message; else `InvalidMessage` naming the first
    problem, a wrong `type` before anything else (a guessed type is the likeliest producer mistake)."""
    try:
        envelope = parse_envelope(body, contract.message.payload)
    except InvalidMessage:
        _check_type(contract, _declared_type(body))
        raise
    _check_type(contract, envelope.type)
    return envelope


def _check_type(contract: QueueContract[Any], found: object) -> None:
    if isinstance(found, str) and found != contract.message.type:
        raise InvalidMessage(f"type: {contract.queue} takes {contract.message.type!r}, not {found!r}")


def _declared_type(body: bytes) -> object:
    try:
        document = json.loads(body)
    except ValueError:
        return None
    return document.get("type") if isinstance(document, dict) else None


def describe(envelope: Envelope[Any]) -> dict[str, str]:
    """Log fields for a message: never its payload."""
    return {"type": envelope.type, "idempotency_key": envelope.idempotency_key}


async def send_to_poison(service: QueueServiceClient, queue: str, body: bytes, reason: str) -> None:
    """Move an unprocessable message to `<queue>-poison` at once, body intact, instead of retrying it."""
    client = service.get_queue_client(poison_queue(queue))
    await client.send_message(base64.b64encode(body).decode())
    record_poison(queue=queue, reason="invalid")
    logger.error("queue %s: message moved to %s: %s", queue, poison_queue(queue), reason)


HOST_MAX_DEQUEUE_COUNT = 5
"""host.json `extensions.queues.maxDequeueCount`: after this many failures the host poisons a message."""


@contextmanager
def message_scope(
    queue: str,
    envelope: Envelope[Any],
    *,
    dequeue_count: int | None = None,
    max_dequeue_count: int = HOST_MAX_DEQUEUE_COUNT,
) -> Iterator[Span]:
    """Process a message inside the producer's trace, with the originating request id on its log lines,
    and record how long it waited in the queue.

    A failure on the last allowed attempt counts as poison: the host moves that message itself.
    """
    waited = datetime.now(UTC) - envelope.created_at
    record_queue_message_age(queue=queue, age_ms=waited.total_seconds() * 1000)
    span_attributes = {
        attr.MESSAGING_DESTINATION_NAME: queue,
        attr.MESSAGING_OPERATION_TYPE: "process",
        attr.QUEUE_MESSAGE_TYPE: envelope.type,
        attr.QUEUE_ATTEMPT: dequeue_count,
    }
    request_token = request_id_var.set(envelope.request_id)
    try:
        with continue_trace(trace_carrier(envelope), f"process {queue}", span_attributes) as span:
            try:
                yield span
            except Exception:
                if dequeue_count is not None and dequeue_count >= max_dequeue_count:
                    record_poison(queue=queue, reason="retries_exhausted")
                raise
    finally:
        request_id_var.reset(request_token)


async def consume(
    queues: QueueServiceClient,
    contract: QueueContract[P],
    body: bytes,
    dequeue_count: int,
    process: Callable[[Envelope[P]], Awaitable[None]],
) -> None:
    """One message of the contract's queue: parse and check it, continue its trace, process it.

    `InvalidMessage`, at parse time (not JSON, not the envelope, another `type`, an invalid payload)
    or from `process`, moves the message to `<queue>-poison` at once; any other exception propagates
    so the host retries the message (and poisons it after `maxDequeueCount` attempts).
    """
    queue = contract.queue
    try:
        envelope = parse_message(contract, body)
    except InvalidMessage as invalid:
        await send_to_poison(queues, queue, body, str(invalid))
        return
    with message_scope(queue, envelope, dequeue_count=dequeue_count):
        try:
            await process(envelope)
        except InvalidMessage as invalid:
            await send_to_poison(queues, queue, body, str(invalid))
