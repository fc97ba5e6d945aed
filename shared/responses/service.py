"""One Responses API call: resolve the history, fit the context, complete through the gateway, store.

The completion goes through the gateway's `CompletionService` as a chat completion, so the prompt
guard (every message, before anything goes upstream), the quota reservation and its reconciliation,
the pool's failover, the streamed moderation windows, usage, spans and metrics are the chat path's
own. State lives in Cosmos, never in a backend: any backend can serve the next turn.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from fastapi import Response

from shared.conversations.items import STORED_ROLES
from shared.conversations.keys import is_valid_id, message_id
from shared.conversations.models import MessageInput
from shared.conversations.repository import ConversationNotFound, ConversationRepository
from shared.conversations.size_limits import Limits
from shared.errors import bad_request, not_found
from shared.gateway.request import CompletionRequest, parse_completion_request
from shared.gateway.service import CompletionResponse, CompletionService
from shared.identity.authorization import require
from shared.identity.caller import Caller, Capability
from shared.responses.context import Budget, Context, Turn, assemble
from shared.responses.events import (
    ChatStreamResult,
    EventWriter,
    chat_chunks,
    closing_events,
    delta_event,
    opening_events,
)
from shared.responses.models import ResponseCreate
from shared.responses.render import render
from shared.responses.store import Document, ResponseNotFound, ResponseStore, new_item_id, new_response_id
from shared.settings import Settings
from shared.web import LeanStreamingResponse

logger = logging.getLogger(__name__)


def response_not_found() -> Exception:
    return not_found("No such response.", code="response_not_found")


def conversation_not_found() -> Exception:
    return not_found("No such conversation.", code="conversation_not_found")


@dataclass
class Outcome:
    text: str
    finish_reason: str | None
    usage: dict[str, Any] | None
    error: dict[str, Any] | None = None


@dataclass
class ResponsesService:
    completions: CompletionService
    store: ResponseStore
    conversations: ConversationRepository
    settings: Settings

    def budget(self, alias: str, max_output_tokens: int | None) -> Budget:
        windows = [backend.context_tokens for backend in self.settings.openai_backends if backend.alias == alias]
        output = max_output_tokens or self.settings.completion_reserve_tokens
        return Budget(min(windows), output, self.settings.responses_context_margin)

    async def create(self, caller: Caller, body: ResponseCreate, request_id: str) -> Response:
        conversation_id = body.conversation_id
        needs = [Capability.COMPLETIONS]
        if body.previous_response_id or conversation_id:
            needs.append(Capability.CONVERSATIONS_READ)
        if body.store or conversation_id:
            needs.append(Capability.CONVERSATIONS_WRITE)
        require(caller, *needs)
        if body.previous_response_id and conversation_id:
            raise bad_request("Use previous_response_id or conversation, not both.", param="conversation")
        if not self.completions.pool.has(body.model):
            raise not_found(f"The model `{body.model}` does not exist.", code="model_not_found")
        items = body.items()
        limits = Limits.from_settings(self.settings)
        for index, item in enumerate(items):
            limits.check_content(item.text, f"input.{index}")
        new_input = [Turn(item.role, item.text) for item in items]
        history, total = await self._history(caller, body)
        context = await assemble(
            body.instructions,
            history,
            new_input,
            self.budget(body.model, body.max_output_tokens),
            truncate=body.truncation == "auto",
            total=total,
        )
        document = self._document(body, new_input, request_id)
        document["chain_items"] = (total or 0) + len(new_input)
        document["truncated_input_items"] = context.dropped
        chat_request = self._chat_request(body, context, request_id)
        result = await self.completions.complete(caller, chat_request)
        if chat_request.modified:
            _keep_redactions(document, chat_request.payload["messages"])
        if result.status != 200:
            return Response(result.body, result.status, result.headers, media_type=result.content_type)
        if result.stream is not None:
            return _sse(self._stream(caller, body, document, result), result.headers)
        outcome = _outcome_of(json.loads(result.body))
        await self._finish(caller, body, document, outcome)
        return Response(json.dumps(render(document)).encode(), 200, result.headers, media_type="application/json")

    async def _history(self, caller: Caller, body: ResponseCreate) -> tuple[AsyncIterator[Turn], int | None]:
        """The history newest first, and its length when it is known without reading it all."""
        if body.previous_response_id:
            try:
                previous = await self.store.get(caller, body.previous_response_id)
            except ResponseNotFound:
                raise response_not_found() from None
            known = previous.get("chain_items")
            return self.store.chain_newest_first(caller, previous), known if isinstance(known, int) else None
        conversation_id = body.conversation_id
        if conversation_id:
            if not is_valid_id(conversation_id):
                raise conversation_not_found()
            try:
                await self.conversations.get(caller, conversation_id)
            except ConversationNotFound:
                raise conversation_not_found() from None
            return _conversation_turns(self.conversations.messages_newest_first(caller, conversation_id)), None
        return _no_history(), 0

    def _document(self, body: ResponseCreate, new_input: list[Turn], request_id: str) -> Document:
        return {
            "id": new_response_id(),
            "created_us": time.time_ns() // 1000,
            "status": "in_progress",
            "model": body.model,
            "instructions": body.instructions,
            "previous_response_id": body.previous_response_id,
            "conversation_id": body.conversation_id,
            "metadata": body.metadata or {},
            "temperature": body.temperature,
            "top_p": body.top_p,
            "max_output_tokens": body.max_output_tokens,
            "truncation": body.truncation,
            "store": body.store,
            "request_id": request_id,
            "input": [{"id": new_item_id(), "role": turn.role, "text": turn.text} for turn in new_input],
            "output": [],
        }

    def _chat_request(self, body: ResponseCreate, context: Context, request_id: str) -> CompletionRequest:
        payload: dict[str, Any] = {"model": body.model, "messages": context.messages}
        for name, value in (
            ("max_tokens", body.max_output_tokens),
            ("temperature", body.temperature),
            ("top_p", body.top_p),
        ):
            if value is not None:
                payload[name] = value
        if body.stream:
            payload["stream"] = True
            payload["stream_options"] = {"include_usage": True}
        return parse_completion_request(json.dumps(payload).encode(), None, request_id)

    async def _stream(
        self, caller: Caller, body: ResponseCreate, document: Document, result: CompletionResponse
    ) -> AsyncIterator[bytes]:
        assert result.stream is not None
        write = EventWriter()
        item_id = new_item_id()
        snapshot = render(document)
        for event in opening_events(write, snapshot, item_id):
            yield event
        chat = ChatStreamResult()
        async with contextlib.aclosing(chat_chunks(result.stream, chat)) as deltas:
            async for delta in deltas:
                yield delta_event(write, item_id, delta)
        error = chat.error if chat.error is not None or chat.done else {"message": "The model stream ended early."}
        outcome = Outcome(chat.text, chat.finish_reason, chat.usage, error)
        try:
            await self._finish(caller, body, document, outcome, item_id)
        except Exception:
            logger.exception("a streamed response could not be stored", extra={"request_id": document["request_id"]})
            document["status"] = "failed"
            document["error"] = {"code": "server_error", "message": "The response could not be stored; send it again."}
        for event in closing_events(write, render(document)):
            yield event

    async def _finish(
        self, caller: Caller, body: ResponseCreate, document: Document, outcome: Outcome, item_id: str | None = None
    ) -> None:
        """Complete the document from the outcome; store it (and the conversation's new messages)."""
        document["completed_at"] = int(time.time())
        document["usage"] = outcome.usage
        if outcome.error is not None:
            document["status"] = "failed"
            document["error"] = {
                "code": "server_error",
                "message": str(outcome.error.get("message") or "The model response failed."),
            }
        elif outcome.finish_reason in ("content_filter", "length"):
            document["status"] = "incomplete"
            reason = "content_filter" if outcome.finish_reason == "content_filter" else "max_output_tokens"
            document["incomplete_details"] = {"reason": reason}
        else:
            document["status"] = "completed"
        if outcome.text or document["status"] != "failed":
            status = "completed" if document["status"] == "completed" else "incomplete"
            document["output"] = [
                {"id": item_id or new_item_id(), "role": "assistant", "text": outcome.text, "status": status}
            ]
        document["chain_items"] += sum(1 for item in document["output"] if item["text"])
        if not body.store:
            return
        if body.conversation_id and document["status"] != "failed":
            await self._append_turn(caller, body.conversation_id, document)
        await self.store.save(caller, document)

    async def _append_turn(self, caller: Caller, conversation_id: str, document: Document) -> None:
        """The input and output become the conversation's next messages (their ids become the items' ids)."""
        items = [*document["input"], *document["output"]]
        messages = [
            (index, MessageInput(role=STORED_ROLES[item["role"]], content=item["text"]))
            for index, item in enumerate(items)
            if item["text"]
        ]
        await self.conversations.append_turn(
            caller, conversation_id, messages, idempotency_key=document["id"], turn_size=len(items)
        )
        for index, item in enumerate(items):
            item["id"] = message_id(conversation_id, document["id"], index)


def _outcome_of(completion: dict[str, Any]) -> Outcome:
    choices = completion.get("choices") or []
    first = choices[0] if choices and isinstance(choices[0], dict) else {}
    message = first.get("message") or {}
    text = message.get("content") if isinstance(message.get("content"), str) else ""
    usage = completion.get("usage")
    return Outcome(text or "", first.get("finish_reason"), usage if isinstance(usage, dict) else None)


def _keep_redactions(document: Document, sent: list[dict[str, Any]]) -> None:
    """What the prompt guard redacted is stored redacted: the new input is the last of the messages sent."""
    inputs = document["input"]
    for item, message in zip(inputs, sent[len(sent) - len(inputs) :], strict=True):
        content = message.get("content")
        if isinstance(content, str):
            item["text"] = content


async def _no_history() -> AsyncIterator[Turn]:
    none: tuple[Turn, ...] = ()
    for turn in none:
        yield turn


async def _conversation_turns(messages: AsyncIterator[dict[str, Any]]) -> AsyncIterator[Turn]:
    async for message in messages:
        if message.get("content"):
            yield Turn(str(message["role"]), str(message["content"]))


def _sse(events: AsyncIterator[bytes], headers: dict[str, str]) -> Response:
    return LeanStreamingResponse(events, 200, headers, media_type="text/event-stream; charset=utf-8")
