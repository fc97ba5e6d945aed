"""Helpers for the conversation security tests: an owner's data, a snapshot of it, and the error checks."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx

BASE = "/api/v1/conversations"
Auth = dict[str, str]
STACK_TRACE_MARKERS = ("Traceback", 'File "', '.py", line', "site-packages")


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def expect(response: httpx.Response, status: int) -> Any:
    assert response.status_code == status, (response.request.method, response.request.url, response.text[:300])
    assert response.headers.get("x-request-id")
    json_body = response.headers.get("content-type", "").startswith("application/json")
    return response.json() if response.content and json_body else response.text


def expect_error(response: httpx.Response, status: int) -> dict[str, Any]:
    """An OpenAI-style error with the request id, and nothing of the server's insides in the body."""
    body = expect(response, status)
    assert set(body) == {"error"} and {"message", "type", "code", "param"} <= set(body["error"]), body
    assert not any(marker in response.text for marker in STACK_TRACE_MARKERS), response.text
    return dict(body["error"])


@dataclass
class Owned:
    """A conversation with a user message and a rated assistant message, and what its owner sees."""

    auth: Auth
    conversation_id: str
    message_id: str
    etag: str
    second_id: str


def create_owned(http: httpx.Client, auth: Auth, title: str = "private") -> Owned:
    first = expect(http.post(BASE, json={"title": title}, headers=auth), 201)
    second = expect(http.post(BASE, json={"title": f"{title} 2"}, headers=auth), 201)
    cid = first["id"]
    expect(http.post(f"{BASE}/{cid}/messages", json={"role": "user", "content": "my secret"}, headers=auth), 201)
    reply = {"role": "assistant", "content": "kept safe"}
    mid = expect(http.post(f"{BASE}/{cid}/messages", json=reply, headers=auth), 201)["id"]
    expect(http.put(f"{BASE}/{cid}/messages/{mid}/feedback", json={"rating": "positive"}, headers=auth), 200)
    etag = http.get(f"{BASE}/{cid}", headers=auth).headers["etag"]
    return Owned(auth, cid, mid, etag, second["id"])


def snapshot(http: httpx.Client, auth: Auth) -> dict[str, Any]:
    """Everything an owner can read: conversations with ETags, every message, the export."""
    listed = expect(http.get(BASE, params={"limit": 100}, headers=auth), 200)["data"]
    state: dict[str, Any] = {"list": listed, "export": http.get(f"{BASE}/export", headers=auth).text}
    for conversation in listed:
        cid = conversation["id"]
        read = http.get(f"{BASE}/{cid}", headers=auth)
        messages = expect(http.get(f"{BASE}/{cid}/messages", params={"limit": 100}, headers=auth), 200)
        state[cid] = {"etag": read.headers["etag"], "body": expect(read, 200), "messages": messages["data"]}
    return state


def attacks(victim: Owned) -> list[tuple[str, str, str, dict[str, Any] | None, Auth]]:
    """(name, method, url, body, extra headers) for every route that names one conversation."""
    one = f"{BASE}/{victim.conversation_id}"
    feedback = f"{one}/messages/{victim.message_id}/feedback"
    if_match = {"If-Match": victim.etag}
    return [
        ("read", "GET", one, None, {}),
        ("rename", "PATCH", one, {"title": "taken over"}, {}),
        ("rename with the owner's ETag", "PATCH", one, {"title": "taken over"}, if_match),
        ("delete", "DELETE", one, None, {}),
        ("delete with the owner's ETag", "DELETE", one, None, if_match),
        ("list messages", "GET", f"{one}/messages", None, {}),
        ("append", "POST", f"{one}/messages", {"role": "user", "content": "injected"}, {}),
        ("append idempotently", "POST", f"{one}/messages", {"role": "user", "content": "x"}, {"Idempotency-Key": "k"}),
        ("feedback", "PUT", feedback, {"rating": "negative", "comment": "spoiled"}, {}),
    ]


def missing_twin(url: str, victim: Owned) -> str:
    """The same URL naming ids that never existed: what the victim's URL must be indistinguishable from."""
    return url.replace(victim.conversation_id, f"conv_{uuid.uuid4().hex}").replace(
        victim.message_id, f"msg_{uuid.uuid4().hex}"
    )
