"""A client's completion request as the gateway carries it: raw bytes, decoded JSON and the typed view.

What goes upstream is always the canonical serialisation of `payload`, the validated object the
guards read (and may rewrite), never the client's bytes: no encoding, duplicate key or unknown field
can make the model see something the guard did not.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

from shared.errors import bad_request
from shared.gateway.chat_schema import validate_chat_request
from shared.gateway.models import ChatCompletionRequest
from shared.web import decode_json, parse_model


@dataclass
class CompletionRequest:
    """`payload` is the decoded body; guards that rewrite it call `replace_messages` (or `mark_modified`)."""

    alias: str
    body: bytes
    payload: dict[str, Any]
    parsed: ChatCompletionRequest
    request_id: str = ""
    conversation: str | None = None
    """The X-Conversation-Id header: an id, `new`, or None."""
    modified: bool = field(default=False)

    @property
    def streaming(self) -> bool:
        return self.parsed.streaming

    @property
    def client_wants_usage(self) -> bool:
        return self.parsed.wants_usage

    def replace_messages(self, messages: list[dict[str, Any]]) -> None:
        self.payload["messages"] = messages
        self.mark_modified()

    def replace_payload(self, payload: dict[str, Any]) -> None:
        self.payload = payload
        self.mark_modified()

    def mark_modified(self) -> None:
        self.modified = True

    def last_user_message(self) -> dict[str, Any] | None:
        for message in reversed(self.payload.get("messages") or []):
            if isinstance(message, dict) and message.get("role") == "user":
                return message
        return None

    def upstream_body(self) -> bytes:
        """The canonical serialisation of the validated payload, asking for usage on every stream."""
        payload = self.payload
        if self.streaming and not self.client_wants_usage:
            options = payload.get("stream_options")
            payload = {
                **payload,
                "stream_options": {**(options if isinstance(options, dict) else {}), "include_usage": True},
            }
        return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


# Decoding, validating and modelling a chat body costs about 0.6 ms per KB of many small parts: past
# this size it runs in a worker thread, so one large body does not hold every other request back.
OFF_LOOP_BODY_BYTES = 64 * 1024


async def read_completion_request(
    body: bytes, alias: str | None, request_id: str = "", *, extensions: bool = False
) -> CompletionRequest:
    """`parse_completion_request`, off the event loop for a body over OFF_LOOP_BODY_BYTES."""
    if len(body) <= OFF_LOOP_BODY_BYTES:
        return parse_completion_request(body, alias, request_id, extensions=extensions)
    return await asyncio.to_thread(parse_completion_request, body, alias, request_id, extensions=extensions)


def parse_completion_request(
    body: bytes, alias: str | None, request_id: str = "", *, extensions: bool = False
) -> CompletionRequest:
    """Decode and validate once; `alias` is the Azure route's deployment, else the body's `model`.

    `extensions`: the Azure route for a tenant allowed to use Azure's `data_sources`.
    """
    payload = decode_json(body)
    if not isinstance(payload, dict):
        raise bad_request("Request body must be a JSON object.", code="invalid_json")
    validate_chat_request(payload, extensions=extensions)
    parsed = parse_model(ChatCompletionRequest, payload)
    model = alias or parsed.model
    if not model:
        raise bad_request("You must provide a model parameter.", param="model", code="missing_model")
    return CompletionRequest(alias=model, body=body, payload=payload, parsed=parsed, request_id=request_id)
