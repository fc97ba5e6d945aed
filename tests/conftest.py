"""The local stack for the suite: emulators and simulators on free ports, and the dev host."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import httpx
import pytest

from devhost.issuer import mint_token
from devhost.stack import LocalStack, StackPorts, free_port

STACK_FIXTURES = frozenset({"stack", "checkov_report", "worker_python"})
"""Fixtures that start the emulators and dev host, or run a tool `make test` installs (checkov, the
3.13 Functions worker). A test that uses one, even through another fixture, is a `stack` test."""


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that needs the stack, so `pytest -m "not stack"` is the fast unit subset
    and no test can be left out of it by a forgotten marker."""
    for item in items:
        if STACK_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.stack)


@pytest.fixture(scope="session")
def stack() -> Iterator[LocalStack]:
    """Emulators and simulators, started once for the whole run and stopped at its end."""
    running = LocalStack(StackPorts.random())
    running.start()
    os.environ.update(running.settings())
    os.environ.setdefault("COSMOS_DATABASE", "copilot-tests")
    from shared.settings import get_settings

    get_settings.cache_clear()
    try:
        yield running
    finally:
        running.stop()


@dataclass
class RunningHost:
    url: str
    host: object

    def api(self, path: str) -> str:
        return f"{self.url}/api/{path.lstrip('/')}"


WORKER_START_BOUND_S = 300.0


@pytest.fixture(scope="session")
def devhost(stack: LocalStack) -> Iterator[RunningHost]:
    """The dev host serving function_app in a thread of its own, as `make run` serves it."""
    from devhost.server import DevHost

    host = DevHost(port=free_port(), shutdown_grace_s=5)
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    failure: list[BaseException] = []

    def run() -> None:
        asyncio.set_event_loop(loop)
        host.ready = asyncio.Event()

        async def main() -> None:
            serving = asyncio.create_task(host.serve())
            waiting = asyncio.create_task(host.ready.wait())
            await asyncio.wait({serving, waiting}, return_when=asyncio.FIRST_COMPLETED)
            ready.set()
            await serving

        try:
            loop.run_until_complete(main())
        except BaseException as error:
            failure.append(error)
            ready.set()

    thread = threading.Thread(target=run, name="devhost", daemon=True)
    thread.start()
    ready.wait(60)
    if failure:
        raise failure[0]
    running = RunningHost(host.url, host)
    try:
        _start_moderation_workers(running)
        yield running
    finally:
        loop.call_soon_threadsafe(host.stop)
        thread.join(30)


def _start_moderation_workers(host: RunningHost) -> None:
    """Wait until a text long enough to be moderated in a worker process is answered.

    The worker pool starts with the first such text and takes up to a minute on a busy machine; tests
    with short client timeouts would otherwise measure that start instead of what they test.
    """
    long_text = "a plain sentence about the weather. " * 32
    deadline = time.monotonic() + WORKER_START_BOUND_S
    with httpx.Client(timeout=WORKER_START_BOUND_S) as client:
        while True:
            answer = client.post(
                host.api("v1/moderations"), json={"input": long_text}, headers=bearer("t-warm", "u-warm")
            )
            if answer.status_code == 200 or time.monotonic() > deadline:
                break
    assert answer.status_code == 200, answer.text


def bearer(tenant: str, user: str, **kwargs: object) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(tenant, user, **kwargs)}"}  # type: ignore[arg-type]


@pytest.fixture
def http(devhost: RunningHost) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=devhost.url, timeout=30) as client:
        yield client


@pytest.fixture
async def clients(stack: LocalStack) -> AsyncIterator[object]:
    """The app's SDK clients, created in the test's own event loop."""
    from shared.clients import Clients
    from shared.resources import ensure_resources
    from shared.settings import load_settings

    created = Clients(load_settings())
    await ensure_resources(created)
    try:
        yield created
    finally:
        await created.aclose()
