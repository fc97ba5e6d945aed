"""Mutable state of a running simulator: config, queued faults, TPM windows and statistics."""

import asyncio
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any

from devhost.simulators.aoai_config import FaultSpec, SimulatorConfig

RECENT_REQUESTS_KEPT = 50
RATE_WINDOW_S = 60.0


@dataclass
class SimulatorStats:
    total_requests: int = 0
    completed: int = 0
    cancelled: int = 0
    in_flight: int = 0
    max_in_flight: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    tokens_streamed: int = 0
    by_path: Counter[str] = field(default_factory=Counter)
    by_deployment: Counter[str] = field(default_factory=Counter)
    by_status: Counter[int] = field(default_factory=Counter)
    auth_kinds: Counter[str] = field(default_factory=Counter)
    faults_applied: Counter[str] = field(default_factory=Counter)
    rate_limited: int = 0
    recent_requests: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=RECENT_REQUESTS_KEPT))

    def to_json(self) -> dict[str, Any]:
        return {
            "total_requests": self.total_requests,
            "completed": self.completed,
            "cancelled": self.cancelled,
            "in_flight": self.in_flight,
            "max_in_flight": self.max_in_flight,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "tokens_streamed": self.tokens_streamed,
            "by_path": dict(self.by_path),
            "by_deployment": dict(self.by_deployment),
            "by_status": {str(status): count for status, count in self.by_status.items()},
            "auth_kinds": dict(self.auth_kinds),
            "faults_applied": dict(self.faults_applied),
            "rate_limited": self.rate_limited,
            "recent_requests": list(self.recent_requests),
        }


@dataclass
class RateDecision:
    allowed: bool
    retry_after_s: float = 0.0
    remaining_tokens: int = 0


class TokenRateLimiter:
    """Sliding one-minute token budget per deployment/model, charged at admission like Azure."""

    def __init__(self) -> None:
        self._windows: dict[str, deque[tuple[float, int]]] = {}

    def reset(self) -> None:
        self._windows.clear()

    def admit(self, key: str, tokens: int, limit: int, now: float | None = None) -> RateDecision:
        now = time.monotonic() if now is None else now
        window = self._windows.setdefault(key, deque())
        while window and now - window[0][0] >= RATE_WINDOW_S:
            window.popleft()
        used = sum(charged for _, charged in window)
        if used + tokens <= limit:
            window.append((now, tokens))
            return RateDecision(allowed=True, remaining_tokens=limit - used - tokens)
        return RateDecision(allowed=False, retry_after_s=self._seconds_until_fits(window, used, tokens, limit, now))

    @staticmethod
    def _seconds_until_fits(window: deque[tuple[float, int]], used: int, tokens: int, limit: int, now: float) -> float:
        if tokens > limit:
            return RATE_WINDOW_S
        needed = used + tokens - limit
        for charged_at, charged in window:
            needed -= charged
            if needed <= 0:
                return max(charged_at + RATE_WINDOW_S - now, 0.001)
        return RATE_WINDOW_S


class FaultQueue:
    def __init__(self) -> None:
        self._pending: list[tuple[FaultSpec, int]] = []

    def add(self, faults: list[FaultSpec]) -> None:
        self._pending.extend((fault, fault.count) for fault in faults)

    def clear(self) -> None:
        self._pending.clear()

    def take(self, target: str, streamed: bool) -> FaultSpec | None:
        """Consume one use of the first queued fault matching `target` and `streamed`."""
        for index, (fault, remaining) in enumerate(self._pending):
            if fault.matches(target, streamed):
                if remaining <= 1:
                    del self._pending[index]
                else:
                    self._pending[index] = (fault, remaining - 1)
                return fault
        return None

    def to_json(self) -> list[dict[str, Any]]:
        return [{**fault.model_dump(), "remaining": remaining} for fault, remaining in self._pending]


class SimulatorState:
    def __init__(self, config: SimulatorConfig) -> None:
        self.initial_config = config
        self.config = config
        self.faults = FaultQueue()
        self.rate_limiter = TokenRateLimiter()
        self.stats = SimulatorStats()
        self.resumed = asyncio.Event()
        """Paused streams (fault `pause`) go on once this is set."""

    def resume(self) -> None:
        self.resumed.set()
        self.resumed = asyncio.Event()

    def reset(self, restore_config: bool = False) -> None:
        self.resume()
        self.faults.clear()
        self.rate_limiter.reset()
        self.stats = SimulatorStats()
        if restore_config:
            self.config = self.initial_config
