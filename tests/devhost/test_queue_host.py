"""The dev host's queue semantics against Azurite: retries, poison queue, deletion, encoding."""

from __future__ import annotations

import asyncio
import base64
import uuid
from collections.abc import AsyncIterator

import azure.functions as func
import pytest
from azure.storage.queue.aio import QueueServiceClient

from devhost.function_index import index
from devhost.host_config import QueueOptions
from devhost.queue_host import QueueListener
from devhost.stack import LocalStack, storage_connection_string

OPTIONS = QueueOptions(
    batch_size=4,
    new_batch_threshold=2,
    max_polling_interval_s=0.2,
    visibility_timeout_s=0,
    max_dequeue_count=3,
)


@pytest.fixture
async def queues(stack: LocalStack) -> AsyncIterator[QueueServiceClient]:
    service = QueueServiceClient.from_connection_string(storage_connection_string(stack.ports))
    try:
        yield service
    finally:
        await service.close()


def _app(queue: str, handler: object) -> func.FunctionApp:
    app = func.FunctionApp()
    app.queue_trigger(arg_name="msg", queue_name=queue, connection="AzureWebJobsStorage")(handler)
    return app


async def _run_until(listener: QueueListener, condition: object, timeout_s: float = 20) -> None:
    task = asyncio.create_task(listener.run())
    try:
        async with asyncio.timeout(timeout_s):
            while not await condition():  # type: ignore[operator]  # noqa: ASYNC110
                await asyncio.sleep(0.05)
    finally:
        await listener.stop(grace_s=2)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await listener.aclose()


async def _fresh_queue(queues: QueueServiceClient) -> str:
    name = f"q-{uuid.uuid4().hex[:12]}"
    await queues.create_queue(name)
    await queues.create_queue(f"{name}-poison")
    return name


async def test_failing_message_retries_max_dequeue_count_then_poisons_intact(
    queues: QueueServiceClient,
) -> None:
    name = await _fresh_queue(queues)
    attempts: list[int] = []

    async def always_fails(msg: func.QueueMessage) -> None:
        attempts.append(msg.dequeue_count or 0)
        raise RuntimeError("handler keeps failing")

    _, [function] = index(_app(name, always_fails))
    body = '{"hello": "wörld"}'
    encoded = base64.b64encode(body.encode()).decode()
    await queues.get_queue_client(name).send_message(encoded)
    poison = queues.get_queue_client(f"{name}-poison")

    async def poisoned() -> bool:
        return bool((await poison.get_queue_properties()).approximate_message_count)

    await _run_until(QueueListener(function, queues, OPTIONS), poisoned)
    assert attempts == [1, 2, 3]
    [moved] = [m async for m in poison.receive_messages()]
    assert moved.content == encoded
    assert base64.b64decode(moved.content).decode() == body
    left = await queues.get_queue_client(name).get_queue_properties()
    assert left.approximate_message_count == 0


async def test_successful_message_is_deleted(queues: QueueServiceClient) -> None:
    name = await _fresh_queue(queues)
    seen: list[bytes] = []

    async def succeeds(msg: func.QueueMessage) -> None:
        seen.append(msg.get_body())

    _, [function] = index(_app(name, succeeds))
    client = queues.get_queue_client(name)
    for number in range(6):
        await client.send_message(base64.b64encode(f"m{number}".encode()).decode())

    async def drained() -> bool:
        return len(seen) == 6

    await _run_until(QueueListener(function, queues, OPTIONS), drained)
    await asyncio.sleep(0.3)
    assert sorted(seen) == [f"m{n}".encode() for n in range(6)]
    assert (await client.get_queue_properties()).approximate_message_count == 0


async def test_transient_failure_is_retried_not_lost(queues: QueueServiceClient) -> None:
    name = await _fresh_queue(queues)
    outcomes: list[str] = []

    async def fails_once(msg: func.QueueMessage) -> None:
        if msg.dequeue_count == 1:
            outcomes.append("failed")
            raise ConnectionError("transient")
        outcomes.append("ok")

    _, [function] = index(_app(name, fails_once))
    await queues.get_queue_client(name).send_message(base64.b64encode(b"x").decode())

    async def done() -> bool:
        return "ok" in outcomes

    await _run_until(QueueListener(function, queues, OPTIONS), done)
    assert outcomes == ["failed", "ok"]


async def test_stop_leaves_unfinished_message_visible(queues: QueueServiceClient) -> None:
    name = await _fresh_queue(queues)
    started = asyncio.Event()

    async def slow(msg: func.QueueMessage) -> None:
        started.set()
        await asyncio.sleep(60)

    _, [function] = index(_app(name, slow))
    client = queues.get_queue_client(name)
    await client.send_message(base64.b64encode(b"slow").decode())
    listener = QueueListener(function, queues, OPTIONS)
    task = asyncio.create_task(listener.run())
    await asyncio.wait_for(started.wait(), 10)
    await listener.stop(grace_s=0.2)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    await listener.aclose()
    visible = [m async for m in client.receive_messages(visibility_timeout=1)]
    assert [base64.b64decode(m.content) for m in visible] == [b"slow"]
