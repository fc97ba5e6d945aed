"""The points where moderation and conversations plug into the completion flow.

- `PromptGuard(caller, request)`: runs before anything goes upstream (and before the quota is
  reserved). Raise `ApiError(400, ..., code="content_filter")` to refuse the prompt; to redact,
  call `request.replace_messages(new_messages)` (the upstream body is then re-serialised).
- `StreamGuardFactory(caller, request)`: returns a `StreamGuard` for one streamed completion, or
  None (the default: streamed events are then not decoded at all). The guard is awaited with the
  accumulated completion text every `STREAM_GUARD_WINDOW_CHARS` new characters and once more at
  the end (`final=True`); returning True ends the stream with finish_reason "content_filter".
- `CompletionGuard(caller, request, text)`: awaited with each choice's message content of a
  non-streamed completion before the body goes out; returns None to deliver it, or the choice's
  `content_filter_results` to withhold it (the choice then has no content and finish_reason
  "content_filter"). None (the default): non-streamed completions are relayed byte for byte.
- `ConversationHook`: `open(caller, header)` runs before upstream: it resolves `X-Conversation-Id`
  (an id the caller owns, or `new`) and raises a 404 ApiError for an id the caller doesn't own;
  `create(caller, id)` stores a `new` one once the upstream answered, before the id is returned;
  `record_turn(...)` runs after the response completed and must not fail the completion.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from shared.gateway.relay import StreamGuard
from shared.gateway.request import CompletionRequest
from shared.identity.caller import Caller

STREAM_GUARD_WINDOW_CHARS = 200

PromptGuard = Callable[[Caller, CompletionRequest], Awaitable[None]]
StreamGuardFactory = Callable[[Caller, CompletionRequest], StreamGuard | None]
CompletionGuard = Callable[[Caller, CompletionRequest, str], Awaitable[dict[str, Any] | None]]


async def allow_prompt(caller: Caller, request: CompletionRequest) -> None:
    return None


def no_stream_guard(caller: Caller, request: CompletionRequest) -> StreamGuard | None:
    return None


class ConversationHook(Protocol):
    async def open(self, caller: Caller, header: str) -> str:
        """The conversation id to use (a new one for `new`); 404 ApiError if the caller doesn't own it."""
        ...

    async def create(self, caller: Caller, conversation_id: str) -> None:
        """Store the conversation opened as `new`; awaited before the response carries its id."""
        ...

    async def record_turn(
        self,
        caller: Caller,
        conversation_id: str,
        user_message: dict[str, Any] | None,
        assistant_text: str,
        *,
        model: str,
        turn_id: str,
        created: bool,
    ) -> None:
        """Append the turn (via the conversation-events queue) after the response; `created`: it was `new`
        (and already stored by `create`).

        `turn_id` is the gateway's own id for this completion (never the client's request id), so two
        completions can never be taken for one turn."""
        ...
