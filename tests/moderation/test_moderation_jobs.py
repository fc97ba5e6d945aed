"""The moderation-requests queue: idempotent results in Cosmos, the result queue, poison for invalid messages."""

from __future__ import annotations

import asyncio
import base64
import time
import uuid
from collections.abc import Sequence
from typing import Any

import pytest
from azure.storage.queue.aio import QueueClient

from shared.moderation.embedded import EmbeddedModerator
from shared.moderation.jobs import ModerationJob, ModerationJobResult, ModerationJobs, result_id, result_partition
from shared.moderation.models import ModerationResult, TextKind
from shared.moderation.outcomes import OutcomeRecorder
from shared.moderation.policy import PolicyStore, policy_from_setting
from shared.moderation.service import ModerationService
from shared.queues.envelope import Envelope
from shared.queues.producer import QueueProducer
from shared.resources import MODERATION, MODERATION_REQUESTS_QUEUE, poison_queue

VIOLENT = "I will stab you and massacre your whole family tonight."


class CountingModerator(EmbeddedModerator):
    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    async def analyze(self, text: str, *, kind: TextKind = "prompt", documents: Sequence[str] = ()) -> ModerationResult:
        self.calls += 1
        return await super().analyze(text, kind=kind, documents=documents)


def request(content: str, result_queue: str | None, tenant: str | None = None) -> Envelope[ModerationJob]:
    return Envelope[ModerationJob](
        type="moderation.request",
        tenant=tenant or f"t-{uuid.uuid4().hex[:8]}",
        user="svc-1",
        idempotency_key=uuid.uuid4().hex,
        payload=ModerationJob(content=content, result_queue=result_queue, metadata={"doc": "42"}),
    )


async def result_queue(clients: Any) -> QueueClient:
    queue: QueueClient = clients.queues.get_queue_client(f"modresults-{uuid.uuid4().hex[:12]}")
    await queue.create_queue()
    return queue


async def received(queue: QueueClient, count: int, timeout_s: float = 15.0) -> list[Envelope[ModerationJobResult]]:
    found: list[Envelope[ModerationJobResult]] = []
    deadline = time.monotonic() + timeout_s
    while len(found) < count and time.monotonic() < deadline:
        async for message in queue.receive_messages(max_messages=32):
            found.append(Envelope[ModerationJobResult].model_validate_json(base64.b64decode(message.content)))
            await queue.delete_message(message)
        if len(found) < count:
            await asyncio.sleep(0.1)
    return found


async def test_a_repeated_request_is_moderated_once_and_answered_once(clients) -> None:
    container = clients.database.get_container_client(MODERATION.name)
    moderator = CountingModerator()
    service = ModerationService(
        moderator, PolicyStore(container, policy_from_setting(None)), OutcomeRecorder(container)
    )
    jobs = ModerationJobs.from_clients(clients)
    queue = await result_queue(clients)
    envelope = request(VIOLENT, queue.queue_name)
    first = await jobs.process(envelope, service)
    again = await jobs.process(envelope, service)
    assert moderator.calls == 1
    assert first["id"] == again["id"] == result_id(envelope.tenant, envelope.idempotency_key)
    assert first["flagged"] is True and first["action"] == "block"
    assert first["result"]["categories"]["violence"] is True and "content" not in first

    stored = await container.read_item(first["id"], partition_key=result_partition(envelope.tenant))
    assert stored["result_posted"] is True and "stab" not in str(stored)
    [reply] = await received(queue, 1, timeout_s=2)
    assert reply.type == "moderation.result" and reply.idempotency_key == envelope.idempotency_key
    assert reply.payload.flagged and reply.payload.result_id == first["id"] and reply.payload.metadata == {"doc": "42"}
    assert await received(queue, 1, timeout_s=0.3) == []

    other_tenant = request(VIOLENT, None)
    other = await jobs.process(other_tenant.model_copy(update={"idempotency_key": envelope.idempotency_key}), service)
    assert other["id"] != first["id"] and moderator.calls == 2, "keys are scoped by tenant"
    await service.aclose()


def test_internal_queues_are_not_result_queues() -> None:
    with pytest.raises(ValueError):
        ModerationJob(content="x", result_queue=MODERATION_REQUESTS_QUEUE)
    with pytest.raises(ValueError):
        ModerationJob(content="x", result_queue="Not_A_Queue")


async def test_queue_trigger_end_to_end_and_poison(devhost, clients) -> None:
    queue = await result_queue(clients)
    clean = request("Please summarise the onboarding guide.", queue.queue_name)
    await QueueProducer(clients.queues).send(MODERATION_REQUESTS_QUEUE, clean)
    [reply] = await received(queue, 1)
    assert reply.idempotency_key == clean.idempotency_key
    assert reply.payload.flagged is False and reply.payload.action == "allow"
    container = clients.database.get_container_client(MODERATION.name)
    stored = await container.read_item(reply.payload.result_id, partition_key=result_partition(clean.tenant))
    assert stored["flagged"] is False

    marker = uuid.uuid4().hex.encode()
    await clients.queues.get_queue_client(MODERATION_REQUESTS_QUEUE).send_message(
        base64.b64encode(b'{"payload": {"content": "' + marker + b'"}}').decode()
    )
    poison = clients.queues.get_queue_client(poison_queue(MODERATION_REQUESTS_QUEUE))
    deadline = time.monotonic() + 15
    seen = False
    while not seen and time.monotonic() < deadline:
        async for message in poison.receive_messages(max_messages=32, visibility_timeout=1):
            seen = seen or marker in base64.b64decode(message.content)
        await asyncio.sleep(0.2)
    assert seen
