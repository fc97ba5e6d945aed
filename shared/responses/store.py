"""Stored responses: one document per response in the owner's conversation partition.

A response keeps its own input items and output, and the id of the response it continued, so the
history of a `previous_response_id` chain is read back newest first with one point read per response.
They share the conversations' partition, retention (ttl) and delete-all.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

from azure.cosmos.aio import ContainerProxy
from azure.cosmos.exceptions import CosmosResourceNotFoundError

from shared.clients import Clients
from shared.conversations.keys import Owner, is_valid_id, partition_key
from shared.conversations.models import now_us
from shared.resources import CONVERSATIONS
from shared.responses.context import Turn

RESPONSE_TYPE = "response"
RESPONSE_PREFIX = "resp_"
ITEM_PREFIX = "msg_"
MAX_CHAIN = 10_000
"""Responses followed back at most; far beyond any context window."""

Document = dict[str, Any]


def new_response_id() -> str:
    return RESPONSE_PREFIX + uuid.uuid4().hex


def new_item_id() -> str:
    return ITEM_PREFIX + uuid.uuid4().hex


class ResponseNotFound(Exception):
    pass


def turns_of(document: Document) -> list[Turn]:
    """The response's input items then its output, in order."""
    items = [*document.get("input", []), *document.get("output", [])]
    return [Turn(item["role"], item["text"]) for item in items if item.get("text")]


class ResponseStore:
    def __init__(self, container: ContainerProxy, ttl_s: int | None) -> None:
        self._container = container
        self._ttl_s = ttl_s

    @classmethod
    def from_clients(cls, clients: Clients) -> ResponseStore:
        days = clients.settings.conversation_ttl_days
        container = clients.database.get_container_client(CONVERSATIONS.name)
        return cls(container, days * 86_400 if days > 0 else None)

    async def save(self, owner: Owner, document: Document) -> Document:
        document = {**document, "pk": partition_key(owner), "type": RESPONSE_TYPE, "updated_us": now_us()}
        if self._ttl_s is not None:
            document["ttl"] = self._ttl_s
        return dict(await self._container.upsert_item(document))

    async def get(self, owner: Owner, response_id: str) -> Document:
        """The owner's response; anyone else's, or a malformed id, is simply not found."""
        if not response_id.startswith(RESPONSE_PREFIX) or not is_valid_id(response_id):
            raise ResponseNotFound(response_id)
        try:
            document = dict(await self._container.read_item(response_id, partition_key=partition_key(owner)))
        except CosmosResourceNotFoundError:
            raise ResponseNotFound(response_id) from None
        if document.get("type") != RESPONSE_TYPE:
            raise ResponseNotFound(response_id)
        return document

    async def delete(self, owner: Owner, response_id: str) -> None:
        await self.get(owner, response_id)
        try:
            await self._container.delete_item(response_id, partition_key=partition_key(owner))
        except CosmosResourceNotFoundError:
            raise ResponseNotFound(response_id) from None

    async def chain_newest_first(self, owner: Owner, newest: Document) -> AsyncIterator[Turn]:
        """The history a response continues from, newest turn first; a deleted link ends the chain."""
        document: Document | None = newest
        for _ in range(MAX_CHAIN):
            if document is None:
                return
            for turn in reversed(turns_of(document)):
                yield turn
            previous = document.get("previous_response_id")
            if not previous:
                return
            try:
                document = await self.get(owner, previous)
            except ResponseNotFound:
                return
