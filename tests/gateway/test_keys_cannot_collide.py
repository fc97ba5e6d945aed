"""Keys that cannot collide: usage partitions per principal, and a turn's idempotency key per completion."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from shared.gateway.jobs import job_id
from shared.gateway.usage import UsageRecorder
from shared.identity.caller import USER_CAPABILITIES, Caller, CallerKind
from shared.resources import USAGE
from tests.conftest import RunningHost, bearer

pytestmark = pytest.mark.stack


def principal(tenant: str, user: str) -> Caller:
    return Caller(CallerKind.USER, tenant, user, capabilities=USER_CAPABILITIES)


async def test_principals_whose_ids_join_to_the_same_text_do_not_share_usage(clients) -> None:
    container = clients.database.get_container_client(USAGE.name)
    salt = uuid.uuid4().hex[:8]
    victim, attacker = principal(f"{salt}", "b:c"), principal(f"{salt}:b", "c")
    recorder = UsageRecorder(container, flush_interval_s=60)
    recorder.record(victim, "m", 100, 50)
    await recorder.aclose()
    reader = UsageRecorder(container)
    assert (await reader.usage_of(attacker, 1)).data == []
    [row] = (await reader.usage_of(victim, 1)).data
    assert row.total_tokens == 150


async def test_usage_stored_under_the_earlier_key_is_still_read(clients) -> None:
    container = clients.database.get_container_client(USAGE.name)
    caller = principal(f"t-{uuid.uuid4().hex[:8]}", "u-1")
    day = datetime.now(UTC).strftime("%Y-%m-%d")
    legacy = {
        "id": f"{day}:m", "pk": f"usage:{caller.tenant_id}:{caller.user_id}", "tenant": caller.tenant_id,
        "user": caller.user_id, "day": day, "model": "m",
        "prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10, "requests": 1,
    }  # fmt: skip
    await container.create_item(legacy)
    recorder = UsageRecorder(container, flush_interval_s=60)
    recorder.record(caller, "m", 1, 1)
    [row] = (await recorder.usage_of(caller, 1)).data
    assert (row.total_tokens, row.requests) == (12, 2)
    await recorder.aclose()


def test_job_ids_are_length_prefixed() -> None:
    assert job_id("a\x1fb", "c", "k") != job_id("a", "b\x1fc", "k")


def test_a_reused_request_id_does_not_swallow_a_conversation_turn(http: httpx.Client, devhost: RunningHost) -> None:
    headers = {**bearer(f"t-{uuid.uuid4().hex[:8]}", "u-1"), "X-Request-Id": "client-chosen-id"}
    body: dict[str, Any] = {
        "model": "gpt-4o-mini",
        "messages": [{"role": "user", "content": "[[sim:reply:first answer]]"}],
    }
    first = http.post(devhost.api("v1/chat/completions"), json=body, headers={**headers, "X-Conversation-Id": "new"})
    assert first.status_code == 200, first.text
    conversation = first.headers["X-Conversation-Id"]
    assert len(stored(http, headers, conversation, 2)) == 2
    body["messages"][0]["content"] = "[[sim:reply:second answer]]"
    second = http.post(
        devhost.api("v1/chat/completions"), json=body, headers={**headers, "X-Conversation-Id": conversation}
    )
    assert second.status_code == 200, second.text
    messages = stored(http, headers, conversation, 4)
    assert [m["content"] for m in messages if m["role"] == "assistant"] == ["first answer", "second answer"]


def stored(http: httpx.Client, headers: dict[str, str], conversation: str, count: int) -> list[dict[str, str]]:
    """The conversation's messages once `count` are stored (turns arrive through a queue), or after 20 s."""
    deadline, messages = time.monotonic() + 20, list[dict[str, str]]()
    while len(messages) < count and time.monotonic() < deadline:
        listed = http.get(f"/api/v1/conversations/{conversation}/messages", headers=headers)
        messages = listed.json().get("data", []) if listed.status_code == 200 else []
        time.sleep(0.2)
    return messages
