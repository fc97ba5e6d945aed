"""Warm-up at process start: the moderation rules compile in a thread while the event loop runs on,
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
import asyncio, json, threading
from shared.moderation import embedded, gateway_guards

async def main():
    loop_ran = threading.Event()
    compiled_on = []
    build = gateway_guards.EmbeddedModerator

    def compile_once_the_loop_has_run():
        compiled_on.append(threading.current_thread().name)
        # Compiling on the event loop's thread would wait here for a loop that cannot run.
        if not loop_ran.wait(60):
            raise RuntimeError("the event loop did not run while the rules compiled")
        return build()

    gateway_guards.EmbeddedModerator = compile_once_the_loop_has_run
    compiling = gateway_guards.start_rule_compilation()
    await asyncio.sleep(0)
    loop_ran.set()
    await asyncio.wrap_future(compiling)
    gateway_guards.EmbeddedModerator = build
    before = embedded._engines.cache_info()
    embedded.EmbeddedModerator()
    after = embedded._engines.cache_info()
    same = gateway_guards.start_rule_compilation() is gateway_guards.start_rule_compilation()
    print(json.dumps({"compiled_on": compiled_on, "loop_thread": threading.current_thread().name,
                      "engines_built": [before.misses, after.misses], "same_future": same}))

asyncio.run(main())
"""

WARM_UP = """
import asyncio, json
from shared.clients import close_clients, get_clients
from shared.gateway import wiring

async def main():
    await get_clients()
    wiring.start_warm_up()
    wiring.start_warm_up()
    task = wiring._warm_up
    await task
    warmed = wiring._built
    service = await wiring.get_completion_service()
    print(json.dumps({"built": warmed is not None and warmed[1] is service and wiring._built is warmed,
                      "guards": service.completion_guard is not None}))
    await close_clients()

asyncio.run(main())
"""


def run_python(code: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_rules_compile_off_the_event_loop() -> None:
    measured = run_python(LOOP_STALLS)
    assert measured["same_future"] is True
    assert measured["compiled_on"] == ["moderation-warm-up"] != [measured["loop_thread"]], measured
    assert measured["engines_built"] == [1, 1], "constructing after the warm-up compiles nothing"


@pytest.mark.stack
def test_start_warm_up_builds_the_completion_service(stack: Any) -> None:
    measured = run_python(WARM_UP, {**os.environ, **stack.settings()})
    assert measured["built"] is True, "the first request gets the service the warm-up built"
    assert measured["guards"] is True
