"""The completion-jobs queue: idempotent runs, stored results, result queue, poison for invalid messages."""

from __future__ import annotations

import asyncio
import base64
import time
import uuid
from typing import Any

import pytest
from azure.storage.queue.aio import QueueClient

from devhost.simulators.aoai import FaultSpec
from shared.errors import ApiError
from shared.gateway.jobs import CompletionJob, CompletionJobResult, CompletionJobs
from shared.queues.envelope import Envelope
from shared.queues.producer import QueueProducer
from shared.resources import COMPLETION_JOBS_QUEUE, poison_queue
from tests.gateway.gateway_helpers import ALIAS, backend, make_service, simulators

pytestmark = pytest.mark.stack


def job(text: str, result_queue: str | None, model: str = ALIAS, **request: object) -> Envelope[CompletionJob]:
    payload = CompletionJob(
        model=model,
        request={"messages": [{"role": "user", "content": text}], **request},
        result_queue=result_queue,
        metadata={"purpose": "title"},
    )
    return Envelope[CompletionJob](
        type="completion.job",
        tenant="t-jobs",
        user=f"u-{uuid.uuid4().hex[:8]}",
        idempotency_key=uuid.uuid4().hex,
        payload=payload,
    )


async def result_queue(clients: Any) -> QueueClient:
    queue: QueueClient = clients.queues.get_queue_client(f"results-{uuid.uuid4().hex[:12]}")
    await queue.create_queue()
    return queue


async def received(queue: QueueClient, count: int, timeout_s: float = 15.0) -> list[Envelope[CompletionJobResult]]:
    found: list[Envelope[CompletionJobResult]] = []
    deadline = time.monotonic() + timeout_s
    while len(found) < count and time.monotonic() < deadline:
        async for message in queue.receive_messages(max_messages=32):
            body = base64.b64decode(message.content)
            found.append(Envelope[CompletionJobResult].model_validate_json(body))
            await queue.delete_message(message)
        if len(found) < count:
            await asyncio.sleep(0.1)
    return found


async def test_a_redelivered_job_runs_once_and_posts_its_result_once(clients) -> None:
    async with simulators(1) as (sim,):
        service = make_service(clients, [backend(sim)])
        jobs = CompletionJobs.from_clients(clients)
        queue = await result_queue(clients)
        envelope = job("[[sim:reply:A short title]]", queue.queue_name, stream=True)
        first = await jobs.process(envelope, service)
        again = await jobs.process(envelope, service)
        assert sim.state.stats.total_requests == 1
        assert first["status"] == again["status"] == "succeeded"
        assert first["result"]["choices"][0]["message"]["content"] == "A short title"
        [reply] = await received(queue, 1)
        assert reply.type == "completion.result" and reply.idempotency_key == envelope.idempotency_key
        assert reply.payload.status == "succeeded" and reply.payload.metadata == {"purpose": "title"}
        assert reply.payload.response is not None and reply.payload.response["usage"]["completion_tokens"] == 3
        assert await received(queue, 1, timeout_s=0.3) == []


async def test_refused_request_finishes_as_failed(clients) -> None:
    async with simulators(1) as (sim,):
        service = make_service(clients, [backend(sim)])
        queue = await result_queue(clients)
        document = await CompletionJobs.from_clients(clients).process(job("x", queue.queue_name, n=300), service)
        assert document["status"] == "failed" and document["error"]["param"] == "n"
        [reply] = await received(queue, 1)
        assert reply.payload.status == "failed" and reply.payload.response is None


async def test_throttled_job_raises_for_a_retry_then_succeeds(clients) -> None:
    async with simulators(1) as (sim,):
        sim.queue_faults(FaultSpec(kind="status", status=429, retry_after_s=0.2))
        service = make_service(clients, [backend(sim)])
        jobs = CompletionJobs.from_clients(clients)
        envelope = job("[[sim:reply:ok]]", None)
        with pytest.raises(ApiError) as raised:
            await jobs.process(envelope, service)
        assert raised.value.status == 429
        await asyncio.sleep(0.3)
        assert (await jobs.process(envelope, service))["status"] == "succeeded"


def test_internal_queues_are_not_result_queues() -> None:
    with pytest.raises(ValueError):
        CompletionJob(model="m", request={}, result_queue="conversation-events")


async def test_queue_trigger_end_to_end_and_poison(devhost, clients) -> None:
    queue = await result_queue(clients)
    envelope = job("[[sim:reply:From the queue]]", queue.queue_name, model="gpt-4o-mini")
    await QueueProducer(clients.queues).send(COMPLETION_JOBS_QUEUE, envelope)
    [reply] = await received(queue, 1)
    assert reply.payload.response is not None
    assert reply.payload.response["choices"][0]["message"]["content"] == "From the queue"

    poison = clients.queues.get_queue_client(poison_queue(COMPLETION_JOBS_QUEUE))
    marker = uuid.uuid4().hex.encode()
    await clients.queues.get_queue_client(COMPLETION_JOBS_QUEUE).send_message(
        base64.b64encode(b'{"not": "an envelope", "m": "' + marker + b'"}').decode()
    )
    deadline = time.monotonic() + 15
    seen = False
    while not seen and time.monotonic() < deadline:
        async for message in poison.receive_messages(max_messages=32, visibility_timeout=1):  # not consumed
            seen = seen or marker in base64.b64decode(message.content)
        await asyncio.sleep(0.2)
    assert seen
