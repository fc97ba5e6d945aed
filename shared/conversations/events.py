"""Queue payloads for `conversation-events` and the producer other services call."""

from __future__ import annotations

import base64
import binascii
import gzip
import zlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.clients import Clients
from shared.conversations.keys import is_valid_id
from shared.conversations.models import MessageInput
from shared.conversations.size_limits import Limits
from shared.identity.caller import Caller
from shared.queues.contract import Message, QueueContract
from shared.queues.envelope import Envelope, envelope_for
from shared.queues.producer import QueueProducer, encode
from shared.resources import CONVERSATION_EVENTS_QUEUE

APPEND_MESSAGES = "conversation.messages.append"
MAX_TURN_MESSAGES = 16
QUEUE_MESSAGE_MAX_CHARS = 63 * 1024
"""Storage queues take 64 KiB per message (base64 text); a little is kept back for the service."""

ID_PATTERN = r"^[A-Za-z0-9_-]{1,100}$"
GZIP_BASE64: Literal["gzip+base64"] = "gzip+base64"
MAX_INFLATED_BYTES = 1_048_576
"""Hard bound on an inflated message, before the configured limit applies: no decompression bombs."""


class EventMessage(MessageInput):
    index: int | None = Field(default=None, ge=0, lt=MAX_TURN_MESSAGES)
    """Position in the turn; defaults to the position in `messages`. Set when a turn is split."""
    encoding: Literal["gzip+base64"] | None = None
    """Set when `content` is compressed; validation inflates it (bounded), so readers see plain text."""

    @model_validator(mode="after")
    def _inflated(self) -> EventMessage:
        if self.encoding is not None:
            self.content = _gunzip(self.content)
            self.encoding = None
        return self


class AppendMessages(BaseModel):
    """Append one turn (or one part of a turn) to a conversation of the envelope's tenant and user."""

    model_config = ConfigDict(extra="forbid")

    conversation_id: str = Field(pattern=ID_PATTERN)
    messages: list[EventMessage] = Field(min_length=1, max_length=MAX_TURN_MESSAGES)
    turn_size: int | None = Field(default=None, ge=1, le=MAX_TURN_MESSAGES)
    """Messages in the whole turn when it travels in several events; defaults to len(messages)."""
    create_if_missing: bool = False
    title: str | None = None

    @model_validator(mode="after")
    def _positions_fit(self) -> AppendMessages:
        explicit = [message.index for message in self.messages if message.index is not None]
        if explicit and len(explicit) != len(self.messages):
            raise ValueError("either every message has an index or none has")
        size = self.size
        positions = [index for index, _ in self.positioned()]
        if len(set(positions)) != len(positions) or any(index >= size for index in positions):
            raise ValueError("message indexes must be distinct and below turn_size")
        return self

    @property
    def size(self) -> int:
        return self.turn_size if self.turn_size is not None else len(self.messages)

    def positioned(self) -> list[tuple[int, MessageInput]]:
        return [
            (message.index if message.index is not None else position, message)
            for position, message in enumerate(self.messages)
        ]


CONVERSATION_EVENTS = QueueContract(
    CONVERSATION_EVENTS_QUEUE,
    Message(APPEND_MESSAGES, AppendMessages),
    summary="Append a turn to a conversation of the envelope's tenant and user; the idempotency key "
    "names the turn, so a repeated message is stored once.",
)


class EventTooLarge(ValueError):
    """A message cannot be carried by the queue or stored: over the size limit."""


def _gzip(content: str) -> str:
    return base64.b64encode(gzip.compress(content.encode(), mtime=0)).decode()


def _gunzip(content: str) -> str:
    try:
        inflater = zlib.decompressobj(wbits=31)
        raw = inflater.decompress(base64.b64decode(content, validate=True), MAX_INFLATED_BYTES + 1)
        if len(raw) > MAX_INFLATED_BYTES or inflater.unconsumed_tail:
            raise ValueError("compressed content inflates beyond the size limit")
        return raw.decode()
    except (binascii.Error, zlib.error, UnicodeDecodeError):
        raise ValueError("content is not valid gzip+base64") from None


Packer = Callable[[AppendMessages], Envelope[AppendMessages]]


def pack_turn(
    make: Packer, conversation_id: str, messages: list[MessageInput], create_if_missing: bool, title: str | None
) -> list[Envelope[AppendMessages]]:
    """As few envelopes as fit the queue. Parts share the turn's key and carry explicit indexes;
    a message too big for a queue message on its own travels gzip-compressed."""
    turn = len(messages)

    def envelope(wire: list[EventMessage], indexed: bool = True) -> Envelope[AppendMessages]:
        return make(
            AppendMessages.model_construct(
                conversation_id=conversation_id,
                messages=wire,
                turn_size=turn if indexed else None,
                create_if_missing=create_if_missing,
                title=title,
            )
        )

    def fits(candidate: Envelope[AppendMessages]) -> bool:
        return len(encode(candidate)) <= QUEUE_MESSAGE_MAX_CHARS

    whole = envelope([EventMessage(role=m.role, content=m.content) for m in messages], indexed=False)
    if fits(whole):
        return [whole]
    parts: list[Envelope[AppendMessages]] = []
    chunk: list[EventMessage] = []
    for index, message in enumerate(messages):
        single = EventMessage(role=message.role, content=message.content, index=index)
        if not fits(envelope([single])):
            single = EventMessage.model_construct(
                role=message.role, content=_gzip(message.content), index=index, encoding=GZIP_BASE64
            )
            if not fits(envelope([single])):
                raise EventTooLarge(f"message {index} does not fit a queue message even compressed")
        if chunk and not fits(envelope([*chunk, single])):
            parts.append(envelope(chunk))
            chunk = []
        chunk.append(single)
    parts.append(envelope(chunk))
    return parts


async def publish_turn(
    clients: Clients,
    caller: Caller,
    conversation_id: str,
    messages: Sequence[MessageInput | Mapping[str, Any]],
    *,
    idempotency_key: str,
    trace_headers: Mapping[str, str] | None = None,
    create_if_missing: bool = False,
    title: str | None = None,
) -> None:
    """Queue a turn (e.g. the user's message and the assistant's reply) for appending, in order.

    Sending the same turn again with the same idempotency key stores it once. Raises ValueError
    (EventTooLarge for size) when the turn could never be stored, so nothing is queued in vain.
    """
    if not is_valid_id(conversation_id):
        raise ValueError("conversation_id is not a valid conversation id")
    turn = [MessageInput.model_validate(message) for message in messages]
    if not 1 <= len(turn) <= MAX_TURN_MESSAGES:
        raise ValueError(f"a turn holds 1 to {MAX_TURN_MESSAGES} messages")
    limits = Limits.from_settings(clients.settings)
    for index, message in enumerate(turn):
        if len(message.content.encode()) > limits.message_max_bytes:
            raise EventTooLarge(f"message {index} exceeds {limits.message_max_bytes} bytes")
    if title is not None and len(title) > limits.title_max_chars:
        raise ValueError(f"title exceeds {limits.title_max_chars} characters")
    headers = dict(trace_headers or {})

    def make(payload: AppendMessages) -> Envelope[AppendMessages]:
        return envelope_for(caller, APPEND_MESSAGES, payload, idempotency_key=idempotency_key, trace_headers=headers)

    producer = QueueProducer(clients.queues)
    for envelope in pack_turn(make, conversation_id, turn, create_if_missing, title):
        await producer.send(CONVERSATION_EVENTS_QUEUE, envelope)
