"""Hot-path helpers of the gateway: the lean streaming response, the cached day and tenant pseudonym, JSON depth."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from shared.errors import ApiError
from shared.gateway.usage import utc_day
from shared.identity.caller import Caller, CallerKind, tenant_pseudonym
from shared.web import LeanStreamingResponse, decode_json

SCOPE: dict[str, Any] = {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"}}


class Body:
    """An async body that records how far it got and whether it was closed early."""

    def __init__(self, chunks: int, pause_s: float = 0.0) -> None:
        self.chunks = chunks
        self.pause_s = pause_s
        self.produced = 0
        self.cancelled = False
        self.finished = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            for number in range(self.chunks):
                await asyncio.sleep(self.pause_s)
                self.produced += 1
                yield f"data: {number}\n\n".encode()
        except asyncio.CancelledError:
            self.cancelled = True
            raise
        finally:
            self.finished = True


async def test_a_whole_stream_is_sent_and_the_disconnect_watcher_is_stopped() -> None:
    body = Body(3)
    sent: list[dict[str, Any]] = []
    waiting = asyncio.Event()

    async def receive() -> dict[str, Any]:
        waiting.set()
        await asyncio.Event().wait()  # the client stays
        raise AssertionError("unreachable")

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    tasks_before = asyncio.all_tasks()
    await LeanStreamingResponse(body.__aiter__(), media_type="text/event-stream")(SCOPE, receive, send)
    await asyncio.sleep(0)
    assert sent[0]["type"] == "http.response.start" and sent[0]["status"] == 200
    assert [m["body"] for m in sent[1:-1]] == [b"data: 0\n\n", b"data: 1\n\n", b"data: 2\n\n"]
    assert sent[-1] == {"type": "http.response.body", "body": b"", "more_body": False}
    assert body.finished and not body.cancelled
    assert not asyncio.all_tasks() - tasks_before, "the disconnect watcher outlived the response"


async def test_a_client_disconnect_cancels_the_body_and_returns_normally() -> None:
    body = Body(1000, pause_s=0.005)
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        await asyncio.sleep(0.03)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await asyncio.wait_for(LeanStreamingResponse(body.__aiter__())(SCOPE, receive, send), 60)
    assert body.cancelled and body.finished
    assert 0 < body.produced < 1000
    assert not any(m.get("more_body") is False for m in sent)
    current = asyncio.current_task()
    assert current is not None and current.cancelling() == 0


async def test_an_outside_cancellation_still_propagates() -> None:
    body = Body(1000, pause_s=0.005)

    async def receive() -> dict[str, Any]:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    async def send(message: dict[str, Any]) -> None:
        return None

    task = asyncio.ensure_future(LeanStreamingResponse(body.__aiter__())(SCOPE, receive, send))
    await asyncio.sleep(0.02)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert body.cancelled


def test_utc_day_is_todays_date() -> None:
    assert utc_day() == datetime.now(UTC).strftime("%Y-%m-%d")


def test_tenant_pseudonym_matches_the_callers() -> None:
    caller = Caller(CallerKind.USER, tenant_id="tenant-x", user_id="u")
    assert tenant_pseudonym("tenant-x") == caller.tenant_hash


def nested(depth: int) -> Any:
    value: Any = "leaf"
    for _ in range(depth - 1):
        value = {"x": value}
    return value


def test_json_depth_limit_holds_with_the_bracket_precheck() -> None:
    assert decode_json(json.dumps({"messages": [{"role": "user", "content": "hi"}]}).encode())
    assert decode_json(json.dumps(nested(32)).encode())
    with pytest.raises(ApiError) as refused:
        decode_json(json.dumps(nested(33)).encode())
    assert refused.value.status == 400


async def test_a_failing_body_raises_from_the_response() -> None:
    async def failing() -> AsyncIterator[bytes]:
        yield b"data: 0\n\n"
        raise RuntimeError("upstream broke")

    async def receive() -> dict[str, Any]:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    async def send(message: dict[str, Any]) -> None:
        return None

    with pytest.raises(RuntimeError, match="upstream broke"):
        await LeanStreamingResponse(failing())(SCOPE, receive, send)
