"""Relays an upstream completion to the client: SSE passed through read by read, usage picked out.

Streamed events are not parsed unless they must be: an event is decoded only when it carries usage
or a finish_reason (found by a byte scan), or when text must be collected (conversations, stream
guard). The usage chunk the gateway asked for on the client's behalf is dropped. A failure after
the first byte becomes an `error` event in the stream (the `openai` SDK raises it as an APIError);
it is never retried. When the client goes away, the generator is cancelled and the upstream
connection is closed, which cancels the upstream request.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

DONE_EVENT = b"data: [DONE]"
EVENT_END = b"\n\n"
STREAM_ERROR_CODE = "upstream_stream_error"

StreamGuard = Callable[[str, bool], Awaitable[bool]]
"""(accumulated completion text, final) -> True to end the stream with finish_reason content_filter."""


@dataclass
class RelayOutcome:
    """What the relay saw; the service turns it into usage, quota reconciliation and conversation turns."""

    usage: dict[str, Any] | None = None
    finish_reason: str | None = None
    text_parts: list[str] = field(default_factory=list)
    content_events: int = 0
    error: str | None = None
    cancelled: bool = False
    filtered: bool = False
    first_chunk_at: float | None = None
    response_model: str | None = None
    withheld_from: int | None = None
    """When the guard cut the stream: how many characters of `text` the client received."""
    client_caused: bool = False
    """The error was an upstream error event about the request itself (its content): not a backend fault."""

    @property
    def text(self) -> str:
        return "".join(self.text_parts)

    @property
    def delivered_text(self) -> str:
        """The completion text the client got: a filtered stream's withheld text is left out."""
        text = self.text
        return text if self.withheld_from is None else text[: self.withheld_from]

    @property
    def completed(self) -> bool:
        return self.error is None and not self.cancelled


def error_event(message: str, code: str = STREAM_ERROR_CODE) -> bytes:
    body = {"error": {"message": message, "type": "server_error", "code": code, "param": None}}
    return b"data: " + json.dumps(body, separators=(",", ":")).encode() + EVENT_END


def _has_value(event: bytes, key: bytes) -> bool:
    """Whether `key` occurs with a non-null value: a byte scan, no JSON decoding."""
    at = event.find(key)
    while at != -1:
        position = at + len(key)
        while position < len(event) and event[position] in b" \t:":
            position += 1
        if position < len(event) and event[position] != ord("n"):
            return True
        at = event.find(key, position)
    return False


CLIENT_ERROR_CODES = frozenset({"content_filter", "invalid_prompt", "context_length_exceeded"})


def is_client_caused(error: Any) -> bool:
    """An upstream error about the request (invalid or filtered content), which any backend would give."""
    if not isinstance(error, dict):
        return False
    return error.get("type") == "invalid_request_error" or error.get("code") in CLIENT_ERROR_CODES


def _decode(event: bytes) -> dict[str, Any] | None:
    payload = event[5:] if event.startswith(b"data:") else event
    try:
        decoded = json.loads(payload)
    except (UnicodeDecodeError, ValueError):
        return None
    return decoded if isinstance(decoded, dict) else None


