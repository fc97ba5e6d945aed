"""Consumes `conversation-events`: appends turns idempotently; poison for what can never succeed."""

from __future__ import annotations

import logging

from azure.core.exceptions import ServiceRequestError, ServiceResponseError
from azure.cosmos.exceptions import CosmosHttpResponseError

from shared.clients import Clients, get_clients
from shared.conversations.events import CONVERSATION_EVENTS, AppendMessages
from shared.conversations.keys import EventOwner
from shared.conversations.limits import Limits
from shared.conversations.repository import ConversationNotFound, ConversationRepository
from shared.errors import ApiError
from shared.queues.consumer import InvalidMessage, consume, describe
from shared.queues.envelope import Envelope

logger = logging.getLogger(__name__)

PERMANENT_STORE_STATUSES = frozenset({400, 413})
"""Store answers that no retry can change: the document itself is unacceptable."""


def _validate(envelope: Envelope[AppendMessages], limits: Limits) -> None:
    try:
        limits.check_title(envelope.payload.title)
        for index, message in envelope.payload.positioned():
            limits.check_content(message.content, param=f"payload.messages[{index}].content")
    except ApiError as error:
        raise InvalidMessage(error.message) from None


async def _append(clients: Clients, envelope: Envelope[AppendMessages]) -> None:
    repository = clients.service("conversations", ConversationRepository.from_clients)
    payload = envelope.payload
    owner = EventOwner(envelope.tenant, envelope.user)
    try:
        await repository.append(
            owner,
            payload.conversation_id,
            payload.positioned(),
            idempotency_key=envelope.idempotency_key,
            turn_size=payload.size,
            create_if_missing=payload.create_if_missing,
            title=payload.title,
        )
    except ConversationNotFound:
        # Deleted by its owner before the event arrived: storing it would resurrect deleted data.
        logger.warning("conversation-events: conversation gone, event dropped", extra=describe(envelope))
    except CosmosHttpResponseError as error:
        if error.status_code in PERMANENT_STORE_STATUSES:
            raise InvalidMessage(f"store rejected the append with {error.status_code}") from None
        raise


async def handle_conversation_event(body: bytes, dequeue_count: int = 1) -> None:
    """Process one queue message. Returns when done or poisoned; raises only on transient failures
    (store unavailable, throttled, contended), so the queue redelivers the message."""
    clients = await get_clients()
    await process_event(clients, body, dequeue_count)


async def process_event(clients: Clients, body: bytes, dequeue_count: int = 1) -> None:
    limits = Limits.from_settings(clients.settings)

    async def process(envelope: Envelope[AppendMessages]) -> None:
        _validate(envelope, limits)
        try:
            await _append(clients, envelope)
        except (CosmosHttpResponseError, ServiceRequestError, ServiceResponseError) as error:
            logger.warning(
                "conversation-events: transient failure (attempt %s): %s",
                dequeue_count,
                type(error).__name__,
                extra=describe(envelope),
            )
            raise
        logger.info("conversation-events: appended", extra={**describe(envelope), "attempt": str(dequeue_count)})

    await consume(clients.queues, CONVERSATION_EVENTS, body, dequeue_count, process)
