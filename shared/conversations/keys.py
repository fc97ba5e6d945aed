"""Partition keys and document ids: derived, never guessed, so retries land on the same documents."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Protocol

from shared.principal_keys import digest as _digest

CONVERSATION_PREFIX = "conv_"
MESSAGE_PREFIX = "msg_"
_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,100}$")


class Owner(Protocol):
    """Whoever owns conversations: a Caller, or the tenant and user named by a queue event."""

    @property
    def tenant_id(self) -> str: ...

    @property
    def user_id(self) -> str: ...


@dataclass(frozen=True, slots=True)
class EventOwner:
    tenant_id: str
    user_id: str


class MissingIdentity(ValueError):
    """The owner has no tenant or no user: there is no partition to fall back to."""


def partition_key(owner: Owner) -> str:
    """One logical partition per (tenant, user): a hash, so no raw ids reach Cosmos diagnostics.

    Tenant and user are length-prefixed before hashing, so no two (tenant, user) pairs share a key.
    """
    if not owner.tenant_id or not owner.user_id:
        raise MissingIdentity("a conversation owner needs both a tenant and a user")
    return "tu_" + _digest("conversations/v1", owner.tenant_id, owner.user_id)[:40]


def new_conversation_id() -> str:
    return CONVERSATION_PREFIX + uuid.uuid4().hex


def is_valid_id(value: str) -> bool:
    """Ids we accept from paths and events: short, and safe as a Cosmos id and inside SQL literals."""
    return bool(_ID_PATTERN.match(value))


def message_id(conversation_id: str, idempotency_key: str, index: int) -> str:
    """The same append (conversation, key, position in the turn) always writes the same document."""
    return MESSAGE_PREFIX + _digest(conversation_id, idempotency_key, str(index))[:32]


def append_key(conversation_id: str, idempotency_key: str) -> str:
    """A short token recording, on the conversation, which appends already hold sequence numbers."""
    return _digest("append", conversation_id, idempotency_key)[:24]


def scope_of(*parts: str) -> str:
    """Binds a cursor to the list it came from."""
    return _digest("cursor", *parts)[:16]
