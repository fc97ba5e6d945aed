"""One stack for the fault-injection suite, apart from the session's (its parts get frozen and killed)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from devhost.stack import LocalStack, StackPorts, provision
from tests.resilience.harness import AppHost, app_settings, stack_env


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
async def app_host(fault_stack: LocalStack, tmp_path: Path) -> AsyncIterator[AppHost]:
    """A dev host process with queue triggers, on the fault stack; stopped after the test."""
    await provision(app_settings(fault_stack))
    host = AppHost(stack_env(fault_stack), tmp_path)
    host.start()
    try:
        await host.ready()
        yield host
    finally:
        host.stop()
