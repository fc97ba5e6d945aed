"""Consumes `conversation-events`: appends turns idempotently; poison for what can never succeed."""

from __future__ import annotations

import logging

from azure.core.exceptions import ServiceRequestError, ServiceResponseError
from azure.cosmos.exceptions import CosmosHttpResponseError

from shared.clients import Clients, get_clients
from shared.conversations.events import CONVERSATION_EVENTS, AppendMessages
from shared.conversations.keys import EventOwner
from shared.conversations.repository import ConversationNotFound, ConversationRepository
from shared.conversations.size_limits import Limits
from shared.errors import ApiError
from shared.queues.consumer import InvalidMessage, consume, describe
from shared.queues.envelope import Envelope
from shared.telemetry.metrics import record_conversation_turn

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


def _refused(envelope: Envelope[AppendMessages], reason: str, problem: str) -> None:
    record_conversation_turn("refused", reason)
    logger.warning(
        "conversation-events: refused (%s): %s", reason, problem, extra={**describe(envelope), "outcome": "refused"}
    )


async def _append(clients: Clients, envelope: Envelope[AppendMessages], attempt: int) -> None:
    """Store the turn; log and count what happened: appended, duplicate (nothing new) or refused."""
    repository = clients.service("conversations", ConversationRepository.from_clients)
    payload = envelope.payload
    owner = EventOwner(envelope.tenant, envelope.user)
    try:
        appended = await repository.append_turn(
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
        _refused(envelope, "conversation_gone", "the conversation no longer exists; event dropped")
        return
    except CosmosHttpResponseError as error:
        if error.status_code in PERMANENT_STORE_STATUSES:
            _refused(envelope, "invalid", f"store rejected the append with {error.status_code}")
            raise InvalidMessage(f"store rejected the append with {error.status_code}") from None
        raise
    outcome = "appended" if appended.written else "duplicate"
    record_conversation_turn(outcome)
    logger.info(
        "conversation-events: %s (%d of %d messages written)",
        outcome,
        appended.written,
        len(appended.documents),
        extra={**describe(envelope), "outcome": outcome, "attempt": attempt},
    )


async def handle_conversation_event(body: bytes, dequeue_count: int = 1) -> None:
    """Process one queue message. Returns when done or poisoned; raises only on transient failures
    (store unavailable, throttled, contended), so the queue redelivers the message."""
    clients = await get_clients()
    await process_event(clients, body, dequeue_count)


async def process_event(clients: Clients, body: bytes, dequeue_count: int = 1) -> None:
    limits = Limits.from_settings(clients.settings)

    async def process(envelope: Envelope[AppendMessages]) -> None:
        try:
            _validate(envelope, limits)
        except InvalidMessage as invalid:
            _refused(envelope, "invalid", str(invalid))
            raise
        try:
            await _append(clients, envelope, dequeue_count)
        except (CosmosHttpResponseError, ServiceRequestError, ServiceResponseError) as error:
            logger.warning(
                "conversation-events: transient failure (attempt %s): %s",
                dequeue_count,
                type(error).__name__,
                extra=describe(envelope),
            )
            raise

    await consume(clients.queues, CONVERSATION_EVENTS, body, dequeue_count, process)