class SseRelay:
    """One streamed completion. Iterate `events()`; `outcome` is final when the iteration ends."""

    def __init__(
        self,
        response: aiohttp.ClientResponse,
        *,
        client_wants_usage: bool,
        collect_text: bool,
        guard: StreamGuard | None = None,
        guard_window_chars: int = 200,
        on_finish: Callable[[RelayOutcome], None] | None = None,
        choice_guard: Callable[[int], StreamGuard | None] | None = None,
    ) -> None:
        self._response = response
        self._client_wants_usage = client_wants_usage
        self._collect = collect_text or guard is not None
        self._guard = guard
        self._choice_guard = choice_guard
        self._guards: dict[int, StreamGuard] = {0: guard} if guard is not None else {}
        self._written: dict[int, list[str]] = {}
        """Per choice: every piece of text the model wrote (content, refusal, tool-call names and arguments)."""
        self._guard_window = guard_window_chars
        self._guarded_chars = 0
        self._text_chars = 0
        self._released_chars = 0
        self._on_finish = on_finish
        self._template: dict[str, Any] | None = None
        self._done = False
        self.outcome = RelayOutcome()

    async def events(self) -> AsyncIterator[bytes]:
        outcome = self.outcome
        buffer = held = b""
        try:
            async for data in self._response.content.iter_any():
                if outcome.first_chunk_at is None:
                    outcome.first_chunk_at = time.monotonic()
                if b"\r" in data:
                    data = data.replace(b"\r\n", b"\n")
                buffer += data
                cut = buffer.rfind(EVENT_END)
                if cut < 0:
                    continue
                complete, buffer = buffer[: cut + 2], buffer[cut + 2 :]
                out = self._pass_through(complete)
                if self._guard is not None:
                    held += out  # released only once the guard has cleared the text in it
                    if self._guarded_chars < self._guard_window:
                        continue
                    if await self._guard_blocks(final=False):
                        yield self._filtered_end()
                        return
                    out, held = held, b""
                    self._released_chars = self._text_chars
                if out:
                    yield out
            if self._guard is not None and await self._guard_blocks(final=True):
                yield self._filtered_end()
                return
            if held:
                yield held
            if not self._done:
                outcome.error = "the upstream stream ended before [DONE]"
                yield error_event("The model stream ended unexpectedly.")
        except (aiohttp.ClientError, TimeoutError) as error:
            outcome.error = f"{type(error).__name__}: {error}"
            yield error_event("The model stream failed after it started; the response is incomplete.")
        except (asyncio.CancelledError, GeneratorExit):
            outcome.cancelled = True
            raise
        finally:
            if self._done and outcome.completed:
                self._response.release()
            else:
                self._response.close()
            if self._on_finish is not None:
                self._on_finish(outcome)

    def _pass_through(self, complete: bytes) -> bytes:
        """Whole events of one read: forwarded as they are unless one carries usage, a finish or an error."""
        if (
            self._collect
            or b'"error"' in complete
            or _has_value(complete, b'"usage"')
            or _has_value(complete, b'"finish_reason"')
        ):
            return self._inspect_all(complete.split(EVENT_END))
        events = complete.count(EVENT_END)
        if DONE_EVENT in complete:
            self._done = True
            events -= 1
        self.outcome.content_events += events
        return complete

    def _inspect_all(self, events: list[bytes]) -> bytes:
        kept: list[bytes] = []
        for event in events:
            if not event:
                continue
            forwarded = self._inspect(event)
            if forwarded is not None:
                kept.append(forwarded)
                kept.append(EVENT_END)
        return b"".join(kept)

    def _inspect(self, event: bytes) -> bytes | None:
        if event.startswith(DONE_EVENT):
            self._done = True
            return event
        if not (self._collect or _has_value(event, b'"usage"') or _has_value(event, b'"finish_reason"')):
            self.outcome.content_events += 1
            return event
        chunk = _decode(event)
        if chunk is None:
            return event
        model = chunk.get("model")
        if model and isinstance(model, str):
            self.outcome.response_model = model
        if "error" in chunk:
            self.outcome.error = str(chunk.get("error"))
            self.outcome.client_caused = is_client_caused(chunk.get("error"))
            return event
        choices = chunk.get("choices") or []
        if choices:
            self.outcome.content_events += 1
            self._template = chunk
            first = choices[0] if isinstance(choices[0], dict) else {}
            if first.get("finish_reason"):
                self.outcome.finish_reason = str(first["finish_reason"])
            if self._collect:
                for choice in choices:
                    if isinstance(choice, dict):
                        self._collect_choice(choice)
        usage = chunk.get("usage")
        if isinstance(usage, dict):
            self.outcome.usage = usage
            if not self._client_wants_usage:
                if not choices:
                    return None
                del chunk["usage"]
                return b"data: " + json.dumps(chunk, separators=(",", ":")).encode()
        return event

    def _collect_choice(self, choice: dict[str, Any]) -> None:
        """Choice 0's content for the conversation; every choice's written text for its guard."""
        index = choice.get("index", 0)
        index = index if isinstance(index, int) and not isinstance(index, bool) and index >= 0 else 0
        delta = choice.get("delta")
        if not isinstance(delta, dict):
            return
        content = delta.get("content")
        if index == 0 and isinstance(content, str) and content:
            self.outcome.text_parts.append(content)
            self._text_chars += len(content)
        if self._guard is None:
            return
        written = [content, delta.get("refusal")]
        calls = delta.get("tool_calls")
        for call in [*(calls if isinstance(calls, list) else []), {"function": delta.get("function_call")}]:
            function = call.get("function") if isinstance(call, dict) else None
            if isinstance(function, dict):
                written += [function.get("name"), function.get("arguments")]
        for text in written:
            if isinstance(text, str) and text:
                self._written.setdefault(index, []).append(text)
                self._guarded_chars += len(text)

    def _guard_of(self, index: int) -> StreamGuard | None:
        if index not in self._guards:
            guard = self._choice_guard(index) if self._choice_guard is not None else None
            if guard is None:
                return None
            self._guards[index] = guard
        return self._guards[index]

    async def _guard_blocks(self, final: bool) -> bool:
        """Every choice's text is cleared before any held event goes out; one flagged choice ends the stream."""
        assert self._guard is not None
        if not final and self._guarded_chars < self._guard_window:
            return False
        self._guarded_chars = 0
        blocked = False
        for index, pieces in sorted(self._written.items()):
            guard = self._guard_of(index)
            if guard is None:
                blocked = True  # a choice nobody can check is not delivered
            elif await guard("".join(pieces), final):
                blocked = True
            if blocked:
                break
        if blocked:
            self.outcome.filtered = True
            self.outcome.finish_reason = "content_filter"
            self.outcome.withheld_from = self._released_chars
        return blocked

    def _filtered_end(self) -> bytes:
        template = self._template or {"id": "", "object": "chat.completion.chunk", "created": 0, "model": ""}
        chunk: dict[str, Any] = {
            "id": template.get("id"),
            "object": "chat.completion.chunk",
            "created": template.get("created"),
            "model": template.get("model"),
            "choices": [
                {"index": index, "delta": {}, "logprobs": None, "finish_reason": "content_filter"}
                for index in sorted({0, *self._written})
            ],
        }
        return b"data: " + json.dumps(chunk, separators=(",", ":")).encode() + EVENT_END + DONE_EVENT + EVENT_END


