"""An analysis cannot stall the instance: long texts run in worker processes under a time budget."""

from __future__ import annotations

import asyncio
import os

import pytest

from shared.errors import ApiError
from shared.moderation.embedded import EmbeddedModerator
from shared.moderation.models import ModerationResult
from shared.moderation.offload import WORKER_NICENESS, OffloadedModerator
from shared.moderation.service import build_moderator
from shared.settings import load_settings
from tests.moderation.stalling_moderator import NicenessModerator, StallingModerator

ADVERSARIAL = ("k i l l " * 500)[:4000]


async def test_a_runaway_analysis_fails_closed_and_the_loop_keeps_serving() -> None:
    moderator = OffloadedModerator(StallingModerator, workers=1, budget_s=2.0, inline_chars=16)
    try:
        served: list[str] = []

        async def other_request() -> None:
            await asyncio.sleep(0)
            served.append("health")

        other = asyncio.ensure_future(other_request())
        with pytest.raises(ApiError) as refused:
            await moderator.analyze("please stall " * 10)
        assert refused.value.status == 503 and refused.value.code == "moderation_timeout"
        assert served == ["health"] and other.done(), "the event loop ran other work meanwhile"

        # The overrunning worker was replaced: the next long text is analysed.
        result = await moderator.analyze("x" * 100)
        assert result.provider == "stalling:100"
    finally:
        await moderator.aclose()


async def test_short_texts_run_inline_and_long_ones_in_a_worker() -> None:
    moderator = OffloadedModerator(StallingModerator, workers=1, budget_s=30.0, inline_chars=16)
    try:
        assert (await moderator.analyze("short")).provider == "stalling:5"
        assert moderator._pool is None, "no worker was needed"
        assert (await moderator.analyze("y" * 64)).provider == "stalling:64"
        assert moderator._pool is not None
    finally:
        await moderator.aclose()


async def test_length_cap_refuses_before_any_work() -> None:
    moderator = OffloadedModerator(StallingModerator, max_chars=1000, inline_chars=16)
    with pytest.raises(ApiError) as refused:
        await moderator.analyze("a" * 600, documents=["b" * 600])
    assert refused.value.status == 413 and refused.value.code == "moderation_input_too_large"
    await moderator.aclose()


@pytest.mark.stack
async def test_the_embedded_provider_is_offloaded_and_agrees_with_itself_inline(stack: object) -> None:
    settings = load_settings(MODERATION_PROVIDER="embedded", MODERATION_BUDGET_SECONDS="60")
    moderator = build_moderator(None, settings)  # type: ignore[arg-type]  # the embedded provider needs no clients
    assert isinstance(moderator, OffloadedModerator) and moderator.name == "embedded"
    try:
        text = "I will stab you and massacre your whole family tonight. " + ADVERSARIAL
        offloaded = await moderator.analyze(text)
        assert offloaded == await EmbeddedModerator().analyze(text)
    finally:
        await moderator.aclose()


async def test_analyses_queued_behind_a_runaway_are_retried_not_cancelled() -> None:
    moderator = OffloadedModerator(StallingModerator, workers=1, budget_s=2.0, inline_chars=16)
    try:
        runaway = asyncio.ensure_future(moderator.analyze("please stall " * 10))
        await asyncio.sleep(0)
        queued = asyncio.ensure_future(moderator.analyze("z" * 40))
        results = await asyncio.gather(runaway, queued, return_exceptions=True)
        assert isinstance(results[0], ApiError) and results[0].code == "moderation_timeout"
        assert not isinstance(results[1], asyncio.CancelledError), "a replaced pool must not cancel the request"
        assert isinstance(results[1], ApiError) or (
            isinstance(results[1], ModerationResult) and results[1].provider == "stalling:40"
        )
    finally:
        await moderator.aclose()


async def test_analyses_beyond_the_queue_limit_are_refused_at_once() -> None:
    moderator = OffloadedModerator(StallingModerator, workers=1, budget_s=120.0, inline_chars=16, queue_limit=1)
    admitted = [asyncio.ensure_future(moderator.analyze(f"please stall {i} " * 4)) for i in range(2)]
    try:
        for _ in range(1000):
            if moderator.admitted == 2:
                break
            await asyncio.sleep(0.01)
        assert moderator.admitted == 2, "one analysis runs, one waits for the worker"
        with pytest.raises(ApiError) as refused:
            await moderator.analyze("a third long text, no room for it")
        assert refused.value.status == 503 and refused.value.code == "moderation_overloaded"
        assert refused.value.headers == {"Retry-After": "1"}
        assert moderator.admitted == 2, "the refused text was never queued"
        assert (await moderator.analyze("short")).provider == "stalling:5", "short texts still run inline"
    finally:
        for task in admitted:
            task.cancel()
        await asyncio.gather(*admitted, return_exceptions=True)
        assert moderator.admitted == 0, "a cancelled request gives its place back"
        await moderator.aclose()


async def test_worker_processes_run_at_the_lowest_cpu_priority() -> None:
    moderator = OffloadedModerator(NicenessModerator, workers=1, inline_chars=0)
    try:
        parent = os.nice(0)
        assert (await moderator.analyze("long enough")).provider == f"niceness:{max(parent, WORKER_NICENESS)}"
        assert os.nice(0) == parent, "the serving process keeps its priority"
    finally:
        await moderator.aclose()
