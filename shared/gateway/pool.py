"""The upstream pool: backends per model alias, priority then weighted choice, cool-down and breaker.

A backend is skipped while it cools down (after a 429 or 503, for its Retry-After) or while its
circuit is open (after `breaker_failures` consecutive failures, for `breaker_open_s`). When the
open period ends the circuit is half-open: one request probes it; success closes it, failure
re-opens it. State is per process: each instance learns about a backend on its own.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from urllib.parse import urlsplit

from shared.settings import BackendSettings

Clock = Callable[[], float]

logger = logging.getLogger(__name__)


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass
class Backend:
    settings: BackendSettings
    url: str
    cooldown_until: float = 0.0
    cooldown_for_throttling: bool = False
    consecutive_failures: int = 0
    breaker: BreakerState = BreakerState.CLOSED
    open_until: float = 0.0
    probe_in_flight: bool = False

    @property
    def name(self) -> str:
        """How telemetry and logs name the backend: its configured `name`, else `<account>/<deployment>`
        (the endpoint host's first label): never the URL."""
        if self.settings.name:
            return self.settings.name
        host = urlsplit(self.settings.endpoint).netloc
        account = host if host.replace(".", "").replace(":", "").isdigit() else host.split(".", 1)[0]
        return f"{account}/{self.settings.deployment}"

    def available_at(self, now: float) -> float:
        """When this backend may take a request again (<= now: at once)."""
        if self.breaker is BreakerState.HALF_OPEN and self.probe_in_flight:
            return max(self.cooldown_until, now + 1.0)
        return max(self.cooldown_until, self.open_until if self.breaker is BreakerState.OPEN else 0.0)


def deployment_url(settings: BackendSettings) -> str:
    endpoint = settings.endpoint.rstrip("/")
    return f"{endpoint}/openai/deployments/{settings.deployment}/chat/completions?api-version={settings.api_version}"


@dataclass(frozen=True)
class Unavailable:
    """No backend can take the request now; the soonest one frees up after `retry_after_s`."""

    retry_after_s: float
    throttled: bool


@dataclass
class UpstreamPool:
    backends: dict[str, list[Backend]]
    breaker_failures: int = 5
    breaker_open_s: float = 30.0
    error_cooldown_s: float = 5.0
    clock: Clock = time.monotonic
    rng: random.Random = field(default_factory=random.Random)

    @classmethod
    def from_settings(
        cls,
        backends: Iterable[BackendSettings],
        *,
        breaker_failures: int = 5,
        breaker_open_s: float = 30.0,
        error_cooldown_s: float = 5.0,
        clock: Clock = time.monotonic,
    ) -> UpstreamPool:
        by_alias: dict[str, list[Backend]] = {}
        for backend in backends:
            by_alias.setdefault(backend.alias, []).append(Backend(backend, deployment_url(backend)))
        return cls(by_alias, breaker_failures, breaker_open_s, error_cooldown_s, clock)

    @property
    def aliases(self) -> list[str]:
        return sorted(self.backends)

    def has(self, alias: str) -> bool:
        return alias in self.backends

    def candidates(self, alias: str) -> list[Backend] | Unavailable:
        """Backends to try, in order: by priority, weighted-random within one; unavailable ones left out."""
        now = self.clock()
        ready: list[Backend] = []
        waiting: list[Backend] = []
        for backend in self.backends.get(alias, ()):
            self._refresh_breaker(backend, now)
            (ready if backend.available_at(now) <= now else waiting).append(backend)
        if not ready:
            soonest = min(waiting, key=lambda b: b.available_at(now))
            return Unavailable(max(0.0, soonest.available_at(now) - now), soonest.cooldown_for_throttling)
        if len(ready) == 1:
            return ready
        return self._order(ready)

    def _order(self, ready: list[Backend]) -> list[Backend]:
        by_priority: dict[int, list[Backend]] = {}
        for backend in ready:
            by_priority.setdefault(backend.settings.priority, []).append(backend)
        ordered: list[Backend] = []
        for priority in sorted(by_priority):
            group = by_priority[priority]
            while group:
                pick = self.rng.choices(group, weights=[b.settings.weight for b in group])[0]
                group.remove(pick)
                ordered.append(pick)
        return ordered

    def _refresh_breaker(self, backend: Backend, now: float) -> None:
        if backend.breaker is BreakerState.OPEN and now >= backend.open_until:
            backend.breaker = BreakerState.HALF_OPEN
            backend.probe_in_flight = False

    def begin_attempt(self, backend: Backend) -> None:
        if backend.breaker is BreakerState.HALF_OPEN:
            backend.probe_in_flight = True

    def record_success(self, backend: Backend) -> None:
        if backend.breaker is not BreakerState.CLOSED:
            logger.warning("upstream circuit closed: %s", backend.name)
        backend.consecutive_failures = 0
        backend.breaker = BreakerState.CLOSED
        backend.probe_in_flight = False

    def record_throttled(self, backend: Backend, retry_after_s: float | None) -> None:
        """A 429: the backend is healthy but full; cool it down, don't count it towards the breaker."""
        self._cool_down(backend, retry_after_s if retry_after_s is not None else self.error_cooldown_s, True)
        backend.probe_in_flight = False

    def record_failure(
        self, backend: Backend, retry_after_s: float | None = None, *, unreachable: bool = False
    ) -> None:
        """A 5xx, connect error or timeout: cool down per Retry-After (or briefly when unreachable)."""
        now = self.clock()
        if retry_after_s is not None:
            self._cool_down(backend, retry_after_s, False)
        elif unreachable:
            self._cool_down(backend, self.error_cooldown_s, False)
        backend.consecutive_failures += 1
        if backend.breaker is BreakerState.HALF_OPEN or backend.consecutive_failures >= self.breaker_failures:
            backend.breaker = BreakerState.OPEN
            backend.open_until = now + self.breaker_open_s
            logger.warning("upstream circuit opened for %g s: %s", self.breaker_open_s, backend.name)
        backend.probe_in_flight = False

    def _cool_down(self, backend: Backend, seconds: float, throttled: bool) -> None:
        until = self.clock() + max(0.0, seconds)
        if until > backend.cooldown_until:
            backend.cooldown_until = until
            backend.cooldown_for_throttling = throttled
