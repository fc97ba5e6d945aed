"""Backend choice: priority, weights, cool-down and the circuit breaker, on a fake clock."""

from __future__ import annotations

import random
from collections import Counter

from shared.gateway.pool import BreakerState, Unavailable, UpstreamPool, deployment_url
from shared.settings import BackendSettings
from tests.gateway.gateway_helpers import Clock, breaker_of


def settings(name: str, priority: int = 1, weight: int = 1, alias: str = "m") -> BackendSettings:
    return BackendSettings(
        alias=alias,
        endpoint=f"https://{name}.example/",
        deployment="d",
        priority=priority,
        weight=weight,
        auth="api_key",
        api_key="k",
    )


def pool(*backends: BackendSettings, clock: Clock | None = None, **options: float) -> UpstreamPool:
    built = UpstreamPool.from_settings(backends, clock=clock or Clock(), **options)  # type: ignore[arg-type]
    built.rng = random.Random(7)
    return built


def names(candidates: object) -> list[str]:
    assert isinstance(candidates, list)
    return [backend.settings.endpoint.split("//")[1].split(".")[0] for backend in candidates]


def test_azure_deployment_url() -> None:
    assert deployment_url(settings("a")) == (
        "https://a.example/openai/deployments/d/chat/completions?api-version=2024-10-21"
    )


def test_lower_priority_number_first_and_weights_split_the_rest() -> None:
    chosen = pool(settings("a", 2), settings("b", 1, weight=3), settings("c", 1, weight=1))
    firsts = Counter(names(chosen.candidates("m"))[0] for _ in range(4000))
    assert set(firsts) == {"b", "c"}
    assert 2.6 < firsts["b"] / firsts["c"] < 3.4
    assert all(names(chosen.candidates("m"))[-1] == "a" for _ in range(20))


def test_cooling_backend_is_skipped_until_retry_after_passes() -> None:
    clock = Clock()
    chosen = pool(settings("a", 1), settings("b", 2), clock=clock)
    a = chosen.backends["m"][0]
    chosen.record_throttled(a, 12.0)
    assert names(chosen.candidates("m")) == ["b"]
    clock.now += 11.9
    assert names(chosen.candidates("m")) == ["b"]
    clock.now += 0.2
    assert names(chosen.candidates("m")) == ["a", "b"]
    assert a.breaker is BreakerState.CLOSED and a.consecutive_failures == 0


def test_nothing_available_reports_the_soonest_and_whether_it_is_throttling() -> None:
    clock = Clock()
    chosen = pool(settings("a"), settings("b"), clock=clock)
    a, b = chosen.backends["m"]
    chosen.record_throttled(a, 30)
    chosen.record_failure(b, 4)
    unavailable = chosen.candidates("m")
    assert unavailable == Unavailable(4.0, False)


def test_breaker_opens_half_opens_for_one_probe_and_closes_on_success() -> None:
    clock = Clock()
    chosen = pool(settings("a"), settings("b", 2), clock=clock, breaker_failures=3, breaker_open_s=10)
    a = chosen.backends["m"][0]
    for _ in range(2):
        chosen.record_failure(a)
    assert names(chosen.candidates("m")) == ["a", "b"]
    chosen.record_failure(a)
    assert a.breaker is BreakerState.OPEN and names(chosen.candidates("m")) == ["b"]
    clock.now += 10
    assert names(chosen.candidates("m")) == ["a", "b"]
    assert breaker_of(a) is BreakerState.HALF_OPEN
    chosen.begin_attempt(a)
    assert names(chosen.candidates("m")) == ["b"]  # one probe at a time
    chosen.record_success(a)
    assert breaker_of(a) is BreakerState.CLOSED and names(chosen.candidates("m")) == ["a", "b"]


def test_failed_probe_reopens_at_once() -> None:
    clock = Clock()
    chosen = pool(settings("a"), clock=clock, breaker_failures=2, breaker_open_s=5)
    a = chosen.backends["m"][0]
    chosen.record_failure(a)
    chosen.record_failure(a)
    clock.now += 5
    chosen.candidates("m")
    chosen.begin_attempt(a)
    chosen.record_failure(a)
    assert a.breaker is BreakerState.OPEN and a.open_until == clock.now + 5


def test_unreachable_backend_cools_down_briefly() -> None:
    clock = Clock()
    chosen = pool(settings("a"), settings("b"), clock=clock, error_cooldown_s=2)
    a = chosen.backends["m"][0]
    chosen.record_failure(a, unreachable=True)
    assert names(chosen.candidates("m")) == ["b"]
    clock.now += 2
    assert sorted(names(chosen.candidates("m"))) == ["a", "b"]
