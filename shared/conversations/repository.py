"""The one class that talks to Cosmos DB for conversations and their messages.

Every operation stays inside the caller's logical partition; reads by id are point reads, lists
are single-partition ORDER BY queries paged by continuation token.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass
from typing import Any

from azure.core import MatchConditions
from azure.cosmos.aio import ContainerProxy
from azure.cosmos.exceptions import (
    CosmosAccessConditionFailedError,
    CosmosHttpResponseError,
    CosmosResourceExistsError,
    CosmosResourceNotFoundError,
)

from shared.clients import Clients
from shared.conversations import queries
from shared.conversations.cursor import InvalidCursor
from shared.conversations.keys import Owner, append_key, message_id, partition_key
from shared.conversations.models import (
    CONVERSATION_TYPE,
    DELETING_TYPE,
    MESSAGE_TYPE,
    Document,
    MessageInput,
    Rating,
    conversation_document,
    message_document,
    now_us,
)
from shared.conversations.purge import Purger
from shared.resources import CONVERSATIONS

APPENDS_KEPT = 32
"""Recent appends remembered on the conversation so a redelivered event reuses its sequence numbers."""
APPEND_ATTEMPTS = 40


class ConversationNotFound(Exception):
    pass


class MessageNotFound(Exception):
    pass


class StaleEtag(Exception):
    pass


class AppendContention(Exception):
    """Too many concurrent writers on one conversation; safe to retry the whole append."""


@dataclass(frozen=True, slots=True)
class Appended:
    documents: list[Document]
    written: int
    """Messages this call created; 0 when every one was already stored (a repeated idempotency key)."""


@dataclass(frozen=True, slots=True)
class Page:
    items: list[Document]
    continuation: str | None


def _without_system_properties(document: Document) -> Document:
    return {key: value for key, value in document.items() if not key.startswith("_")}


async def _backoff(attempt: int) -> None:
    await asyncio.sleep(random.uniform(0, min(0.1, 0.002 * 2 ** min(attempt, 6))))


class ConversationRepository:
    def __init__(self, container: ContainerProxy, ttl_s: int | None) -> None:
        self._container = container
        self._ttl_s = ttl_s
        self.purger = Purger(container)

    @classmethod
    def from_clients(cls, clients: Clients) -> ConversationRepository:
        days = clients.settings.conversation_ttl_days
        container = clients.database.get_container_client(CONVERSATIONS.name)
        return cls(container, days * 86_400 if days > 0 else None)

    def _stamped(self, document: Document) -> Document:
        if self._ttl_s is not None:
            document["ttl"] = self._ttl_s
        return document

    def _ttl_ops(self) -> list[dict[str, Any]]:
        return [] if self._ttl_s is None else [{"op": "set", "path": "/ttl", "value": self._ttl_s}]

    async def _read(self, pk: str, conversation_id: str) -> Document | None:
        try:
            return dict(await self._container.read_item(conversation_id, partition_key=pk))
        except CosmosResourceNotFoundError:
            return None

    async def _live(self, pk: str, conversation_id: str) -> Document:
        document = await self._read(pk, conversation_id)
        if document is None or document.get("type") != CONVERSATION_TYPE:
            raise ConversationNotFound(conversation_id)
        return document

    async def _page(
        self, query: str, parameters: list[dict[str, Any]], pk: str, limit: int, continuation: str | None
    ) -> Page:
        pager = self._container.query_items(
            query, parameters=parameters, partition_key=pk, max_item_count=limit
        ).by_page(continuation)
        try:
            page = await anext(pager)
            items = [dict(item) async for item in page]
        except StopAsyncIteration:
            return Page([], None)
        except CosmosHttpResponseError as error:
            if continuation is not None and error.status_code == 400:
                raise InvalidCursor("cursor was rejected by the store") from None
            raise
        return Page(items, getattr(pager, "continuation_token", None) or None)

    def _conversation(self, pk: str, owner: Owner, conversation_id: str, title: str | None) -> Document:
        return self._stamped(conversation_document(pk, owner.tenant_id, owner.user_id, conversation_id, title))

    async def exists(self, owner: Owner, conversation_id: str) -> bool:
        """Whether the owner has this conversation: one point read."""
        document = await self._read(partition_key(owner), conversation_id)
        return document is not None and document.get("type") == CONVERSATION_TYPE

    async def create(
        self, owner: Owner, conversation_id: str, title: str | None, metadata: dict[str, str] | None = None
    ) -> Document:
        pk = partition_key(owner)
        document = self._conversation(pk, owner, conversation_id, title)
        if metadata:
            document["metadata"] = metadata
        return dict(await self._container.create_item(document))

    async def get(self, owner: Owner, conversation_id: str) -> Document:
        return await self._live(partition_key(owner), conversation_id)

    async def list_conversations(self, owner: Owner, limit: int, continuation: str | None) -> Page:
        pk = partition_key(owner)
        return await self._page(queries.CONVERSATIONS_NEWEST_FIRST, queries.params(pk), pk, limit, continuation)

    async def rename(self, owner: Owner, conversation_id: str, title: str | None, etag: str | None) -> Document:
        pk = partition_key(owner)
        operations: list[dict[str, Any]] = [
            {"op": "set", "path": "/title", "value": title},
            {"op": "set", "path": "/updated_us", "value": now_us()},
            *self._ttl_ops(),
        ]
        condition: dict[str, Any] = {}
        if etag is not None:
            condition = {"etag": etag, "match_condition": MatchConditions.IfNotModified}
        try:
            return dict(
                await self._container.patch_item(
                    conversation_id, pk, operations, filter_predicate=queries.IS_LIVE_CONVERSATION, **condition
                )
            )
        except CosmosResourceNotFoundError:
            raise ConversationNotFound(conversation_id) from None
        except CosmosAccessConditionFailedError:
            if etag is None:
                raise ConversationNotFound(conversation_id) from None
        await self._live(pk, conversation_id)
        raise StaleEtag(conversation_id)

    async def set_metadata(self, owner: Owner, conversation_id: str, metadata: dict[str, str]) -> Document:
        """OpenAI's conversation update: the metadata replaced as a whole."""
        operations: list[dict[str, Any]] = [
            {"op": "set", "path": "/metadata", "value": metadata},
            {"op": "set", "path": "/updated_us", "value": now_us()},
            *self._ttl_ops(),
        ]
        try:
            return dict(
                await self._container.patch_item(
                    conversation_id, partition_key(owner), operations, filter_predicate=queries.IS_LIVE_CONVERSATION
                )
            )
        except (CosmosResourceNotFoundError, CosmosAccessConditionFailedError):
            raise ConversationNotFound(conversation_id) from None

    async def get_message(self, owner: Owner, conversation_id: str, message: str) -> Document:
        pk = partition_key(owner)
        await self._live(pk, conversation_id)
        document = await self._read(pk, message)
        if document is None or (document.get("type"), document.get("conversation_id")) != (
            MESSAGE_TYPE,
            conversation_id,
        ):
            raise MessageNotFound(message)
        return document

    async def delete_message(self, owner: Owner, conversation_id: str, message: str) -> Document:
        """Remove one message; the conversation (as it is now) is returned, as OpenAI's item delete does."""
        await self.get_message(owner, conversation_id, message)
        pk = partition_key(owner)
        if not await self.purger.delete_one(pk, message):
            raise MessageNotFound(message)
        return await self._live(pk, conversation_id)

    async def messages_page(
        self, owner: Owner, conversation_id: str, limit: int, *, newest_first: bool, after: str | None
    ) -> tuple[list[Document], bool]:
        """One page of messages in sequence order (or its reverse) after message `after`; and whether more follow."""
        pk = partition_key(owner)
        conversation = await self._live(pk, conversation_id)
        bound = None
        if after is not None:
            bound = int((await self.get_message(owner, conversation_id, after))["sequence"])
        elif newest_first:
            bound = int(conversation.get("last_sequence", 0)) + 1
        query = queries.messages_around(limit + 1, newest_first, bound is not None)
        parameters = queries.params(pk, conversation_id)
        if bound is not None:
            parameters.append({"name": "@bound", "value": bound})
        pager = self._container.query_items(query, parameters=parameters, partition_key=pk, max_item_count=limit + 1)
        items = [dict(item) async for item in pager]
        return items[:limit], len(items) > limit

    async def messages_newest_first(self, owner: Owner, conversation_id: str) -> AsyncGenerator[Document, None]:
        """Every message, newest first, read page by page as far as the caller iterates."""
        pk = partition_key(owner)
        await self._live(pk, conversation_id)
        pager = self._container.query_items(
            queries.MESSAGES_NEWEST_FIRST, parameters=queries.params(pk, conversation_id), partition_key=pk,
            max_item_count=100,
        )  # fmt: skip
        async for message in pager:
            yield dict(message)

    async def append_turn(
        self,
        owner: Owner,
        conversation_id: str,
        messages: Sequence[tuple[int, MessageInput]],
        *,
        idempotency_key: str,
        turn_size: int,
        create_if_missing: bool = False,
        title: str | None = None,
    ) -> Appended:
        """Append messages at their positions in a turn; repeating the same call writes nothing new.

        The turn's sequence range is reserved on the conversation under an ETag condition together
        with a record of the idempotency key, so a retry (or the turn's other parts, sent as separate
        events) finds the same range; message ids derive from (conversation, key, position), so a
        message already written answers 409 and is kept as it is.
        """
        if any(not 0 <= index < turn_size for index, _ in messages):
            raise ValueError("message index outside the turn")
        pk = partition_key(owner)
        first = await self._reserve(pk, owner, conversation_id, idempotency_key, turn_size, create_if_missing, title)
        created_us = now_us()
        documents = [
            self._stamped(
                message_document(
                    pk,
                    message_id(conversation_id, idempotency_key, index),
                    conversation_id,
                    first + index,
                    message,
                    created_us,
                )
            )
            for index, message in messages
        ]
        stored = await asyncio.gather(*(self._create_once(document) for document in documents))
        return Appended([document for document, _ in stored], sum(created for _, created in stored))

    async def _create_once(self, document: Document) -> tuple[Document, bool]:
        try:
            return dict(await self._container.create_item(document)), True
        except CosmosResourceExistsError:
            return dict(await self._container.read_item(document["id"], partition_key=document["pk"])), False

    async def ensure(self, owner: Owner, conversation_id: str, title: str | None = None) -> None:
        """Create the conversation unless it exists: safe to repeat (an SDK retry finds its own write)."""
        with contextlib.suppress(CosmosResourceExistsError):
            await self.create(owner, conversation_id, title)

    async def _reserve(
        self,
        pk: str,
        owner: Owner,
        conversation_id: str,
        idempotency_key: str,
        turn_size: int,
        create_if_missing: bool,
        title: str | None,
    ) -> int:
        """The first sequence number of this append's range, reserving it if not yet reserved."""
        key = append_key(conversation_id, idempotency_key)
        for attempt in range(APPEND_ATTEMPTS):
            current = await self._read(pk, conversation_id)
            if current is None:
                if not create_if_missing:
                    raise ConversationNotFound(conversation_id)
                fresh = self._conversation(pk, owner, conversation_id, title)
                fresh["last_sequence"] = turn_size
                fresh["appends"] = [{"k": key, "f": 1, "n": turn_size}]
                try:
                    await self._container.create_item(fresh)
                    return 1
                except CosmosResourceExistsError:
                    continue
            if current.get("type") != CONVERSATION_TYPE:
                raise ConversationNotFound(conversation_id)
            appends: list[dict[str, Any]] = current.get("appends") or []
            for reserved in appends:
                if reserved.get("k") == key:
                    return int(reserved["f"])
            first = int(current.get("last_sequence", 0)) + 1
            updated = _without_system_properties(current)
            updated["last_sequence"] = first + turn_size - 1
            updated["appends"] = [*appends, {"k": key, "f": first, "n": turn_size}][-APPENDS_KEPT:]
            updated["updated_us"] = now_us()
            try:
                await self._container.replace_item(
                    conversation_id,
                    self._stamped(updated),
                    etag=current["_etag"],
                    match_condition=MatchConditions.IfNotModified,
                )
                return first
            except (CosmosAccessConditionFailedError, CosmosResourceNotFoundError):
                await _backoff(attempt)
        raise AppendContention(conversation_id)

    async def list_messages(self, owner: Owner, conversation_id: str, limit: int, continuation: str | None) -> Page:
        pk = partition_key(owner)
        _, page = await asyncio.gather(
            self._live(pk, conversation_id),
            self._page(queries.MESSAGES_OLDEST_FIRST, queries.params(pk, conversation_id), pk, limit, continuation),
        )
        return page

    async def set_feedback(
        self, owner: Owner, conversation_id: str, message: str, rating: Rating, comment: str | None
    ) -> Document:
        pk = partition_key(owner)
        feedback = {"rating": rating, "comment": comment, "updated_us": now_us()}
        operations = [{"op": "set", "path": "/feedback", "value": feedback}, *self._ttl_ops()]

        async def patch() -> Document:
            try:
                return dict(
                    await self._container.patch_item(
                        message, pk, operations, filter_predicate=queries.message_of(conversation_id)
                    )
                )
            except (CosmosResourceNotFoundError, CosmosAccessConditionFailedError):
                raise MessageNotFound(message) from None

        # Both run at once; a missing conversation must win over a missing message, whichever fails first.
        live, patched = await asyncio.gather(self._live(pk, conversation_id), patch(), return_exceptions=True)
        if isinstance(live, BaseException):
            raise live
        if isinstance(patched, BaseException):
            raise patched
        return patched

    async def delete(self, owner: Owner, conversation_id: str, deadline: float, etag: str | None = None) -> bool:
        """Delete a conversation and its messages; False when the deadline came first (call again).

        The conversation is first marked as being deleted (only if it still has `etag`, when given),
        so it disappears at once and a repeated call resumes where the last one stopped.
        """
        pk = partition_key(owner)
        current = await self._read(pk, conversation_id)
        if current is None or current.get("type") not in (CONVERSATION_TYPE, DELETING_TYPE):
            raise ConversationNotFound(conversation_id)
        if current["type"] == CONVERSATION_TYPE:
            condition: dict[str, Any] = {}
            if etag is not None:
                condition = {"etag": etag, "match_condition": MatchConditions.IfNotModified}
            try:
                await self._container.patch_item(
                    conversation_id, pk, [{"op": "set", "path": "/type", "value": DELETING_TYPE}], **condition
                )
            except CosmosResourceNotFoundError:
                raise ConversationNotFound(conversation_id) from None
            except CosmosAccessConditionFailedError:
                raise StaleEtag(conversation_id) from None
        messages = queries.MESSAGE_IDS_OF
        if not await self.purger.delete_matching(pk, messages, queries.params(pk, conversation_id), deadline):
            return False
        await self.purger.delete_one(pk, conversation_id)
        return True

    async def delete_all(self, owner: Owner, deadline: float) -> tuple[int, bool]:
        """Delete every document the owner has: conversations first, then their messages."""
        pk = partition_key(owner)
        return await self.purger.delete_partition(pk, deadline)

    async def export(self, owner: Owner) -> AsyncGenerator[Document, None]:
        """Every live conversation, oldest first, each followed by its messages in order; then the
        stored responses (Responses API), oldest first."""
        pk = partition_key(owner)
        conversations = self._container.query_items(
            queries.CONVERSATIONS_OLDEST_FIRST,
            parameters=queries.params(pk),
            partition_key=pk,
            max_item_count=100,
        )
        async for conversation in conversations:
            yield dict(conversation)
            messages = self._container.query_items(
                queries.MESSAGES_OLDEST_FIRST,
                parameters=queries.params(pk, conversation["id"]),
                partition_key=pk,
                max_item_count=100,
            )
            async for message in messages:
                yield dict(message)
        responses = self._container.query_items(
            queries.RESPONSES_OLDEST_FIRST, parameters=queries.params(pk), partition_key=pk, max_item_count=100
        )
        async for response in responses:
            yield dict(response)
