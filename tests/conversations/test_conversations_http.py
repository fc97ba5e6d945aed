"""Every /api/v1/conversations route through the dev host, against the emulators."""

from __future__ import annotations

import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.conftest import bearer

BASE = "/api/v1/conversations"
Auth = dict[str, str]


@pytest.fixture
def me() -> Auth:
    return bearer(f"tenant-{uuid.uuid4().hex[:8]}", f"user-{uuid.uuid4().hex[:8]}")


def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    assert response.headers["x-request-id"]
    return response.json() if response.content else None


def _error(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return dict(response.json()["error"])


def _create(http: httpx.Client, auth: Auth, title: str | None = None) -> dict[str, Any]:
    return dict(_ok(http.post(BASE, json={"title": title}, headers=auth), 201))


def _post(http: httpx.Client, auth: Auth, cid: str, content: str, role: str = "user") -> dict[str, Any]:
    return dict(_ok(http.post(f"{BASE}/{cid}/messages", json={"role": role, "content": content}, headers=auth), 201))


def _collect(http: httpx.Client, auth: Auth, url: str, limit: int) -> tuple[list[dict[str, Any]], int]:
    items: list[dict[str, Any]] = []
    pages = 0
    params: dict[str, Any] = {"limit": limit}
    while True:
        page = _ok(http.get(url, params=params, headers=auth))
        pages += 1
        assert page["object"] == "list" and len(page["data"]) <= limit
        items += page["data"]
        if not page["has_more"]:
            assert page["next_cursor"] is None
            return items, pages
        params = {"limit": limit, "cursor": page["next_cursor"]}


def test_create_get_and_list_shapes(http: httpx.Client, me: Auth) -> None:
    created = _create(http, me, "Trip plans")
    assert created["object"] == "conversation" and created["title"] == "Trip plans"
    assert created["id"].startswith("conv_") and isinstance(created["created_at"], int)
    response = http.get(f"{BASE}/{created['id']}", headers=me)
    assert _ok(response) == created
    assert response.headers["etag"].startswith('"')
    listed = _ok(http.get(BASE, headers=me))
    assert listed["data"] == [created] and listed["has_more"] is False and listed["next_cursor"] is None


def test_conversations_page_newest_first_across_pages(http: httpx.Client, me: Auth) -> None:
    ids = [_create(http, me, f"c{i}")["id"] for i in range(5)]
    items, pages = _collect(http, me, BASE, limit=2)
    assert [item["id"] for item in items] == list(reversed(ids)) and pages >= 3


def test_messages_page_oldest_first_with_sequences(http: httpx.Client, me: Auth) -> None:
    cid = _create(http, me)["id"]
    sent = [_post(http, me, cid, f"m{i}", role=("user", "assistant")[i % 2]) for i in range(5)]
    assert sent[0]["object"] == "conversation.message" and sent[0]["conversation_id"] == cid
    items, pages = _collect(http, me, f"{BASE}/{cid}/messages", limit=2)
    assert [m["content"] for m in items] == [f"m{i}" for i in range(5)]
    assert [m["sequence"] for m in items] == [1, 2, 3, 4, 5] and pages >= 3
    assert items == sent


def test_cursor_is_validated(http: httpx.Client, me: Auth) -> None:
    cid = _create(http, me)["id"]
    for i in range(3):
        _post(http, me, cid, f"m{i}")
    cursor = _ok(http.get(f"{BASE}/{cid}/messages", params={"limit": 1}, headers=me))["next_cursor"]
    assert cursor
    for bad in ("not-a-cursor", cursor[:-3] + "xyz", "e30"):
        assert _error(http.get(BASE, params={"cursor": bad}, headers=me), 400)["code"] == "invalid_cursor"
    # A cursor of one list cannot page another.
    assert _error(http.get(BASE, params={"cursor": cursor}, headers=me), 400)["param"] == "cursor"


@pytest.mark.parametrize("limit", ["0", "101", "ten", "-1"])
def test_page_size_out_of_range_is_400(http: httpx.Client, me: Auth, limit: str) -> None:
    assert _error(http.get(BASE, params={"limit": limit}, headers=me), 400)["code"] == "invalid_limit"


def test_rename_honours_if_match(http: httpx.Client, me: Auth) -> None:
    cid = _create(http, me, "old")["id"]
    etag = http.get(f"{BASE}/{cid}", headers=me).headers["etag"]
    renamed = http.patch(f"{BASE}/{cid}", json={"title": "new"}, headers={**me, "If-Match": etag})
    assert _ok(renamed)["title"] == "new" and renamed.headers["etag"] != etag
    stale = http.patch(f"{BASE}/{cid}", json={"title": "lost"}, headers={**me, "If-Match": etag})
    assert _error(stale, 412)["code"] == "precondition_failed"
    assert _error(http.patch(f"{BASE}/{cid}", json={"title": "x"}, headers={**me, "If-Match": '"junk"'}), 412)
    assert _ok(http.patch(f"{BASE}/{cid}", json={"title": "free"}, headers=me))["title"] == "free"
    assert _ok(http.get(f"{BASE}/{cid}", headers=me))["title"] == "free"


def test_limits_answer_400_and_413(http: httpx.Client, me: Auth) -> None:
    assert _error(http.post(BASE, json={"title": "x" * 201}, headers=me), 400)["param"] == "title"
    cid = _create(http, me, "x" * 200)["id"]
    assert _error(http.patch(f"{BASE}/{cid}", json={"title": "y" * 201}, headers=me), 400)["param"] == "title"
    too_big = {"role": "user", "content": "é" * 16_385}
    assert _error(http.post(f"{BASE}/{cid}/messages", json=too_big, headers=me), 413)
    assert _error(http.post(f"{BASE}/{cid}/messages", json={"role": "wizard", "content": "hi"}, headers=me), 400)
    assert _error(http.post(f"{BASE}/{cid}/messages", json={"role": "user"}, headers=me), 400)
    assert _ok(http.get(f"{BASE}/{cid}/messages", headers=me))["data"] == []


def test_other_users_and_tenants_get_404(http: httpx.Client) -> None:
    tenant, user = f"t-{uuid.uuid4().hex[:8]}", f"u-{uuid.uuid4().hex[:8]}"
    owner = bearer(tenant, user)
    cid = _create(http, owner, "private")["id"]
    mid = _post(http, owner, cid, "secret")["id"]
    for stranger in (bearer(tenant, "someone-else"), bearer("other-tenant", user)):
        calls: list[tuple[str, str, dict[str, Any] | None]] = [
            ("GET", f"{BASE}/{cid}", None),
            ("PATCH", f"{BASE}/{cid}", {"title": "x"}),
            ("DELETE", f"{BASE}/{cid}", None),
            ("GET", f"{BASE}/{cid}/messages", None),
            ("POST", f"{BASE}/{cid}/messages", {"role": "user", "content": "x"}),
            ("PUT", f"{BASE}/{cid}/messages/{mid}/feedback", {"rating": "negative"}),
        ]
        for method, url, body in calls:
            assert _error(http.request(method, url, json=body, headers=stranger), 404)["type"] == "not_found_error"
        assert _ok(http.get(BASE, headers=stranger))["data"] == []
    assert _error(http.get(f"{BASE}/conv_doesnotexist", headers=owner), 404)
    assert _ok(http.get(f"{BASE}/{cid}", headers=owner))["title"] == "private"


def test_unauthenticated_is_401(http: httpx.Client) -> None:
    assert http.get(BASE).status_code == 401
    assert http.post(BASE, json={}).status_code == 401


def test_feedback_is_stored_on_the_message(http: httpx.Client, me: Auth) -> None:
    cid = _create(http, me)["id"]
    other = _create(http, me)["id"]
    mid = _post(http, me, cid, "answer", role="assistant")["id"]
    url = f"{BASE}/{cid}/messages/{mid}/feedback"
    updated = _ok(http.put(url, json={"rating": "positive", "comment": "Helpful"}, headers=me))
    assert updated["feedback"]["rating"] == "positive" and updated["feedback"]["comment"] == "Helpful"
    listed = _ok(http.get(f"{BASE}/{cid}/messages", headers=me))["data"]
    assert listed[0]["feedback"]["comment"] == "Helpful"
    assert _error(http.put(url, json={"rating": "meh"}, headers=me), 400)
    assert _error(http.put(f"{BASE}/{other}/messages/{mid}/feedback", json={"rating": "negative"}, headers=me), 404)


def test_idempotency_key_replays_the_same_message(http: httpx.Client, me: Auth) -> None:
    cid = _create(http, me)["id"]
    headers = {**me, "Idempotency-Key": "retry-1"}
    first = _ok(http.post(f"{BASE}/{cid}/messages", json={"role": "user", "content": "once"}, headers=headers), 201)
    again = _ok(http.post(f"{BASE}/{cid}/messages", json={"role": "user", "content": "once"}, headers=headers), 201)
    assert again == first
    assert len(_ok(http.get(f"{BASE}/{cid}/messages", headers=me))["data"]) == 1


def test_concurrent_posts_lose_nothing(http: httpx.Client, me: Auth) -> None:
    cid = _create(http, me)["id"]
    writers = 10
    with ThreadPoolExecutor(writers) as pool:
        sent = list(pool.map(lambda i: _post(http, me, cid, f"w{i}"), range(writers)))
    assert len({m["sequence"] for m in sent}) == writers
    stored = _ok(http.get(f"{BASE}/{cid}/messages", params={"limit": 100}, headers=me))["data"]
    assert sorted(m["content"] for m in stored) == sorted(f"w{i}" for i in range(writers))
    assert [m["sequence"] for m in stored] == list(range(1, writers + 1))


def test_delete_one_conversation_and_its_messages(http: httpx.Client, me: Auth) -> None:
    keep, drop = _create(http, me, "keep")["id"], _create(http, me, "drop")["id"]
    _post(http, me, drop, "bye")
    assert http.delete(f"{BASE}/{drop}", headers=me).status_code == 204
    assert _error(http.get(f"{BASE}/{drop}", headers=me), 404)
    assert _error(http.get(f"{BASE}/{drop}/messages", headers=me), 404)
    assert _error(http.delete(f"{BASE}/{drop}", headers=me), 404)
    assert [c["id"] for c in _ok(http.get(BASE, headers=me))["data"]] == [keep]


def test_delete_everything_then_nothing_remains(http: httpx.Client, me: Auth) -> None:
    neighbour = bearer(f"tenant-{uuid.uuid4().hex[:8]}", "n")
    theirs = _create(http, neighbour)["id"]
    for _ in range(3):
        _post(http, me, _create(http, me)["id"], "hello")
    assert http.delete(BASE, headers=me).status_code == 204
    assert _ok(http.get(BASE, headers=me))["data"] == []
    assert http.get(f"{BASE}/export", headers=me).content == b""
    assert http.delete(BASE, headers=me).status_code == 204
    assert _ok(http.get(f"{BASE}/{theirs}", headers=neighbour))["id"] == theirs


def test_export_streams_json_lines_of_everything(http: httpx.Client, me: Auth) -> None:
    first, second = _create(http, me, "one"), _create(http, me, "two")
    for cid, n in ((first["id"], 2), (second["id"], 3)):
        for i in range(n):
            _post(http, me, cid, f"{cid}-{i}")
    with http.stream("GET", f"{BASE}/export", headers=me) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/x-ndjson")
        rows = [json.loads(line) for line in response.iter_lines() if line]
    assert [r["object"] for r in rows] == ["conversation"] + ["conversation.message"] * 2 + (
        ["conversation"] + ["conversation.message"] * 3
    )
    assert rows[0]["id"] == first["id"] and rows[3]["title"] == "two"
    assert [r["content"] for r in rows[4:]] == [f"{second['id']}-{i}" for i in range(3)]
