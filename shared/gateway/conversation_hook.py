"""`X-Conversation-Id` support: ownership check before upstream, the turn appended via `conversation-events`.

Uses the conversations feature's API: `ConversationRepository.exists` (one point read) for the
ownership check, `ConversationRepository.ensure` to store a `new` conversation before its id is
returned (so a follow-up request finds it at once; the turn itself may still be on the queue, and a
conversation deleted before its turn arrives stays deleted), and `publish_turn` for the append,
keyed by the request id so a retried publish stores the turn once. A Cosmos hiccup while appending
never fails a completion: the queue consumer retries, then keeps the event in the poison queue.
"""

from __future__ import annotations

import logging
from typing import Any

from azure.core.exceptions import AzureError

from shared.clients import Clients
from shared.conversations.events import publish_turn
from shared.conversations.keys import is_valid_id, new_conversation_id
from shared.conversations.repository import ConversationRepository
from shared.errors import not_found, service_unavailable
from shared.identity.authorization import require
from shared.identity.caller import Caller, Capability

logger = logging.getLogger(__name__)

NEW_CONVERSATION = "new"


def _text_of(message: dict[str, Any] | None) -> str:
    if message is None:
        return ""
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return ""


class QueuedConversationHook:
    def __init__(self, clients: Clients, repository: ConversationRepository) -> None:
        self._clients = clients
        self._repository = repository

    async def open(self, caller: Caller, header: str) -> str:
        require(caller, Capability.CONVERSATIONS_WRITE)
        if header.strip().lower() == NEW_CONVERSATION:
            return new_conversation_id()
        if not is_valid_id(header) or not await self._repository.exists(caller, header):
            raise not_found("No such conversation.", code="conversation_not_found")
        return header

    async def create(self, caller: Caller, conversation_id: str) -> None:
        """Store a `new` conversation; an unavailable store answers 503 (the completion is not relayed)."""
        try:
            await self._repository.ensure(caller, conversation_id)
        except AzureError as error:
            logger.warning("new conversation not stored: %s", type(error).__name__)
            raise service_unavailable("The conversation can't be stored right now; try again.") from None

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
        turn = [
            {"role": role, "content": text}
            for role, text in (("user", _text_of(user_message)), ("assistant", assistant_text))
            if text
        ]
        if not turn:
            return
        try:
            await publish_turn(
                self._clients,
                caller,
                conversation_id,
                turn,
                idempotency_key=f"completion:{turn_id}",
            )
        except ValueError as error:
            logger.warning("conversation turn not stored (%s): %s", model, error)


async def conversation_hook(clients: Clients) -> QueuedConversationHook:
    repository = clients.service("conversations", ConversationRepository.from_clients)
    return QueuedConversationHook(clients, repository)
