"""A streamed chat completion (the gateway's relay output) reshaped as the Responses event sequence.

The relay has already moderated the text in windows, held back what the guard had not cleared and
turned upstream failures into an `error` event; this module only renames what it sees:
`response.created`, `response.in_progress`, `response.output_item.added`, `response.content_part.added`,
`response.output_text.delta`..., `response.output_text.done`, `response.content_part.done`,
`response.output_item.done`, then `response.completed`, `response.incomplete` or `response.failed`,
each with a `sequence_number` counting from 0.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass, field
from typing import Any

EVENT_END = b"\n\n"
DONE = b"data: [DONE]"


@dataclass
class ChatStreamResult:
    """What the chat stream said: text, finish reason, usage, or the error that ended it."""

    text_parts: list[str] = field(default_factory=list)
    finish_reason: str | None = None
    usage: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    done: bool = False

    @property
    def text(self) -> str:
        return "".join(self.text_parts)


async def chat_chunks(stream: AsyncIterator[bytes], result: ChatStreamResult) -> AsyncGenerator[str, None]:
    """The text deltas of a chat completion SSE stream; `result` collects the rest as it goes.

    Closing this generator closes `stream` at once, which cancels the upstream request.
    """
    buffer = b""
    try:
        async for data in stream:
            buffer += data
            *events, buffer = buffer.split(EVENT_END)
            for event in events:
                delta = _read_event(event.strip(), result)
                if delta:
                    result.text_parts.append(delta)
                    yield delta
    finally:
        close = getattr(stream, "aclose", None)
        if close is not None:
            await close()


def _read_event(event: bytes, result: ChatStreamResult) -> str | None:
    if not event.startswith(b"data:"):
        return None
    if event.startswith(DONE):
        result.done = True
        return None
    try:
        chunk = json.loads(event[5:])
    except ValueError:
        return None
    if not isinstance(chunk, dict):
        return None
    if isinstance(chunk.get("error"), dict):
        result.error = chunk["error"]
        return None
    if isinstance(chunk.get("usage"), dict):
        result.usage = chunk["usage"]
    choices = chunk.get("choices") or []
    first = choices[0] if choices and isinstance(choices[0], dict) else {}
    if first.get("finish_reason"):
        result.finish_reason = str(first["finish_reason"])
    content = (first.get("delta") or {}).get("content")
    return content if isinstance(content, str) else None


class EventWriter:
    """Numbers events in order and renders them as SSE (`event:` and `data:` lines)."""

    def __init__(self) -> None:
        self.sequence = 0

    def __call__(self, kind: str, **fields: Any) -> bytes:
        payload = {"type": kind, "sequence_number": self.sequence, **fields}
        self.sequence += 1
        data = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
        return f"event: {kind}\ndata: {data}\n\n".encode()


def opening_events(write: EventWriter, snapshot: dict[str, Any], item_id: str) -> list[bytes]:
    item = {"id": item_id, "type": "message", "status": "in_progress", "role": "assistant", "content": []}
    part = {"type": "output_text", "text": "", "annotations": [], "logprobs": []}
    return [
        write("response.created", response=snapshot),
        write("response.in_progress", response=snapshot),
        write("response.output_item.added", output_index=0, item=item),
        write("response.content_part.added", item_id=item_id, output_index=0, content_index=0, part=part),
    ]


def delta_event(write: EventWriter, item_id: str, delta: str) -> bytes:
    return write(
        "response.output_text.delta", item_id=item_id, output_index=0, content_index=0, delta=delta, logprobs=[]
    )


def closing_events(write: EventWriter, final: dict[str, Any]) -> list[bytes]:
    """The text, part and item done events (when there is an item), then the terminal event."""
    events: list[bytes] = []
    status = final["status"]
    for item in final["output"]:
        part = item["content"][0]
        events += [
            write(
                "response.output_text.done",
                item_id=item["id"],
                output_index=0,
                content_index=0,
                text=part["text"],
                logprobs=[],
            ),
            write("response.content_part.done", item_id=item["id"], output_index=0, content_index=0, part=part),
            write("response.output_item.done", output_index=0, item=item),
        ]
    terminal = {"completed": "response.completed", "incomplete": "response.incomplete"}.get(status, "response.failed")
    events.append(write(terminal, response=final))
    return events
