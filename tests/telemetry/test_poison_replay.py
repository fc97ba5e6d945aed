"""`python -m cli.poison replay` moves poison messages back intact, and they are then processed."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import os
import subprocess
import sys
import uuid
from typing import Any

import azure.functions as func
import pytest
from pydantic import BaseModel

from cli import poison
from devhost.function_index import index
from devhost.host_config import QueueOptions
from devhost.paths import PROJECT_ROOT
from devhost.queue_host import QueueListener
from shared.identity.caller import Caller, CallerKind
from shared.queues.envelope import envelope_for
from shared.queues.producer import encode

OPTIONS = QueueOptions(
    batch_size=4,
    new_batch_threshold=2,
    max_polling_interval_s=0.2,
    visibility_timeout_s=0,
    max_dequeue_count=3,
)


class Note(BaseModel):
    text: str


async def _poisoned_queue(clients: Any, count: int) -> tuple[str, list[str]]:
    queue = f"pq-{uuid.uuid4().hex[:12]}"
    await clients.queues.create_queue(queue)
    await clients.queues.create_queue(f"{queue}-poison")
    caller = Caller(CallerKind.USER, tenant_id="t", user_id="u")
    contents = [encode(envelope_for(caller, "note", Note(text=f"note {i}"))) for i in range(count)]
    for content in contents:
        await clients.queues.get_queue_client(f"{queue}-poison").send_message(content)
    return queue, contents


async def _contents(clients: Any, queue: str) -> list[str]:
    return [m.content for m in await clients.queues.get_queue_client(queue).peek_messages(max_messages=32)]


async def _count(clients: Any, queue: str) -> int:
    properties = await clients.queues.get_queue_client(queue).get_queue_properties()
    return int(properties.approximate_message_count)


async def test_replay_moves_messages_back_intact_and_they_are_processed(clients: Any) -> None:
    queue, contents = await _poisoned_queue(clients, 3)

    code = await asyncio.to_thread(poison.main, ["replay", "--queue", queue])

    assert code == 0
    assert sorted(await _contents(clients, queue)) == sorted(contents)
    assert await _count(clients, f"{queue}-poison") == 0

    processed: list[str] = []

    async def handle(msg: func.QueueMessage) -> None:
        processed.append(json.loads(msg.get_body())["payload"]["text"])

    app = func.FunctionApp()
    app.queue_trigger(arg_name="msg", queue_name=queue, connection="AzureWebJobsStorage")(handle)
    listener = QueueListener(index(app)[1][0], clients.queues, OPTIONS)
    task = asyncio.create_task(listener.run())
    try:
        async with asyncio.timeout(20):
            while len(processed) < 3 or await _count(clients, queue):  # noqa: ASYNC110
                await asyncio.sleep(0.05)
    finally:
        await listener.stop(grace_s=2)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await listener.aclose()
    assert sorted(processed) == ["note 0", "note 1", "note 2"]
    assert await _count(clients, f"{queue}-poison") == 0


async def test_max_limits_how_many_move(clients: Any) -> None:
    queue, _ = await _poisoned_queue(clients, 3)

    result = await poison.replay(clients.queues, queue, max_messages=2, out=io.StringIO())

    assert (result.moved, result.remaining) == (2, 1)
    assert await _count(clients, queue) == 2


async def test_dry_run_lists_envelopes_without_payloads_and_moves_nothing(clients: Any) -> None:
    queue, _ = await _poisoned_queue(clients, 2)
    out = io.StringIO()

    result = await poison.replay(clients.queues, queue, dry_run=True, out=out)

    assert result.dry_run and result.moved == 2
    listed = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [entry["type"] for entry in listed] == ["note", "note"]
    assert "note 0" not in out.getvalue()
    assert await _count(clients, queue) == 0
    assert await _count(clients, f"{queue}-poison") == 2


async def test_a_failed_send_leaves_the_message_on_the_poison_queue(
    clients: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    queue, _ = await _poisoned_queue(clients, 1)
    target = clients.queues.get_queue_client(queue)

    async def failing_send(*_: object, **__: object) -> None:
        raise ConnectionError("storage unreachable")

    monkeypatch.setattr(target, "send_message", failing_send)
    original = clients.queues.get_queue_client
    monkeypatch.setattr(clients.queues, "get_queue_client", lambda name: target if name == queue else original(name))

    with pytest.raises(ConnectionError):
        await poison.replay(clients.queues, queue, out=io.StringIO())

    assert await _count(clients, f"{queue}-poison") == 1  # hidden for the lease, then visible again


@pytest.mark.parametrize("command", [["cli.poison"], ["cli", "poison"]])
async def test_runs_as_a_module(clients: Any, command: list[str]) -> None:
    queue, _ = await _poisoned_queue(clients, 1)

    completed = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", *command, "replay", "--queue", queue],
        cwd=PROJECT_ROOT,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert completed.returncode == 0, completed.stderr
    assert f"moved 1 message(s) from {queue}-poison to {queue}" in completed.stdout
    assert await _count(clients, queue) == 1


@pytest.mark.parametrize("bad", ["conversation-events-poison", "Bad_Name", "x"])
def test_rejects_names_that_are_not_source_queues(bad: str) -> None:
    with pytest.raises(SystemExit):
        poison.parser().parse_args(["replay", "--queue", bad])


def test_describe_never_shows_the_payload() -> None:
    caller = Caller(CallerKind.USER, tenant_id="t", user_id="u")
    content = encode(envelope_for(caller, "note", Note(text="private words")))

    described = poison.describe(content)

    assert described["type"] == "note"
    assert "private words" not in json.dumps(described)
    assert poison.describe(base64.b64encode(b"not json").decode()) == {"envelope": "unreadable"}
