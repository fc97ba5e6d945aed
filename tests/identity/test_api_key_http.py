"""API keys end to end: the real authenticator and `require` behind `serve`, and the dev host."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import Request, Response
from starlette.applications import Starlette
from starlette.routing import Route

from shared.dependencies import build_api_key_store, build_authenticator
from shared.identity.authorization import require
from shared.identity.caller import Capability
from shared.web import RequestContext, serve
from tests.conftest import RunningHost, bearer


async def _moderate(context: RequestContext) -> dict[str, object]:
    caller = require(context, Capability.MODERATION)
    return {"tenant": caller.tenant_id, "user": caller.user_id}


@pytest.fixture
async def client(clients: Any) -> AsyncIterator[httpx.AsyncClient]:
    authenticator = build_authenticator(clients)

    async def endpoint(request: Request) -> Response:
        return await serve(request, _moderate, authenticator.authenticate)

    app = Starlette(routes=[Route("/moderate", endpoint, methods=["POST"])])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://app") as created:
        yield created


async def test_key_as_header_or_bearer(clients: Any, client: httpx.AsyncClient) -> None:
    owner = f"t-{uuid.uuid4().hex[:8]}"
    _, key = await clients.service("api_keys", build_api_key_store).create(owner, "mod", [Capability.MODERATION])
    for headers in ({"api-key": key}, {"Authorization": f"Bearer {key}"}):
        response = await client.post("/moderate", headers=headers)
        assert response.status_code == 200, response.text
        assert response.json() == {"tenant": owner, "user": "service:mod"}


async def test_key_without_the_capability_is_403(clients: Any, client: httpx.AsyncClient) -> None:
    store = clients.service("api_keys", build_api_key_store)
    _, key = await store.create("t-x", "completer", [Capability.COMPLETIONS])
    response = await client.post("/moderate", headers={"api-key": key})
    assert response.status_code == 403
    assert response.json()["error"]["type"] == "permission_error"
    assert response.headers["x-request-id"]


async def test_revoked_and_garbage_keys_are_401(clients: Any, client: httpx.AsyncClient) -> None:
    store = clients.service("api_keys", build_api_key_store)
    record, key = await store.create("t-x", "mod", [Capability.MODERATION])
    assert (await client.post("/moderate", headers={"api-key": key})).status_code == 200
    await store.revoke(record.id)
    for headers in ({"api-key": key}, {"api-key": "sk-something"}, {"Authorization": "Basic abc"}, {}):
        response = await client.post("/moderate", headers=headers)
        assert response.status_code == 401, headers
        assert response.json()["error"]["type"] == "authentication_error"


async def test_user_tokens_carry_every_capability(client: httpx.AsyncClient) -> None:
    response = await client.post("/moderate", headers=bearer("t-1", "u-1"))
    assert response.json() == {"tenant": "t-1", "user": "u-1"}


async def test_dev_host_accepts_api_keys(clients: Any, devhost: RunningHost) -> None:
    store = clients.service("api_keys", build_api_key_store)
    _, key = await store.create("t-dev", "probe", [Capability.CONVERSATIONS_READ])
    async with httpx.AsyncClient(base_url=devhost.url) as http:
        response = await http.get("/api/v1/me", headers={"api-key": key})
    assert response.status_code == 200, response.text
    assert (response.json()["kind"], response.json()["tenant"]) == ("service", "t-dev")
    assert response.json()["capabilities"] == ["conversations.read", "describe"]
