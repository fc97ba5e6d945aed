"""Bearer JWTs against a loopback OIDC issuer: discovery, JWKS refresh, and every rejection."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from shared.errors import ApiError
from shared.identity.caller import USER_CAPABILITIES, CallerKind, Capability
from shared.identity.jwt_validation import TokenValidator
from shared.settings import IssuerSettings
from tests.identity.oidc_server import OidcServer, new_rsa_key, public_jwk

AUDIENCE = "api://app"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def issuer() -> AsyncIterator[OidcServer]:
    server = await OidcServer().start()
    server.add_key()
    yield server
    await server.stop()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as created:
        yield created


def validator(
    server: OidcServer,
    session: aiohttp.ClientSession,
    clock: FakeClock | None = None,
    timeout_s: float = 2.0,
    **settings: Any,
) -> TokenValidator:
    issuer = IssuerSettings(name="entra", issuer=settings.pop("issuer", server.issuer), audience=AUDIENCE, **settings)
    return TokenValidator([issuer], session, skew_s=60, fetch_timeout_s=timeout_s, clock=clock or FakeClock())


async def rejected(tokens: TokenValidator, token: str, status: int = 401) -> str:
    with pytest.raises(ApiError) as caught:
        await tokens.validate(token)
    assert caught.value.status == status, caught.value.message
    return caught.value.message


def unsigned(header: dict[str, Any], claims: dict[str, Any]) -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part(header)}.{part(claims)}."


def claims_for(server: OidcServer, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "iss": server.issuer,
        "aud": AUDIENCE,
        "tid": "tenant-a",
        "oid": "user-1",
        "scp": "x",
        "iat": now,
        "exp": now + 600,
    }
    claims.update(overrides)
    return claims


async def test_valid_user_token_via_discovery(issuer: OidcServer, session: aiohttp.ClientSession) -> None:
    tokens = validator(issuer, session)
    caller = await tokens.validate(issuer.token(next(iter(issuer.keys))))
    assert (caller.kind, caller.tenant_id, caller.user_id) == (CallerKind.USER, "tenant-a", "user-1")
    assert caller.capabilities == USER_CAPABILITIES
    assert (issuer.discovery_requests, issuer.jwks_requests) == (1, 1)


async def test_forged_signature_rejected(issuer: OidcServer, session: aiohttp.ClientSession) -> None:
    kid = next(iter(issuer.keys))
    forged = jwt.encode(claims_for(issuer), new_rsa_key(), algorithm="RS256", headers={"kid": kid})
    assert "invalid" in await rejected(validator(issuer, session), forged)


async def test_expired_rejected_but_skew_tolerated(issuer: OidcServer, session: aiohttp.ClientSession) -> None:
    kid, tokens = next(iter(issuer.keys)), validator(issuer, session)
    assert "expired" in await rejected(tokens, issuer.token(kid, lifetime_s=-120))
    assert (await tokens.validate(issuer.token(kid, lifetime_s=-20))).user_id == "user-1"


async def test_wrong_audience_rejected(issuer: OidcServer, session: aiohttp.ClientSession) -> None:
    token = issuer.token(next(iter(issuer.keys)), audience="api://other")
    assert "audience" in await rejected(validator(issuer, session), token)


async def test_wrong_issuer_rejected_without_fetching(issuer: OidcServer, session: aiohttp.ClientSession) -> None:
    token = issuer.token(next(iter(issuer.keys)), issuer=f"{issuer.url}/evil/v2.0")
    assert "issuer" in await rejected(validator(issuer, session), token)
    assert issuer.jwks_requests == 0


async def test_missing_expiry_rejected(issuer: OidcServer, session: aiohttp.ClientSession) -> None:
    await rejected(validator(issuer, session), issuer.token(next(iter(issuer.keys)), exp=None))


async def test_alg_none_rejected(issuer: OidcServer, session: aiohttp.ClientSession) -> None:
    token = unsigned({"alg": "none", "typ": "JWT", "kid": next(iter(issuer.keys))}, claims_for(issuer))
    assert "algorithm" in await rejected(validator(issuer, session), token)


async def test_hs256_signed_with_the_public_key_rejected(issuer: OidcServer, session: aiohttp.ClientSession) -> None:
    kid = next(iter(issuer.keys))
    public_pem = (
        issuer.keys[kid]
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    header = {"alg": "HS256", "typ": "JWT", "kid": kid}
    signing_input = unsigned(header, claims_for(issuer))[:-1].encode()
    signature = jwt.algorithms.HMACAlgorithm(jwt.algorithms.HMACAlgorithm.SHA256).sign(signing_input, public_pem)
    token = signing_input.decode() + "." + base64.urlsafe_b64encode(signature).rstrip(b"=").decode()
    assert "algorithm" in await rejected(validator(issuer, session), token)


async def test_symmetric_keys_in_the_jwks_are_never_used(issuer: OidcServer, session: aiohttp.ClientSession) -> None:
    issuer.extra_jwks.append({"kty": "oct", "kid": "shared", "k": base64.urlsafe_b64encode(b"s" * 32).decode()})
    tokens = validator(issuer, session, algorithms=["RS256", "HS256"])
    token = jwt.encode(claims_for(issuer), b"s" * 32, algorithm="HS256", headers={"kid": "shared"})
    await rejected(tokens, token)


async def test_unknown_kid_refreshes_once_for_many_requests(issuer: OidcServer, session: aiohttp.ClientSession) -> None:
    clock = FakeClock()
    tokens = validator(issuer, session, clock)
    await tokens.validate(issuer.token(next(iter(issuer.keys))))
    assert issuer.jwks_requests == 1
    clock.now += 120  # past the minimum refresh interval
    rotated = issuer.rotate()
    fresh = [issuer.token(rotated, oid=f"user-{n}") for n in range(40)]
    callers = await asyncio.gather(*(tokens.validate(token) for token in fresh))
    assert {caller.user_id for caller in callers} == {f"user-{n}" for n in range(40)}
    assert issuer.jwks_requests == 2
    bogus = issuer.add_key()  # a kid the server publishes only from now on: not refetched within the interval
    outcomes = await asyncio.gather(
        *(tokens.validate(issuer.token(bogus, oid=f"x{n}")) for n in range(40)), return_exceptions=True
    )
    assert all(isinstance(outcome, ApiError) and outcome.status == 401 for outcome in outcomes)
    assert issuer.jwks_requests == 2


async def test_fetch_timeout_is_503_and_backs_off(issuer: OidcServer, session: aiohttp.ClientSession) -> None:
    issuer.hang = True  # the key set never comes: only the fetch timeout can end the wait
    tokens = validator(issuer, session, timeout_s=0.2)
    token = issuer.token(next(iter(issuer.keys)))
    async with asyncio.timeout(60):
        await rejected(tokens, token, status=503)
    await rejected(tokens, token, status=503)  # within the back-off: fails fast, no new fetch
    assert issuer.jwks_requests == 1


async def test_discovery_naming_another_issuer_is_refused(issuer: OidcServer, session: aiohttp.ClientSession) -> None:
    issuer.discovery_issuer = "https://login.example/other"
    await rejected(validator(issuer, session), issuer.token(next(iter(issuer.keys))), status=503)
    assert issuer.jwks_requests == 0


async def test_plain_http_keys_refused_off_loopback(issuer: OidcServer, session: aiohttp.ClientSession) -> None:
    tokens = validator(issuer, session, jwks_uri="http://keys.example.invalid/keys")
    await rejected(tokens, issuer.token(next(iter(issuer.keys))), status=503)


async def test_multi_tenant_issuer_with_allowed_tenants(session: aiohttp.ClientSession) -> None:
    server = await OidcServer(issuer_path="{tenantid}/v2.0").start()
    try:
        kid = server.add_key()
        server.discovery_issuer = server.issuer
        tokens = validator(server, session, allowed_tenants=["tenant-a", "tenant-b"])
        for tenant in ("tenant-a", "tenant-b"):
            caller = await tokens.validate(server.token(kid, issuer=f"{server.url}/{tenant}/v2.0", tid=tenant))
            assert caller.tenant_id == tenant
        outsider = server.token(kid, issuer=f"{server.url}/tenant-c/v2.0", tid="tenant-c")
        assert "tenant" in await rejected(tokens, outsider)
        mismatched = server.token(kid, issuer=f"{server.url}/tenant-a/v2.0", tid="tenant-b")
        assert "tenant" in await rejected(tokens, mismatched)
        assert server.jwks_requests == 1
    finally:
        await server.stop()


def test_multi_tenant_issuer_requires_an_allow_list() -> None:
    with pytest.raises(ValueError, match="allowed_tenants"):
        IssuerSettings(name="x", issuer="https://login.microsoftonline.com/{tenantid}/v2.0", audience="a")


async def test_app_only_tokens_get_capabilities_from_roles(issuer: OidcServer, session: aiohttp.ClientSession) -> None:
    kid, tokens = next(iter(issuer.keys)), validator(issuer, session)
    app = await tokens.validate(issuer.token(kid, scp=None, roles=["Completions.Invoke"], oid="sp-1", idtyp="app"))
    assert (app.kind, app.capabilities) == (CallerKind.APP, frozenset({Capability.COMPLETIONS, Capability.DESCRIBE}))
    roleless = await tokens.validate(issuer.token(kid, scp=None, oid="sp-2"))
    assert (roleless.kind, roleless.capabilities) == (CallerKind.APP, frozenset())


def test_jwks_entries_keep_only_asymmetric_signature_keys() -> None:
    from shared.identity.jwks import parse_jwks

    key = new_rsa_key()
    document = {
        "keys": [
            public_jwk(key, "sig"),
            {**public_jwk(key, "enc"), "use": "enc"},
            {"kty": "oct", "kid": "sym", "k": "c2VjcmV0"},
            {"kty": "RSA", "kid": "broken"},
            "junk",
        ]
    }
    assert set(parse_jwks(document)) == {"sig"}
