"""Upstream auth: managed identity tokens cached and refreshed ahead of expiry; Retry-After parsing."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest
from azure.core.credentials import AccessToken

from devhost.simulators.aoai import SimulatorConfig, start_simulator
from shared.bearer_tokens import COGNITIVE_SERVICES_SCOPE, BearerTokens
from shared.gateway.pool import UpstreamPool
from shared.gateway.upstream import Timeouts, UpstreamClient, retry_after_of
from shared.settings import BackendSettings


class FakeCredential:
    def __init__(self, lifetime_s: float) -> None:
        self.lifetime_s = lifetime_s
        self.calls: list[tuple[str, ...]] = []

    async def get_token(self, *scopes: str, **kwargs: object) -> AccessToken:
        self.calls.append(scopes)
        await asyncio.sleep(0.01)
        return AccessToken(f"token-{len(self.calls)}", int(time.time() + self.lifetime_s))

    async def close(self) -> None:
        return None


async def test_token_is_fetched_once_for_concurrent_callers_and_reused() -> None:
    credential = FakeCredential(3600)
    provider = BearerTokens(credential)  # type: ignore[arg-type]
    headers = await asyncio.gather(*(provider.authorization() for _ in range(20)))
    assert set(headers) == {"Bearer token-1"}
    assert await provider.authorization() == "Bearer token-1"
    assert credential.calls == [(COGNITIVE_SERVICES_SCOPE,)]


async def test_token_near_expiry_is_refreshed_in_the_background() -> None:
    credential = FakeCredential(120)  # inside the refresh window, still valid
    provider = BearerTokens(credential)  # type: ignore[arg-type]
    assert await provider.authorization() == "Bearer token-1"
    assert await provider.authorization() == "Bearer token-1"  # served at once, refresh started
    async with asyncio.timeout(30):
        while (header := await provider.authorization()) != "Bearer token-2":
            assert header == "Bearer token-1", "the old token until the new one is there"
            await asyncio.sleep(0.01)
    assert len(credential.calls) == 2


async def test_a_token_about_to_expire_is_not_served_and_scopes_are_cached_apart() -> None:
    credential = FakeCredential(20)  # less than MIN_VALIDITY_S left: never served from the cache
    provider = BearerTokens(credential)  # type: ignore[arg-type]
    assert await provider.authorization() == "Bearer token-1"
    assert await provider.authorization() == "Bearer token-2"
    credential.lifetime_s = 3600
    assert await provider.authorization("api://other/.default") == "Bearer token-3"
    assert await provider.authorization("api://other/.default") == "Bearer token-3"
    assert credential.calls[-1] == ("api://other/.default",) and len(credential.calls) == 3


async def test_managed_identity_backend_sends_a_bearer_token() -> None:
    sim = await start_simulator(config=SimulatorConfig(api_key="unused", accept_any_bearer=True))
    try:
        backend = BackendSettings(alias="m", endpoint=sim.url, deployment="gpt-4o-mini", auth="managed_identity")
        pool = UpstreamPool.from_settings([backend])
        async with aiohttp.ClientSession() as session:
            client = UpstreamClient(session, Timeouts(1, 1, 1, 5), BearerTokens(FakeCredential(3600)))  # type: ignore[arg-type]
            body = b'{"messages":[{"role":"user","content":"hi"}]}'
            response = await client.open_attempt(pool.backends["m"][0], body, "req-1")
            assert response.status == 200
            response.release()
        assert sim.state.stats.auth_kinds["bearer"] == 1
        assert sim.state.stats.by_path["/openai/deployments/gpt-4o-mini/chat/completions"] == 1
    finally:
        await sim.stop()


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"retry-after-ms": "1500", "Retry-After": "2"}, 1.5),
        ({"Retry-After": "7"}, 7.0),
        ({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}, None),
        ({}, None),
    ],
)
def test_retry_after_prefers_milliseconds(headers: dict[str, str], seconds: float | None) -> None:
    assert retry_after_of(headers) == seconds
