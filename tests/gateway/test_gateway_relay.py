"""The SSE relay on hand-made upstream streams: split events, CRLF, usage stripping, guard, JSON bodies."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
from aiohttp import web

from shared.gateway.relay import RelayOutcome, SseRelay, read_completion


def chunk(
    content: str | None = None, finish: str | None = None, usage: dict[str, Any] | None = None, choices: bool = True
) -> bytes:
    body: dict[str, Any] = {"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "m", "choices": []}
    if choices:
        body["choices"] = [{"index": 0, "delta": {"content": content} if content else {}, "finish_reason": finish}]
    if usage is not None:
        body["usage"] = usage
    return b"data: " + json.dumps(body).encode() + b"\n\n"


USAGE = {"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10}
STREAM = chunk("Hel") + chunk("lo") + chunk("!") + chunk(finish="stop") + chunk(usage=USAGE, choices=False)


@contextlib.asynccontextmanager
async def upstream(
    pieces: list[bytes] | list[bytes | asyncio.Event], delay_s: float = 0.0
) -> AsyncIterator[aiohttp.ClientResponse]:
    """A local upstream writing `pieces`; at an `Event` it waits for it before writing on."""

    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        for piece in pieces:
            if isinstance(piece, asyncio.Event):
                await asyncio.wait_for(piece.wait(), 60)
                continue
            await response.write(piece)
            await asyncio.sleep(delay_s)
        return response

    app = web.Application()
    app.router.add_post("/", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    async with aiohttp.ClientSession() as session, session.post(f"http://127.0.0.1:{port}/") as response:
        try:
            yield response
        finally:
            await runner.cleanup()


async def relay_all(
    pieces: list[bytes] | list[bytes | asyncio.Event], **options: object
) -> tuple[bytes, RelayOutcome, list[bytes]]:
    finished: list[RelayOutcome] = []
    async with upstream(pieces, delay_s=0.005) as response:
        relay = SseRelay(response, on_finish=finished.append, **options)  # type: ignore[arg-type]
        reads = [part async for part in relay.events()]
    assert finished == [relay.outcome]
    return b"".join(reads), relay.outcome, reads


async def test_events_split_across_reads_are_reassembled_and_usage_is_stripped() -> None:
    raw = STREAM + b"data: [DONE]\n\n"
    pieces = [raw[i : i + 17] for i in range(0, len(raw), 17)]
    out, outcome, _ = await relay_all(pieces, client_wants_usage=False, collect_text=True)
    assert out == raw.replace(chunk(usage=USAGE, choices=False), b"")
    assert outcome.usage == USAGE and outcome.finish_reason == "stop" and outcome.text == "Hello!"
    assert outcome.completed


async def test_usage_kept_for_a_client_that_asked_and_crlf_normalised() -> None:
    raw = (STREAM + b"data: [DONE]\n\n").replace(b"\n", b"\r\n")
    out, outcome, _ = await relay_all([raw], client_wants_usage=True, collect_text=False)
    assert out == STREAM + b"data: [DONE]\n\n"
    assert outcome.usage == USAGE and outcome.content_events == 4


async def test_usage_inside_a_content_chunk_is_removed_from_that_chunk_only() -> None:
    raw = chunk("x", finish="stop", usage=USAGE) + b"data: [DONE]\n\n"
    out, outcome, _ = await relay_all([raw], client_wants_usage=False, collect_text=False)
    first = json.loads(out.split(b"\n\n")[0][6:])
    assert "usage" not in first and first["choices"][0]["delta"]["content"] == "x"
    assert outcome.usage == USAGE


async def test_stream_without_done_ends_with_an_error_event() -> None:
    out, outcome, _ = await relay_all([chunk("partial")], client_wants_usage=False, collect_text=False)
    last = json.loads(out.rstrip(b"\n").split(b"\n\n")[-1][6:])
    assert last["error"]["code"] == "upstream_stream_error"
    assert outcome.error is not None and not outcome.completed


async def test_stream_guard_ends_the_stream_with_content_filter() -> None:
    seen: list[tuple[str, bool]] = []
    blocked = asyncio.Event()

    async def guard(text: str, final: bool) -> bool:
        seen.append((text, final))
        if "forbidden" in text:
            blocked.set()
        return "forbidden" in text

    # The rest is written only after the guard blocked, so it cannot share a read with the forbidden text.
    pieces: list[bytes | asyncio.Event] = [
        chunk("fine " * 3),
        chunk("now forbidden"),
        blocked,
        chunk("never sent"),
        b"data: [DONE]\n\n",
    ]
    out, outcome, _ = await relay_all(
        pieces, client_wants_usage=False, collect_text=False, guard=guard, guard_window_chars=10
    )
    events = [e for e in out.split(b"\n\n") if e]
    assert b"never sent" not in out and b"now forbidden" not in out
    assert json.loads(events[-2][6:])["choices"][0]["finish_reason"] == "content_filter"
    assert events[-1] == b"data: [DONE]"
    assert outcome.filtered and outcome.finish_reason == "content_filter"
    assert seen[-1] == ("fine fine fine now forbidden", False)


async def test_each_upstream_read_is_forwarded_as_it_arrives() -> None:
    pieces = [chunk("a"), chunk("b"), chunk("c"), b"data: [DONE]\n\n"]
    forwarded = [asyncio.Event() for _ in pieces]
    # The upstream writes each event only after the client got the one before: a relay that waited
    # for more upstream bytes before forwarding would never finish.
    script: list[bytes | asyncio.Event] = [step for pair in zip(pieces, forwarded, strict=True) for step in pair]
    reads: list[bytes] = []
    async with upstream(script) as response:
        relay = SseRelay(response, client_wants_usage=False, collect_text=False)
        async with asyncio.timeout(60):
            async for part in relay.events():
                reads.append(part)
                forwarded[len(reads) - 1].set()
    assert reads == pieces


async def test_json_completion_body_is_untouched() -> None:
    body = json.dumps(
        {
            "choices": [{"message": {"content": "hey"}, "finish_reason": "stop"}],
            "usage": USAGE,
            "extra": {"kept": True},
        }
    ).encode()
    async with upstream([body]) as response:
        completion = await read_completion(response)
    assert completion.body == body
    assert (completion.text, completion.finish_reason, completion.usage) == ("hey", "stop", USAGE)
