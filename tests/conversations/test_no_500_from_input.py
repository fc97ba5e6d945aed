"""Hostile input gets a 400 and changes nothing: lone surrogates, non-ASCII digits, crafted cursors."""

from __future__ import annotations

import uuid

import httpx
import pytest

from shared.conversations.cursor import encode_cursor
from shared.conversations.keys import partition_key, scope_of
from shared.identity.caller import USER_CAPABILITIES, Caller, CallerKind
from tests.conftest import bearer

pytestmark = pytest.mark.stack

BASE = "/api/v1/conversations"


def test_a_lone_surrogate_title_is_refused_and_the_list_keeps_working(http: httpx.Client) -> None:
    auth = bearer(f"t-{uuid.uuid4().hex[:8]}", "u-1")
    raw = b'{"title": "trip \\ud800 plans"}'
    refused = http.post(BASE, content=raw, headers={**auth, "Content-Type": "application/json"})
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "invalid_unicode"
    paired = http.post(BASE, content=b'{"title": "trip \\ud83d\\ude00"}', headers=auth)
    assert paired.status_code == 201 and paired.json()["title"] == "trip \U0001f600"
    listed = http.get(BASE, headers=auth)
    assert listed.status_code == 200 and [c["title"] for c in listed.json()["data"]] == ["trip \U0001f600"]
    assert http.get(f"{BASE}/export", headers=auth).status_code == 200


@pytest.mark.parametrize("value", ["\u00b2", "\u0661", "\uff11", "9" * 5000, "-1", "1.0"])
def test_numeric_query_parameters_take_ascii_digits_only(http: httpx.Client, value: str) -> None:
    auth = bearer(f"t-{uuid.uuid4().hex[:8]}", "u-1")
    listed = http.get(BASE, params={"limit": value}, headers=auth)
    assert listed.status_code == 400 and listed.json()["error"]["param"] == "limit"
    usage = http.get("/api/v1/usage", params={"days": value}, headers=auth)
    assert usage.status_code == 400 and usage.json()["error"]["param"] == "days"


@pytest.mark.parametrize("token", ['{"token":"-RID:~bogus","range":{"min":"","max":"FF"}}', "garbage", "x" * 4000])
def test_a_crafted_cursor_for_the_callers_own_list_is_a_400(http: httpx.Client, token: str) -> None:
    tenant, user = f"t-{uuid.uuid4().hex[:8]}", "u-1"
    auth = bearer(tenant, user)
    for _ in range(3):
        assert http.post(BASE, json={"title": "x"}, headers=auth).status_code == 201
    owner = Caller(CallerKind.USER, tenant, user, capabilities=USER_CAPABILITIES)
    cursor = encode_cursor(scope_of(partition_key(owner), "conversations"), token)
    listed = http.get(BASE, params={"limit": 1, "cursor": cursor}, headers=auth)
    assert listed.status_code in (200, 400), listed.text
    if listed.status_code == 400:
        assert listed.json()["error"]["code"] == "invalid_cursor"
    for bad in ("\u00e9\u00e9\u00e9", "!!!!", "AAAA"):
        response = http.get(BASE, params={"cursor": bad}, headers=auth)
        assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_cursor"
