"""Caller identity over HTTP: GET /api/v1/me and the token checks every route relies on."""

from __future__ import annotations

import time

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from devhost.issuer import LOCAL_AUDIENCE, LOCAL_ISSUER, mint_token, signing_key
from tests.conftest import bearer


def _assert_openai_error(response: httpx.Response, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert set(error) >= {"message", "type", "code"}
    assert response.headers["x-request-id"]
    return dict(error)


def test_me_returns_the_token_tenant_and_user(http: httpx.Client) -> None:
    response = http.get("/api/v1/me", headers=bearer("t1", "u1"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["tenant"], body["user"], body["kind"]) == ("t1", "u1", "user")
    assert response.headers["x-request-id"]


def test_me_without_token_is_401(http: httpx.Client) -> None:
    error = _assert_openai_error(http.get("/api/v1/me"), 401)
    assert error["type"] == "authentication_error"


def test_wrong_signature_is_401(http: httpx.Client) -> None:
    kid, _ = signing_key()
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = int(time.time())
    forged = jwt.encode(
        {"iss": LOCAL_ISSUER, "aud": LOCAL_AUDIENCE, "tid": "t1", "oid": "u1", "iat": now, "exp": now + 600},
        stranger,
        algorithm="RS256",
        headers={"kid": kid},
    )
    _assert_openai_error(http.get("/api/v1/me", headers={"Authorization": f"Bearer {forged}"}), 401)


def test_wrong_audience_is_401(http: httpx.Client) -> None:
    token = mint_token("t1", "u1", audience="api://someone-else")
    _assert_openai_error(http.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}), 401)


def test_expired_token_is_401(http: httpx.Client) -> None:
    token = mint_token("t1", "u1", lifetime_s=-600)
    error = _assert_openai_error(http.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}), 401)
    assert "expired" in str(error["message"])


def test_not_yet_valid_token_is_401(http: httpx.Client) -> None:
    future = int(time.time()) + 3600
    token = mint_token("t1", "u1", extra={"nbf": future, "iat": future})
    _assert_openai_error(http.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}), 401)


def test_request_id_is_echoed_when_sane(http: httpx.Client) -> None:
    response = http.get("/api/v1/me", headers={**bearer("t1", "u1"), "x-request-id": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"


def test_unknown_route_is_openai_style_404(http: httpx.Client) -> None:
    error = _assert_openai_error(http.get("/api/v1/no-such-thing"), 404)
    assert error["code"] == "unknown_route"


def test_route_outside_prefix_is_404(http: httpx.Client) -> None:
    _assert_openai_error(http.get("/elsewhere"), 404)


def test_token_cannot_claim_a_service_identity(http: httpx.Client) -> None:
    token = mint_token("t1", "service:billing")
    _assert_openai_error(http.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}), 401)
