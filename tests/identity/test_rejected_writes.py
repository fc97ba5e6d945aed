"""Nothing is written on a rejected request: each write route, fed malformed, mistyped, oversize, over-deep
or over-limit input, answers a 4xx OpenAI-style error with a request id and no server internals, and
the caller's conversations, messages, usage and the model's request log are exactly as before."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from devhost.stack import LocalStack
from shared.identity.caller import tenant_pseudonym
from shared.resources import MODERATION
from tests.conftest import RunningHost, bearer
from tests.identity.conversation_probe import BASE, create_owned, expect, expect_error, new_id, snapshot

MODEL = "gpt-4o-mini"
VIOLENT = "I will stab you and massacre your whole family tonight."
Case = tuple[str, str, str, bytes | Any, dict[str, str], int]
"""(name, method, url, body: raw bytes or JSON-able, extra headers, expected status)."""


def nested(depth: int) -> Any:
    value: Any = "deep"
    for _ in range(depth - 1):
        value = [value]
    return value


def chunked(payload: bytes) -> Iterator[bytes]:
    """A body without Content-Length: the limit must hold while streaming too."""
    for start in range(0, len(payload), 16_384):
        yield payload[start : start + 16_384]


@pytest.fixture
def client(devhost: RunningHost) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=devhost.url, timeout=30) as created:
        yield created


def _bodies(good: dict[str, Any], text_field: str, limit_bytes: int) -> list[tuple[str, bytes | Any, int]]:
    """Bad bodies every JSON write route must refuse, built around one good body."""
    return [
        ("empty body", b"", 400),
        ("malformed JSON", b'{"' + text_field.encode() + b'": ', 400),
        ("not UTF-8", b'{"' + text_field.encode() + b'": "\xff\xfe"}', 400),
        ("a JSON array", [good], 400),
        ("a JSON string", "text", 400),
        ("wrong type", {**good, text_field: 12}, 400),
        ("null object", None, 400),
        ("unknown field", {**good, "owner": "someone-else"}, 400),
        ("nesting deeper than 32", {**good, "extra": nested(33)}, 400),
        ("nesting far beyond the recursion limit", b"[" * 20_000 + b"]" * 20_000, 400),
        ("oversize body", {**good, text_field: "x" * (limit_bytes + 1)}, 413),
        ("oversize chunked body", chunked(json.dumps({**good, text_field: "x" * (limit_bytes + 1)}).encode()), 413),
    ]


def _conversation_cases(owned: Any) -> list[Case]:
    one = f"{BASE}/{owned.conversation_id}"
    messages = f"{one}/messages"
    feedback = f"{messages}/{owned.message_id}/feedback"
    small, message = 64 * 1024, 200_704
    cases: list[Case] = []
    for route, method, url, good, field, limit in (
        ("create", "POST", BASE, {"title": "ok"}, "title", small),
        ("rename", "PATCH", one, {"title": "ok"}, "title", small),
        ("append", "POST", messages, {"role": "user", "content": "ok"}, "content", message),
        ("feedback", "PUT", feedback, {"rating": "negative", "comment": "ok"}, "comment", small),
    ):
        cases += [
            (f"{route}: {name}", method, url, body, {}, status) for name, body, status in _bodies(good, field, limit)
        ]
    return [
        *cases,
        ("create: title over 200 characters", "POST", BASE, {"title": "t" * 201}, {}, 400),
        ("rename: title over 200 characters", "PATCH", one, {"title": "t" * 201}, {}, 400),
        ("rename: stale If-Match", "PATCH", one, {"title": "new"}, {"If-Match": '"c3RhbGU"'}, 412),
        ("rename: weak If-Match", "PATCH", one, {"title": "new"}, {"If-Match": f"W/{owned.etag}"}, 412),
        ("rename: two entity tags", "PATCH", one, {"title": "new"}, {"If-Match": f"{owned.etag}, {owned.etag}"}, 400),
        ("rename: title missing", "PATCH", one, {}, {}, 400),
        ("append: message over 32 KiB", "POST", messages, {"role": "user", "content": "é" * 16_385}, {}, 413),
        ("append: empty content", "POST", messages, {"role": "user", "content": ""}, {}, 400),
        ("append: unknown role", "POST", messages, {"role": "root", "content": "hi"}, {}, 400),
        ("append: content parts", "POST", messages, {"role": "user", "content": [{"text": "hi"}]}, {}, 400),
        (
            "append: bad Idempotency-Key",
            "POST",
            messages,
            {"role": "user", "content": "hi"},
            {"Idempotency-Key": "k" * 201},
            400,
        ),
        (
            "feedback: comment over 2000 characters",
            "PUT",
            feedback,
            {"rating": "positive", "comment": "c" * 2001},
            {},
            400,
        ),
        ("feedback: unknown rating", "PUT", feedback, {"rating": "meh"}, {}, 400),
        ("delete: stale If-Match", "DELETE", one, None, {"If-Match": '"c3RhbGU"'}, 412),
        ("delete: junk If-Match", "DELETE", one, None, {"If-Match": "junk"}, 412),
        ("delete: two entity tags", "DELETE", one, None, {"If-Match": f"{owned.etag}, {owned.etag}"}, 400),
    ]


def send(client: httpx.Client, auth: dict[str, str], case: Case) -> httpx.Response:
    _name, method, url, body, headers, _status = case
    content: bytes | Iterator[Any] | None = body if isinstance(body, bytes | Iterator) else json.dumps(body).encode()
    if method == "DELETE" and body is None:
        content = None
    return client.request(method, url, content=content, headers={**auth, "content-type": "application/json", **headers})


def test_conversation_writes_rejected_leave_everything_as_it_was(client: httpx.Client) -> None:
    owned = create_owned(client, bearer(new_id("t"), new_id("u")))
    before = snapshot(client, owned.auth)
    cases = _conversation_cases(owned)
    for case in cases:
        error = expect_error(send(client, owned.auth, case), case[-1])
        assert error["type"] == "invalid_request_error", (case[0], error)
    assert snapshot(client, owned.auth) == before
    assert len(cases) >= 60
    # The ETag the owner holds still deletes: the rejections above changed nothing.
    deleted = client.delete(f"{BASE}/{owned.conversation_id}", headers={**owned.auth, "If-Match": owned.etag})
    assert deleted.status_code == 204, deleted.text


def _sim_requests(sim: httpx.Client) -> tuple[int, list[str]]:
    stats = sim.get("/_sim/stats").json()
    return stats["total_requests"], [json.dumps(entry.get("body")) for entry in stats["recent_requests"]]


def _completion_cases(nonce: str) -> list[Case]:
    url = "/api/v1/chat/completions"
    say = [{"role": "user", "content": f"hello {nonce}"}]
    good = {"model": MODEL, "messages": say}
    new_conversation = {"X-Conversation-Id": "new"}
    return [
        ("completion: malformed JSON", "POST", url, f'{{"model": "{MODEL}", "messages": [{nonce}'.encode(), {}, 400),
        ("completion: empty body", "POST", url, b"", {}, 400),
        ("completion: a JSON array", "POST", url, [good], {}, 400),
        ("completion: no messages", "POST", url, {"model": MODEL, "messages": []}, {}, 400),
        ("completion: messages not a list", "POST", url, {"model": MODEL, "messages": say[0]}, {}, 400),
        ("completion: role of the wrong type", "POST", url, {"model": MODEL, "messages": [{"role": 5}]}, {}, 400),
        ("completion: max_tokens 0", "POST", url, {**good, "max_tokens": 0}, {}, 400),
        ("completion: n too large", "POST", url, {**good, "n": 1000}, {}, 400),
        ("completion: unknown model", "POST", url, {**good, "model": f"no-such-{nonce}"}, {}, 404),
        ("completion: nesting far beyond the recursion limit", "POST", url, b"[" * 20_000 + b"]" * 20_000, {}, 400),
        ("completion: body over 1 MiB", "POST", url, {**good, "pad": "p" * 1_048_577}, {}, 413),
        (
            "completion: chunked body over 1 MiB",
            "POST",
            url,
            chunked(json.dumps({**good, "pad": "p" * 1_048_577}).encode()),
            {},
            413,
        ),
        (
            "completion: blocked prompt",
            "POST",
            url,
            {"model": MODEL, "messages": [{"role": "user", "content": f"{VIOLENT} {nonce}"}]},
            new_conversation,
            400,
        ),
        (
            "completion: blocked prompt, streamed",
            "POST",
            url,
            {"model": MODEL, "stream": True, "messages": [{"role": "user", "content": f"{VIOLENT} {nonce}"}]},
            {},
            400,
        ),
        (
            "completion: not the caller's conversation",
            "POST",
            url,
            good,
            {"X-Conversation-Id": f"conv_{uuid.uuid4().hex}"},
            404,
        ),
    ]


def _moderation_cases(nonce: str) -> list[Case]:
    url = "/api/v1/moderations"
    return [
        ("moderation: input over the character limit", "POST", url, {"input": "m" * 32_001}, {}, 413),
        ("moderation: one of many inputs over the limit", "POST", url, {"input": [nonce, "m" * 32_001]}, {}, 413),
        ("moderation: too many inputs", "POST", url, {"input": [nonce] * 33}, {}, 400),
        ("moderation: body over 1 MiB", "POST", url, {"input": "m" * 1_048_577}, {}, 413),
        ("moderation: malformed JSON", "POST", url, f'{{"input": "{nonce}'.encode(), {}, 400),
        ("moderation: nesting deeper than 32", "POST", url, {"input": nonce, "x": nested(33)}, {}, 400),
        ("moderation: input of the wrong type", "POST", url, {"input": 42}, {}, 400),
    ]


def _reject_all(client: httpx.Client, auth: dict[str, str], sim_port: int, nonce: str) -> None:
    conversations_before = expect(client.get(BASE, headers=auth), 200)
    usage_before = expect(client.get("/api/v1/usage", headers=auth), 200)
    with httpx.Client(base_url=f"http://127.0.0.1:{sim_port}", timeout=10) as sim:
        total_before, _ = _sim_requests(sim)
        for case in [*_completion_cases(nonce), *_moderation_cases(nonce)]:
            error = expect_error(send(client, auth, case), case[-1])
            assert error["message"], case[0]
        total_after, recent = _sim_requests(sim)
    arrived = recent[len(recent) - (total_after - total_before) :] if total_after > total_before else []
    assert not [body for body in arrived if nonce in body], "a rejected request reached the model"
    assert not [body for body in recent if nonce in body]
    assert expect(client.get(BASE, headers=auth), 200) == conversations_before
    assert expect(client.get("/api/v1/usage", headers=auth), 200) == usage_before


async def test_gateway_rejections_reach_neither_the_model_nor_the_books(
    client: httpx.Client, clients: Any, stack: LocalStack
) -> None:
    tenant = new_id("t")
    await asyncio.to_thread(_reject_all, client, bearer(tenant, new_id("u")), stack.ports.aoai, uuid.uuid4().hex)
    container = clients.database.get_container_client(MODERATION.name)
    query = "SELECT VALUE c.id FROM c WHERE c.tenant_hash = @t AND c.stage = 'request'"
    parameters = [{"name": "@t", "value": tenant_pseudonym(tenant)}]
    assert [record async for record in container.query_items(query, parameters=parameters)] == []
