"""One stack for the fault-injection suite, apart from the session's (its parts get frozen and killed)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

import pytest

from devhost.stack import LocalStack, StackPorts, provision
from tests.resilience.harness import AppHost, app_settings, stack_env

HostFactory = Callable[..., AbstractAsyncContextManager[AppHost]]


@pytest.fixture(scope="package")
def fault_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    root = tmp_path_factory.mktemp("fault-stack")
    running = LocalStack(StackPorts.random(), azurite_location=root / "azurite", log_dir=root / "logs")
    running.start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def host_with(fault_stack: LocalStack, tmp_path: Path) -> HostFactory:
    """`async with host_with(SETTING="value") as host`: a dev host process (queue triggers on) on the
    fault stack with these app settings on top of the suite's; stopped on the way out."""

    @asynccontextmanager
    async def running(**overrides: str) -> AsyncIterator[AppHost]:
        await provision(app_settings(fault_stack))
        host = AppHost(stack_env(fault_stack, **overrides), tmp_path)
        host.start()
        try:
            await host.ready()
            yield host
        finally:
            host.stop()

    return running


@pytest.fixture
async def app_host(host_with: HostFactory) -> AsyncIterator[AppHost]:
    async with host_with() as host:
        yield host
