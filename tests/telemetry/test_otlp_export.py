"""OTLP end to end: a dev host process of its own, on a stack of its own, with OTEL_EXPORTER_OTLP_ENDPOINT
at a local receiver. One completion is one trace from the HTTP request through `conversation-events`
to the consumer's Cosmos calls; log records carry trace and span ids; the documented metrics arrive;
the resource names the Functions site and instance; stdout has each log line once, as JSON."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from azure.storage.queue.aio import QueueServiceClient

from devhost.paths import PROJECT_ROOT
from devhost.stack import LocalStack, StackPorts
from shared.resources import CONVERSATION_EVENTS_QUEUE
from tests.conftest import bearer
from tests.quota.gateway_hosts import HostProcess, host_env, host_processes, wait_healthy
from tests.telemetry.otlp_receiver import OtlpReceiver, Received, ReceivedSpan

pytestmark = pytest.mark.stack

MODEL = "gpt-4o-mini"
SITE, INSTANCE = "copilot-func-otlp-test", "instance-0123abcd"
SERVER, CONSUMER = 2, 5  # OTLP Span.SpanKind numbers
OPERATIONS = PROJECT_ROOT / "docs" / "operations.md"
VIOLENT = "I will stab you and massacre your whole family tonight."


def documented_metrics() -> set[str]:
    table = OPERATIONS.read_text().split("| Metric |", 1)[1].split("\n\n", 1)[0]
    return set(re.findall(r"^\| `(copilot\.[a-z_.]+)` \|", table, flags=re.MULTILINE))


@pytest.fixture(scope="module")
def own_stack() -> Iterator[LocalStack]:
    """Emulators of its own: the session's in-process dev host must not consume this host's queue messages."""
    running = LocalStack(StackPorts.random())
    running.start()
    try:
        yield running
    finally:
        running.stop()


def _backends(own_stack: LocalStack) -> str:
    (backend,) = json.loads(own_stack.settings()["OPENAI_BACKENDS"])
    named = [("primary", 1), ("primary", 2), ("secondary", 3)]  # two entries of one deployment: a retry
    return json.dumps([{**backend, "name": name, "priority": priority} for name, priority in named])


async def _until(
    check: Callable[[], Received | None], receiver: OtlpReceiver, what: str, timeout_s: float = 60
) -> Received:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = check()
        if found is not None:
            return found
        await asyncio.sleep(0.2)
    raise AssertionError(f"never received {what}; got {len(receiver.snapshot().spans)} spans")


def _of(span: ReceivedSpan, request_id: str) -> bool:
    return span.attributes.get("copilot.request_id") == request_id


def _children(spans: list[ReceivedSpan], parent: ReceivedSpan) -> list[ReceivedSpan]:
    return [span for span in spans if span.parent_span_id == parent.span_id and span.trace_id == parent.trace_id]


async def test_otlp_export_end_to_end(own_stack: LocalStack, tmp_path: Path) -> None:
    receiver = OtlpReceiver()
    settings = {
        **own_stack.settings(),
        "OPENAI_BACKENDS": _backends(own_stack),
        "COSMOS_DATABASE": f"otlp-{uuid.uuid4().hex[:8]}",
        "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint,
        "OTEL_BSP_SCHEDULE_DELAY": "100",
        "OTEL_BLRP_SCHEDULE_DELAY": "100",
        "OTEL_METRIC_EXPORT_INTERVAL": "300",
        "WEBSITE_SITE_NAME": SITE,
        "WEBSITE_INSTANCE_ID": INSTANCE,
        "DEPLOYMENT_ENVIRONMENT": "otlp-test",
        "QUOTA_USER_TPM": "20000",
        "LOG_JSON": "true",
    }
    env = host_env(dict(os.environ), settings)
    tenant, user, nonce = f"t-{uuid.uuid4().hex[:8]}", f"u-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    headers = bearer(tenant, user)
    aoai = f"http://127.0.0.1:{own_stack.ports.aoai}"

    with receiver.running(), host_processes(1, env, tmp_path, queues=True) as hosts:
        (host,) = hosts
        async with httpx.AsyncClient(timeout=60) as client:
            await wait_healthy(client, hosts)
            fault = await client.post(f"{aoai}/_sim/faults", json=[{"kind": "status", "status": 503}] * 2)
            fault.raise_for_status()
            request_id = await _completion(client, host, headers, nonce)
            await _refusals(client, host, headers)
            await _poison_one(own_stack)

            def whole_trace() -> Received | None:
                got = receiver.snapshot()
                servers = [
                    s for s in got.spans if s.kind == SERVER and s.attributes.get("copilot.request_id") == request_id
                ]
                if not servers:
                    return None
                consumers = [
                    s
                    for s in got.spans
                    if s.trace_id == servers[0].trace_id and s.name == f"process {CONVERSATION_EVENTS_QUEUE}"
                ]
                appended = [log for log in got.logs if log.trace_id == servers[0].trace_id and "appended" in log.body]
                if not consumers or not _children(got.spans, consumers[0]) or not appended:
                    return None
                return got

            got = await _until(whole_trace, receiver, "the consumer's spans and logs in the request's trace")
            wanted = documented_metrics()
            assert {"copilot.http.requests", "copilot.conversation.turns", "copilot.upstream.retries"} <= wanted
            got = await _until(
                lambda: s if wanted <= (s := receiver.snapshot()).metric_names else None,
                receiver,
                f"metrics {sorted(wanted - receiver.snapshot().metric_names)}",
            )
        stdout = host.log.read_text(errors="replace")

    (server,) = [s for s in got.spans if s.kind == SERVER and _of(s, request_id)]
    in_trace = [s for s in got.spans if s.trace_id == server.trace_id]
    assert [s for s in in_trace if not s.parent_span_id] == [server], "one trace, rooted at the request"
    names = {s.name for s in in_trace}
    assert {"moderation", "quota", f"chat {MODEL}", f"send {CONVERSATION_EVENTS_QUEUE}"} <= names
    attempts = [s for s in in_trace if s.name == f"chat {MODEL}"]
    assert sorted(s.attributes["copilot.upstream.backend"] for s in attempts) == ["primary", "primary", "secondary"]
    assert all(s.attributes["gen_ai.provider.name"] == "azure.ai.openai" for s in attempts)
    assert all("http" not in str(value) for s in attempts for value in s.attributes.values())
    (consumer,) = [s for s in in_trace if s.name == f"process {CONVERSATION_EVENTS_QUEUE}"]
    assert consumer.kind == CONSUMER and _children(got.spans, consumer), "store calls under the consumer"
    assert all(nonce not in json.dumps(s.attributes) for s in got.spans), "no prompt text in spans"

    traced_logs = [log for log in got.logs if log.trace_id and log.span_id]
    assert traced_logs, "log records carry trace and span ids"
    (appended,) = [log for log in got.logs if log.trace_id == server.trace_id and "appended" in log.body]
    assert appended.span_id in {s.span_id for s in in_trace}
    assert appended.attributes.get("request_id") == request_id, "the consumer's lines carry the request id"
    assert not {key for log in got.logs for key in log.attributes if key.startswith("_")}, "no stray attributes"

    resource = got.resources[0]
    assert resource["service.name"] == SITE and resource["service.instance.id"] == INSTANCE
    assert resource["service.namespace"] and resource["deployment.environment.name"] == "otlp-test"

    lines = [line for line in stdout.splitlines() if line.strip()]
    assert all(line.startswith("{") for line in lines), [line for line in lines if not line.startswith("{")][:5]
    records = [json.loads(line) for line in lines]
    assert lines and len(lines) == len(set(lines)), "each log line printed once"
    consumer_lines = [r for r in records if r.get("logger") == "shared.conversations.ingest"]
    assert consumer_lines and consumer_lines[0]["request_id"] == request_id
    assert consumer_lines[0]["trace_id"] == server.trace_id and consumer_lines[0]["span_id"]


async def _completion(client: httpx.AsyncClient, host: HostProcess, headers: dict[str, str], nonce: str) -> str:
    """A streamed completion opening a new conversation: 503, retry on the same deployment, 503, failover."""
    body = {
        "model": MODEL,
        "stream": True,
        "messages": [{"role": "user", "content": f"Weather {nonce}? [[sim:reply:Sunny.]]"}],
    }
    async with client.stream(
        "POST", f"{host.url}/api/v1/chat/completions", json=body, headers={**headers, "X-Conversation-Id": "new"}
    ) as response:
        assert response.status_code == 200
        text = "".join([chunk async for chunk in response.aiter_text()])
    assert "Sunny" in text
    return response.headers["x-request-id"]


async def _refusals(client: httpx.AsyncClient, host: HostProcess, headers: dict[str, str]) -> None:
    """A blocked prompt and a request over the user's token quota."""
    url = f"{host.url}/api/v1/chat/completions"
    violent = "I will kill you and your whole family tonight, you are dead."
    blocked = await client.post(
        url, json={"model": MODEL, "messages": [{"role": "user", "content": violent}]}, headers=headers
    )
    assert blocked.status_code == 400
    # Each symbol is estimated at two tokens: this prompt alone is over the 20,000-token minute budget.
    over = {"model": MODEL, "max_tokens": 16, "messages": [{"role": "user", "content": "." * 11_000}]}
    assert (await client.post(url, json=over, headers=headers)).status_code == 429


async def _poison_one(own_stack: LocalStack) -> None:
    service = QueueServiceClient.from_connection_string(own_stack.settings()["AzureWebJobsStorage"])
    async with service:
        queue = service.get_queue_client(CONVERSATION_EVENTS_QUEUE)
        await queue.send_message(base64.b64encode(b"not an envelope").decode())
