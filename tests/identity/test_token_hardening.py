"""Smaller identity and health hardening: scope, lifetime, discovered jwks_uri, unknown API keys, health."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import httpx
import pytest

from shared.errors import ApiError
from shared.health import anonymous_view
from shared.identity.api_keys import ApiKeyStore
from shared.identity.jwt_validation import TokenValidator
from shared.resources import API_KEYS
from shared.settings import IssuerSettings
from tests.conftest import bearer
from tests.identity.counting_container import CountingContainer
from tests.identity.oidc_server import OidcServer

AUDIENCE = "api://app"


@pytest.fixture
async def issuer() -> AsyncIterator[OidcServer]:
    server = await OidcServer().start()
    server.add_key()
    yield server
    await server.stop()


def validator(server: OidcServer, session: aiohttp.ClientSession, **settings: Any) -> TokenValidator:
    issuer = IssuerSettings(name="entra", issuer=server.issuer, audience=AUDIENCE, **settings)
    return TokenValidator([issuer], session, skew_s=60, fetch_timeout_s=2)


async def refused(tokens: TokenValidator, token: str) -> str:
    with pytest.raises(ApiError) as caught:
        await tokens.validate(token)
    assert caught.value.status in (401, 503)
    return caught.value.message


async def test_delegated_tokens_need_the_configured_scope(issuer: OidcServer) -> None:
    kid = next(iter(issuer.keys))
    async with aiohttp.ClientSession() as session:
        tokens = validator(issuer, session)
        assert "scope" in await refused(tokens, issuer.token(kid, scp="User.Read openid"))
        assert (await tokens.validate(issuer.token(kid, scp="openid access_as_user"))).user_id == "user-1"
        app = await tokens.validate(issuer.token(kid, scp=None, oid="sp-1", idtyp="app", roles=[]))
        assert app.user_id == "sp-1"


async def test_token_lifetime_has_an_upper_bound(issuer: OidcServer) -> None:
    kid = next(iter(issuer.keys))
    async with aiohttp.ClientSession() as session:
        tokens = validator(issuer, session, max_lifetime_s=3600)
        assert "lifetime" in await refused(tokens, issuer.token(kid, lifetime_s=365 * 86400))
        assert "lifetime" in await refused(tokens, issuer.token(kid, lifetime_s=7200, iat=None))
        assert (await tokens.validate(issuer.token(kid, lifetime_s=3000))).user_id == "user-1"


@pytest.mark.parametrize("jwks_uri", ["http://example.invalid/keys", "file:///etc/hostname"])
async def test_a_discovered_jwks_uri_must_be_https(issuer: OidcServer, jwks_uri: str) -> None:
    issuer.discovery_jwks_uri = jwks_uri
    kid = next(iter(issuer.keys))
    async with aiohttp.ClientSession() as session:
        with pytest.raises(ApiError) as caught:
            await validator(issuer, session).validate(issuer.token(kid))
    assert caught.value.status == 503 and caught.value.code == "issuer_unavailable"


@pytest.mark.stack
async def test_unknown_api_key_ids_are_rate_limited_before_a_store_read(clients: Any) -> None:
    container = CountingContainer(clients.database.get_container_client(API_KEYS.name))
    store = ApiKeyStore(container, unknown_reads_per_s=0.001, unknown_reads_burst=3)  # type: ignore[arg-type]
    statuses = []
    for _ in range(6):
        with pytest.raises(ApiError) as caught:
            await store.resolve(f"cpk_{uuid.uuid4().hex[:16]}_{'a' * 43}")
        statuses.append(caught.value.status)
    assert statuses == [401, 401, 401, 429, 429, 429]
    assert container.reads == 3


def test_anonymous_health_carries_no_exception_text() -> None:
    report = {"status": "failed", "dependencies": [{"name": "cosmos", "status": "failed", "error": "OSError: host"}]}
    assert anonymous_view(report)["dependencies"] == [{"name": "cosmos", "status": "failed"}]


@pytest.mark.stack
def test_health_details_only_for_authenticated_callers(http: httpx.Client) -> None:
    anonymous = http.get("/api/health").json()
    assert all("error" not in dependency for dependency in anonymous["dependencies"])
    authenticated = http.get("/api/health", headers=bearer("t-health", "u-1"))
    assert authenticated.status_code == 200
    assert [d["name"] for d in authenticated.json()["dependencies"]] == [d["name"] for d in anonymous["dependencies"]]
