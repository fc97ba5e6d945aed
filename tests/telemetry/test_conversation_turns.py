"""The `conversation-events` consumer logs and counts what it did with each turn: appended, duplicate
(the idempotency key was already stored) or refused, with the originating request id on its lines."""

from __future__ import annotations

import logging
import uuid
from typing import Any

import pytest

from shared.conversations.events import APPEND_MESSAGES, AppendMessages, EventMessage
from shared.conversations.ingest import process_event
from shared.conversations.keys import new_conversation_id
from shared.conversations.repository import ConversationRepository
from shared.identity.caller import USER_CAPABILITIES, Caller, CallerKind
from shared.queues.envelope import envelope_for
from shared.telemetry import attributes as attr
from shared.telemetry.logging import request_id_var
from shared.telemetry.metrics import CONVERSATION_TURNS
from tests.telemetry.telemetry_support import Telemetry

pytestmark = pytest.mark.stack


def _caller() -> Caller:
    return Caller(
        CallerKind.USER, f"t-{uuid.uuid4().hex[:8]}", f"u-{uuid.uuid4().hex[:8]}", capabilities=USER_CAPABILITIES
    )


def _body(caller: Caller, conversation_id: str, key: str, **payload: Any) -> bytes:
    turn = AppendMessages(
        conversation_id=conversation_id,
        messages=[EventMessage(role="user", content="q"), EventMessage(role="assistant", content="a")],
        **payload,
    )
    envelope = envelope_for(caller, APPEND_MESSAGES, turn, idempotency_key=key)
    return envelope.model_copy(update={"request_id": f"req-{key}"}).model_dump_json().encode()


def _turns(telemetry: Telemetry, outcome: str, refusal: str | None = None) -> float:
    labels = {attr.TURN_OUTCOME: outcome}
    if refusal is not None:
        labels[attr.TURN_REFUSAL] = refusal
    return telemetry.total(CONVERSATION_TURNS, labels)


async def test_the_consumer_logs_and_counts_appended_duplicate_and_refused(
    telemetry: Telemetry, clients: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caller, live, gone = _caller(), new_conversation_id(), new_conversation_id()
    await ConversationRepository.from_clients(clients).ensure(caller, live)
    key = f"turn-{uuid.uuid4().hex[:8]}"
    before = {name: _turns(telemetry, name) for name in ("appended", "duplicate")}
    gone_before = _turns(telemetry, "refused", "conversation_gone")
    seen_request_ids: list[str | None] = []

    class Capture(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.name == "shared.conversations.ingest":
                seen_request_ids.append(request_id_var.get())

    capture = Capture()
    logging.getLogger("shared.conversations.ingest").addHandler(capture)
    try:
        with caplog.at_level(logging.INFO, logger="shared.conversations.ingest"):
            await process_event(clients, _body(caller, live, key))
            await process_event(clients, _body(caller, live, key), dequeue_count=2)
            await process_event(clients, _body(caller, gone, "other"))
    finally:
        logging.getLogger("shared.conversations.ingest").removeHandler(capture)

    outcomes = [getattr(record, "outcome", None) for record in caplog.records if record.name.endswith("ingest")]
    assert outcomes == ["appended", "duplicate", "refused"]
    assert "conversation_gone" in caplog.records[-1].getMessage()
    assert seen_request_ids == [f"req-{key}", f"req-{key}", "req-other"], "consumer logs carry the request id"
    assert _turns(telemetry, "appended") == before["appended"] + 1
    assert _turns(telemetry, "duplicate") == before["duplicate"] + 1
    assert _turns(telemetry, "refused", "conversation_gone") == gone_before + 1
    stored = await ConversationRepository.from_clients(clients).list_messages(caller, live, 10, None)
    assert [m["content"] for m in stored.items] == ["q", "a"]


async def test_a_turn_over_the_limits_is_refused_and_counted(telemetry: Telemetry, clients: Any) -> None:
    caller, conversation_id = _caller(), new_conversation_id()
    before = _turns(telemetry, "refused", "invalid")

    await process_event(clients, _body(caller, conversation_id, "long", title="t" * 10_000))

    assert _turns(telemetry, "refused", "invalid") == before + 1
