"""Shared pieces of the quota tests: a call-counting container proxy, a settable clock, a service."""

from __future__ import annotations

import time
import uuid
from collections import Counter
from typing import Any

from shared.clients import Clients
from shared.identity.caller import USER_CAPABILITIES, Caller, CallerKind
from shared.quota.service import QuotaService
from shared.resources import QUOTAS
from shared.settings import load_settings


class CountingContainer:
    """Forwards to a real ContainerProxy and counts the data-plane calls made through it."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.calls: Counter[str] = Counter()

    @property
    def total(self) -> int:
        return sum(self.calls.values())

    def __getattr__(self, name: str) -> Any:
        target = getattr(self._inner, name)
        if not callable(target):
            return target

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] += 1
            return target(*args, **kwargs)

        return counted


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def minute_start(now: float) -> float:
    return float(int(now // 60) * 60)


def fresh_caller(tenant: str | None = None) -> Caller:
    return Caller(
        CallerKind.USER,
        tenant_id=tenant or f"tenant-{uuid.uuid4().hex[:12]}",
        user_id=f"user-{uuid.uuid4().hex[:12]}",
        capabilities=USER_CAPABILITIES,
    )


def quota_container(clients: Clients) -> Any:
    return clients.database.get_container_client(QUOTAS.name)


def make_service(
    clients: Clients, *, clock: Clock | None = None, container: Any = None, **budgets: Any
) -> QuotaService:
    """A service over the real `quotas` container with explicit budgets (unset ones stay generous).

    The clock stands still unless the test moves it, so no test straddles a minute by accident.
    """
    settings = load_settings(**budgets)
    target = container if container is not None else quota_container(clients)
    return QuotaService(target, settings, clock=clock or Clock(minute_start(time.time()) + 5))
