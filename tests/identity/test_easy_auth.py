"""The Easy Auth principal header: trusted only when configured, and then only for trusted issuers."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator

import aiohttp
import httpx
import pytest
from fastapi import Request

from shared.errors import ApiError
from shared.identity.authenticator import Authenticator
from shared.identity.caller import CallerKind, Capability
from shared.identity.jwt_validation import TokenValidator
from shared.settings import IssuerSettings

ISSUER = "https://login.microsoftonline.com/{tenantid}/v2.0"
TENANT_CLAIM = "http://schemas.microsoft.com/identity/claims/tenantid"
OID_CLAIM = "http://schemas.microsoft.com/identity/claims/objectidentifier"


def principal(claims: list[tuple[str, str]], **extra: str) -> str:
    body = {"auth_typ": "aad", "claims": [{"typ": t, "val": v} for t, v in claims], "role_typ": "roles", **extra}
    return base64.b64encode(json.dumps(body).encode()).decode()


def request_with(headers: dict[str, str]) -> Request:
    raw = [(name.lower().encode(), value.encode()) for name, value in headers.items()]
    return Request({"type": "http", "method": "GET", "path": "/api/v1/me", "headers": raw, "query_string": b""})


@pytest.fixture
async def tokens() -> AsyncIterator[TokenValidator]:
    issuer = IssuerSettings(name="entra", issuer=ISSUER, audience="api://app", allowed_tenants=["t-1"])
    async with aiohttp.ClientSession() as session:
        yield TokenValidator([issuer], session, skew_s=60, fetch_timeout_s=1)


def user_principal(tenant: str = "t-1") -> str:
    return principal(
        [
            ("iss", f"https://login.microsoftonline.com/{tenant}/v2.0"),
            (TENANT_CLAIM, tenant),
            (OID_CLAIM, "u-9"),
            ("http://schemas.microsoft.com/identity/claims/scope", "access_as_user"),
        ]
    )


async def test_header_ignored_unless_trusted(tokens: TokenValidator) -> None:
    with pytest.raises(ApiError) as caught:
        await Authenticator(tokens).authenticate(request_with({"X-MS-CLIENT-PRINCIPAL": user_principal()}))
    assert caught.value.status == 401


async def test_trusted_header_becomes_a_user(tokens: TokenValidator) -> None:
    authenticator = Authenticator(tokens, trust_easy_auth=True)
    caller = await authenticator.authenticate(request_with({"X-MS-CLIENT-PRINCIPAL": user_principal()}))
    assert (caller.kind, caller.tenant_id, caller.user_id) == (CallerKind.USER, "t-1", "u-9")


async def test_trusted_header_app_roles(tokens: TokenValidator) -> None:
    encoded = principal(
        [
            ("iss", "https://login.microsoftonline.com/t-1/v2.0"),
            ("tid", "t-1"),
            ("oid", "sp"),
            ("roles", "Moderation.Invoke"),
            ("idtyp", "app"),
        ]
    )
    caller = await Authenticator(tokens, trust_easy_auth=True).authenticate(
        request_with({"X-MS-CLIENT-PRINCIPAL": encoded})
    )
    assert (caller.kind, caller.capabilities) == (
        CallerKind.APP,
        frozenset({Capability.MODERATION, Capability.DESCRIBE}),
    )


@pytest.mark.parametrize(
    "encoded",
    [
        user_principal("t-other"),  # tenant not allowed
        principal([("iss", "https://evil.example/t-1/v2.0"), ("tid", "t-1"), ("oid", "u"), ("scp", "x")]),
        principal([("iss", "https://login.microsoftonline.com/t-1/v2.0"), ("tid", "t-2"), ("oid", "u")]),
        principal([(TENANT_CLAIM, "t-1"), (OID_CLAIM, "u")]),  # no issuer
        "not base64 at all!",
        base64.b64encode(b"[1, 2]").decode(),
        base64.b64encode(b"x" * 40_000).decode(),
    ],
)
async def test_bad_principals_rejected(tokens: TokenValidator, encoded: str) -> None:
    with pytest.raises(ApiError) as caught:
        await Authenticator(tokens, trust_easy_auth=True).authenticate(request_with({"X-MS-CLIENT-PRINCIPAL": encoded}))
    assert caught.value.status == 401


def test_forged_principal_header_rejected_by_the_app(http: httpx.Client) -> None:
    response = http.get("/api/v1/me", headers={"X-MS-CLIENT-PRINCIPAL": user_principal()})
    assert response.status_code == 401
    assert response.json()["error"]["type"] == "authentication_error"
