"""Gateway test helpers: in-process simulators, a recording quota, a service over explicit settings."""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from devhost.simulators.aoai import RunningSimulator, SimulatorConfig, start_simulator
from shared.clients import Clients
from shared.gateway.pool import Backend, BreakerState
from shared.gateway.request import CompletionRequest, parse_completion_request
from shared.gateway.service import CompletionService
from shared.gateway.wiring import build_completion_service
from shared.identity.caller import USER_CAPABILITIES, Caller, CallerKind
from shared.settings import load_settings

SIM_KEY = "gateway-test-key"
ALIAS = "test-model"


class Clock:
    """A monotonic clock that moves only when a test moves it: cool-downs and breakers without sleeping."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Reservation:
    estimated: int
    headers: dict[str, str] = field(default_factory=lambda: {"x-ratelimit-remaining-tokens": "999"})


@dataclass
class RecordingQuota:
    """Admits everything and remembers what was reserved and reconciled."""

    reserved: list[int] = field(default_factory=list)
    reconciled: list[tuple[int, int]] = field(default_factory=list)

    async def reserve(self, caller: Caller, model_alias: str, estimated_tokens: int) -> Reservation:
        self.reserved.append(estimated_tokens)
        return Reservation(estimated_tokens)

    async def reconcile(
        self, reservation: Reservation, actual_total_tokens: int, usage: dict[str, int] | None = None
    ) -> None:
        self.reconciled.append((reservation.estimated, actual_total_tokens))


def new_caller() -> Caller:
    return Caller(
        CallerKind.USER,
        f"t-{uuid.uuid4().hex[:8]}",
        f"u-{uuid.uuid4().hex[:8]}",
        capabilities=USER_CAPABILITIES,
    )


@contextlib.asynccontextmanager
async def simulators(count: int, **config: Any) -> AsyncIterator[list[RunningSimulator]]:
    running = [await start_simulator(config=SimulatorConfig(api_key=SIM_KEY, **config)) for _ in range(count)]
    try:
        yield running
    finally:
        for sim in running:
            await sim.stop()


def backend(sim: RunningSimulator, priority: int = 1, weight: int = 1, alias: str = ALIAS) -> dict[str, Any]:
    return {
        "alias": alias,
        "endpoint": sim.url,
        "deployment": "gpt-4o-mini",
        "priority": priority,
        "weight": weight,
        "auth": "api_key",
        "api_key": SIM_KEY,
    }


def make_service(
    clients: Clients, backends: list[dict[str, Any]], quota: Any = None, **overrides: Any
) -> CompletionService:
    settings = load_settings(OPENAI_BACKENDS=json.dumps(backends), **overrides)
    return build_completion_service(clients, quota or RecordingQuota(), settings=settings)


def chat(text: str, alias: str = ALIAS, **extra: Any) -> CompletionRequest:
    body = {"model": alias, "messages": [{"role": "user", "content": text}], **extra}
    return parse_completion_request(json.dumps(body).encode(), None, uuid.uuid4().hex)


async def drain(stream: AsyncIterator[bytes]) -> bytes:
    return b"".join([part async for part in stream])


def sse_events(raw: bytes) -> list[Any]:
    events = []
    for block in raw.split(b"\n\n"):
        if block.startswith(b"data: "):
            data = block[6:]
            events.append(data.decode() if data == b"[DONE]" else json.loads(data))
    return events


def breaker_of(backend: Backend) -> BreakerState:
    """The backend's breaker state, read afresh (a bare attribute read stays narrowed by an earlier assert)."""
    return backend.breaker