@dataclass(frozen=True)
class JsonCompletion:
    body: bytes
    payload: dict[str, Any]
    usage: dict[str, Any] | None
    text: str
    """The first choice's message content."""
    finish_reason: str | None

    @property
    def model(self) -> str | None:
        model = self.payload.get("model")
        return model if isinstance(model, str) else None

    def choices(self) -> list[dict[str, Any]]:
        choices = self.payload.get("choices")
        return [choice for choice in choices if isinstance(choice, dict)] if isinstance(choices, list) else []

    def finish_reasons(self) -> list[str]:
        return [str(choice["finish_reason"]) for choice in self.choices() if choice.get("finish_reason")]


def message_text(choice: dict[str, Any]) -> str:
    message = choice.get("message")
    content = message.get("content") if isinstance(message, dict) else None
    return content if isinstance(content, str) else ""


async def read_completion(response: aiohttp.ClientResponse) -> JsonCompletion:
    """Read a non-streamed completion; the body goes to the client byte for byte."""
    try:
        body = await response.read()
    finally:
        response.release()
    decoded = _decode(body) or {}
    usage = decoded.get("usage")
    choices = decoded.get("choices") or []
    first = choices[0] if choices and isinstance(choices[0], dict) else {}
    return JsonCompletion(
        body=body,
        payload=decoded,
        usage=usage if isinstance(usage, dict) else None,
        text=message_text(first),
        finish_reason=first.get("finish_reason"),
    )
