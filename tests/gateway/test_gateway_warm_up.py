"""Warm-up at process start: the moderation rules compile in a thread without stalling the event loop,
and `start_warm_up` leaves a built completion service behind. Each runs in a fresh interpreter, where
nothing is compiled yet."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]

LOOP_STALLS = """
import asyncio, json, time
from shared.moderation import embedded, gateway_guards

async def main():
    gaps, done = [], False
    async def ticker():
        last = time.perf_counter()
        while not done:
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now
    task = asyncio.create_task(ticker())
    await asyncio.sleep(0.02)
    started = time.perf_counter()
    await asyncio.wrap_future(gateway_guards.start_rule_compilation())
    compile_s = time.perf_counter() - started
    done = True
    await task
    started = time.perf_counter()
    embedded.EmbeddedModerator()
    construct_s = time.perf_counter() - started
    same = gateway_guards.start_rule_compilation() is gateway_guards.start_rule_compilation()
    print(json.dumps({"compile_s": compile_s, "max_gap_s": max(gaps), "construct_s": construct_s, "same_future": same}))

asyncio.run(main())
"""

WARM_UP = """
import asyncio, json, time
from shared.clients import close_clients, get_clients
from shared.gateway import wiring

async def main():
    await get_clients()
    wiring.start_warm_up()
    wiring.start_warm_up()
    task = wiring._warm_up
    await task
    started = time.perf_counter()
    service = await wiring.get_completion_service()
    took = time.perf_counter() - started
    print(json.dumps({"built": wiring._built is not None and wiring._built[1] is service, "get_s": took,
                      "guards": service.completion_guard is not None}))
    await close_clients()

asyncio.run(main())
"""


def run_python(code: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_rules_compile_off_the_event_loop() -> None:
    measured = run_python(LOOP_STALLS)
    assert measured["same_future"] is True
    assert measured["construct_s"] < 0.005, "constructing after the warm-up compiles nothing"
    assert measured["max_gap_s"] < measured["compile_s"] / 2, measured


@pytest.mark.stack
def test_start_warm_up_builds_the_completion_service(stack: Any) -> None:
    measured = run_python(WARM_UP, {**os.environ, **stack.settings()})
    assert measured["built"] is True and measured["guards"] is True
    assert measured["get_s"] < 0.005, measured
