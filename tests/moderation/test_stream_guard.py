"""Windowed moderation of streamed completions: windows, overlap, hold-back and the content_filter end."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web

from shared.errors import service_unavailable
from shared.gateway.relay import SseRelay
from shared.moderation.embedded import EmbeddedModerator
from shared.moderation.models import Action, Category, Decision, ModerationResult
from shared.moderation.policy import PolicyStore, policy_from_setting
from shared.moderation.service import Moderation, ModerationService
from shared.moderation.stream_guard import WindowedStreamGuard, completion_guard, window_start

BENIGN = ("The quarterly report covers revenue, churn and the three biggest customer wins of the year. " * 3)[:230]
VIOLENT = " I will stab you and massacre your whole family tonight."


def fake_moderation(blocked: bool) -> Moderation:
    result = ModerationResult(categories={}, provider="fake")
    decision = Decision(action=Action.BLOCK, triggered={Category.VIOLENCE: Action.BLOCK}) if blocked else Decision()
    return Moderation(result, decision, "")


class Recorder:
    """Blocks any window containing `word`, and remembers every window it saw."""

    def __init__(self, word: str) -> None:
        self.word = word
        self.seen: list[str] = []
        self.moderated = asyncio.Event()
        """Set at the first window: an upstream can wait for it to make the relay read in two parts."""

    async def __call__(self, window: str) -> Moderation:
        self.seen.append(window)
        self.moderated.set()
        return fake_moderation(self.word in window)


def test_window_start_overlaps_from_a_word_start() -> None:
    text = "alpha beta gamma delta epsilon"
    assert window_start(text, 0, 10) == 0
    start = window_start(text, len(text), 10)
    assert text[start:] == "delta epsilon"
    assert window_start(text, 5, 100) == 0
    assert window_start("x" * 50, 50, 10) == 40, "no space nearby: a hard overlap"


async def test_phrase_split_across_windows_is_caught_by_the_overlap() -> None:
    recorder = Recorder("the massacre")
    guard = WindowedStreamGuard(recorder, overlap_chars=16)
    first = "They told the story of the mass"
    assert await guard(first, False) is False
    assert await guard(first + "acre at the river.", True) is True
    assert recorder.seen[1] == "story of the massacre at the river.", "the overlap starts at a word"
    no_overlap = WindowedStreamGuard(Recorder("the massacre"), overlap_chars=0)
    await no_overlap(first, False)
    assert await no_overlap(first + "acre at the river.", True) is False, "without overlap the split is missed"


async def test_guard_skips_seen_text_and_stays_blocked() -> None:
    recorder = Recorder("stab")
    guard = WindowedStreamGuard(recorder, overlap_chars=8)
    assert await guard("hello there", False) is False
    assert await guard("hello there", True) is False
    assert len(recorder.seen) == 1
    assert await guard("hello there, I will stab", False) is True
    assert await guard("hello there, I will stab you", True) is True
    assert guard.cleared_chars == len("hello there")


async def test_completion_guard_uses_the_service_and_policy() -> None:
    service = ModerationService(EmbeddedModerator(), PolicyStore(None, policy_from_setting(None)))
    guard = completion_guard(service, "t-stream")
    assert await guard(BENIGN, False) is False
    assert await guard(BENIGN + VIOLENT, True) is True
    assert guard.blocked_by is not None and guard.blocked_by.decision.triggered == {Category.VIOLENCE: Action.BLOCK}


def chunk(content: str | None = None, finish: str | None = None) -> bytes:
    delta = {"content": content} if content else {}
    body = {"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "m",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}  # fmt: skip
    return b"data: " + json.dumps(body).encode() + b"\n\n"


@contextlib.asynccontextmanager
async def relayed(
    pieces: list[bytes | asyncio.Event], guard: WindowedStreamGuard, window: int
) -> AsyncIterator[list[bytes]]:
    """Relay `pieces` from a local upstream; at an `Event` the upstream waits for it before writing on."""

    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        for piece in pieces:
            if isinstance(piece, asyncio.Event):
                await asyncio.wait_for(piece.wait(), 60)
            else:
                await response.write(piece)
        return response

    app = web.Application()
    app.router.add_get("/", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{port}/") as response:
            relay = SseRelay(response, client_wants_usage=False, collect_text=False, guard=guard,
                             guard_window_chars=window)  # fmt: skip
            yield [part async for part in relay.events()]
    finally:
        await runner.cleanup()


def delivered_text(parts: list[bytes]) -> tuple[str, list[str | None]]:
    text, finishes = "", []
    for block in b"".join(parts).split(b"\n\n"):
        if block.startswith(b"data: {"):
            choice = json.loads(block[6:])["choices"][0]
            text += choice["delta"].get("content") or ""
            finishes.append(choice["finish_reason"])
    return text, finishes


async def test_relay_holds_text_back_until_cleared_and_never_sends_the_flagged_window() -> None:
    recorder = Recorder("massacre")
    guard = WindowedStreamGuard(recorder, overlap_chars=32)
    benign = [chunk(word if index == 0 else " " + word) for index, word in enumerate(BENIGN.split(" "))]
    violent = [chunk(" " + word) for word in (VIOLENT + " And then more words.").split(" ")[1:]]
    # The violent part is written only once the benign text was moderated, however reads are batched.
    pieces: list[bytes | asyncio.Event] = [*benign, recorder.moderated, *violent]
    pieces += [chunk(finish="stop"), b"data: [DONE]\n\n"]
    async with relayed(pieces, guard, window=200) as parts:
        text, finishes = delivered_text(parts)
    assert "massacre" not in text and "stab" not in text
    assert len(text) >= 200 and BENIGN.startswith(text), "a cleared window is delivered, the flagged one is not"
    assert finishes[-1] == "content_filter" and "stop" not in finishes
    assert parts[-1].endswith(b"data: [DONE]\n\n")


async def test_relay_delivers_everything_when_every_window_is_clean() -> None:
    recorder = Recorder("never-said")
    guard = WindowedStreamGuard(recorder, overlap_chars=32)
    words = (BENIGN * 2).split(" ")
    chunks = [chunk(word if index == 0 else " " + word) for index, word in enumerate(words)]
    # The rest of the stream is written only once the first window was moderated, so the relay sees
    # the text in at least two reads however the bytes are batched.
    pieces: list[bytes | asyncio.Event] = [*chunks[:40], recorder.moderated, *chunks[40:]]
    pieces += [chunk(finish="stop"), b"data: [DONE]\n\n"]
    async with relayed(pieces, guard, window=200) as parts:
        text, finishes = delivered_text(parts)
    assert text == BENIGN * 2 and finishes[-1] == "stop"
    assert len(guard.windows) >= 2 and guard.windows[0][0] == 0
    assert guard.windows[-1][1] == guard.cleared_chars == len(BENIGN * 2), "every character was moderated"
    for (_, previous_end), (start, _) in itertools.pairwise(guard.windows):
        assert start < previous_end, "each window overlaps the text cleared before it"


async def test_an_unavailable_provider_ends_the_stream_when_failing_closed() -> None:
    async def down(window: str) -> Moderation:
        raise service_unavailable("Content moderation is unavailable; retry later.")

    guard = WindowedStreamGuard(down)
    assert await guard("some text", False) is True
    assert guard.unavailable and guard.blocked_by is None
    assert await guard("some text and more", True) is True
