"""The `moderation-requests` queue: other services submit content to moderate.

Message: an `Envelope[ModerationJob]`. The result document's id derives from (tenant, idempotency key),
so a redelivered or repeated message is answered from the stored result instead of being moderated
again. Results go to the `moderation` container (pk `result:t:<tenant>`, never the content unless
`MODERATION_RECORD_TEXT`) and, when `result_queue` is named, to that queue as an
`Envelope[ModerationJobResult]` (type `moderation.result`) with the same idempotency key.
The result queue must exist. Invalid messages go to the poison queue at once; an unavailable provider
(or a failed send) raises so the host retries.
"""

from __future__ import annotations

import hashlib
import logging
import time
from typing import Any, Literal

from azure.cosmos.aio import ContainerProxy
from azure.cosmos.exceptions import CosmosResourceExistsError, CosmosResourceNotFoundError
from pydantic import BaseModel, ConfigDict, Field

from shared.clients import Clients, get_clients
from shared.moderation.openai_shape import openai_result
from shared.moderation.service import ModerationService, get_moderation_service
from shared.queues.consumer import consume
from shared.queues.contract import Message, QueueContract
from shared.queues.envelope import Envelope
from shared.queues.producer import QueueProducer
from shared.queues.results import ResultQueue, post_result
from shared.resources import MODERATION, MODERATION_REQUESTS_QUEUE

logger = logging.getLogger(__name__)

RESULT_TYPE = "moderation.result"
MAX_CONTENT_CHARS = 100_000


class ModerationJob(BaseModel):
    model_config = ConfigDict(extra="forbid")

    content: str = Field(max_length=MAX_CONTENT_CHARS)
    kind: Literal["prompt", "completion"] = "prompt"
    result_queue: ResultQueue | None = None
    metadata: dict[str, str] = Field(default_factory=dict, max_length=32)


class ModerationJobResult(BaseModel):
    result_id: str
    flagged: bool
    action: str
    result: dict[str, Any]
    metadata: dict[str, str] = Field(default_factory=dict)


MODERATION_REQUESTS = QueueContract(
    MODERATION_REQUESTS_QUEUE,
    Message("moderation.request", ModerationJob),
    summary="Moderate content under the tenant's policy, once per (tenant, idempotency key).",
    result=Message(RESULT_TYPE, ModerationJobResult),
)


def result_id(tenant_id: str, idempotency_key: str) -> str:
    digest = hashlib.sha256("\x1f".join((tenant_id, idempotency_key)).encode()).hexdigest()
    return "mr_" + digest[:40]


def result_partition(tenant_id: str) -> str:
    return f"result:t:{tenant_id}"


class ModerationJobs:
    def __init__(self, container: ContainerProxy, producer: QueueProducer) -> None:
        self._container = container
        self._producer = producer

    @classmethod
    def from_clients(cls, clients: Clients) -> ModerationJobs:
        return cls(clients.database.get_container_client(MODERATION.name), QueueProducer(clients.queues))

    async def process(self, envelope: Envelope[ModerationJob], service: ModerationService) -> dict[str, Any]:
        """The stored result for this idempotency key, moderating (and storing) it the first time."""
        identity = result_id(envelope.tenant, envelope.idempotency_key)
        pk = result_partition(envelope.tenant)
        try:
            document = dict(await self._container.read_item(identity, partition_key=pk))
        except CosmosResourceNotFoundError:
            document = await self._moderate(envelope, service, identity, pk)
        await self._post_result(envelope, document)
        return document

    async def _moderate(
        self, envelope: Envelope[ModerationJob], service: ModerationService, identity: str, pk: str
    ) -> dict[str, Any]:
        job = envelope.payload
        moderation = await service.moderate(
            job.content,
            tenant_id=envelope.tenant,
            stage="queue",
            kind=job.kind,
            request_id=envelope.idempotency_key[:64],
        )
        document: dict[str, Any] = {
            "id": identity,
            "pk": pk,
            "type": "moderation_result",
            "idempotency_key": envelope.idempotency_key,
            "flagged": moderation.decision.flagged,
            "action": moderation.decision.action.value,
            "result": openai_result(moderation.result, moderation.decision),
            "created_at": time.time(),
            "result_posted": False,
        }
        if service.record_text:
            document["content"] = job.content
        try:
            return dict(await self._container.create_item(document))
        except CosmosResourceExistsError:
            # Another delivery of the same message stored it first; answer with that one.
            return dict(await self._container.read_item(identity, partition_key=pk))

    async def _post_result(self, envelope: Envelope[ModerationJob], document: dict[str, Any]) -> None:
        queue = envelope.payload.result_queue
        if queue is None or document.get("result_posted"):
            return
        result = ModerationJobResult(
            result_id=document["id"],
            flagged=document["flagged"],
            action=document["action"],
            result=document["result"],
            metadata=envelope.payload.metadata,
        )
        await post_result(self._producer, self._container, envelope, document, queue, RESULT_TYPE, result)


async def handle_moderation_request(body: bytes, dequeue_count: int) -> None:
    """Queue trigger entry: invalid messages go to the poison queue at once; transient failures raise."""
    clients = await get_clients()
    jobs = clients.service("moderation.jobs", ModerationJobs.from_clients)

    async def process(envelope: Envelope[ModerationJob]) -> None:
        await jobs.process(envelope, await get_moderation_service())

    await consume(clients.queues, MODERATION_REQUESTS, body, dequeue_count, process)
