"""The `completion-jobs` queue: non-interactive completions (titles, summaries) for other services.

Message: an `Envelope[CompletionJob]`; its `idempotency_key` names the job. The job document (in
`jobs`, pk `jobs:<tenant>`) is claimed before the call, so a redelivered message never runs the
completion twice: a finished job only re-posts its result if that hadn't happened yet. Refusals
(4xx) finish the job as `failed`; throttling and upstream outages raise, so the host retries.
The result goes to the job document and, when `result_queue` is set, to that queue as an
`Envelope[CompletionJobResult]` (type `completion.result`) with the same idempotency key.
"""

from __future__ import annotations

import json
import logging
import math
import time
from typing import Any, Literal

from azure.core import MatchConditions
from azure.cosmos.aio import ContainerProxy
from azure.cosmos.exceptions import (
    CosmosAccessConditionFailedError,
    CosmosResourceExistsError,
    CosmosResourceNotFoundError,
)
from pydantic import BaseModel, ConfigDict, Field

from shared.clients import Clients, get_clients
from shared.errors import ApiError
from shared.gateway.request import parse_completion_request
from shared.gateway.service import CompletionService
from shared.gateway.wiring import get_completion_service
from shared.identity.caller import Caller, CallerKind, Capability
from shared.principal_keys import digest
from shared.queues.consumer import consume, describe
from shared.queues.contract import Message, QueueContract
from shared.queues.envelope import Envelope
from shared.queues.producer import QueueProducer
from shared.queues.results import ResultQueue, post_result
from shared.resources import COMPLETION_JOBS_QUEUE, JOBS

logger = logging.getLogger(__name__)

CLAIM_MARGIN_S = 10.0
"""A claim outlives the longest run (the upstream's total timeout) by this much; then it is stale."""
RESULT_TYPE = "completion.result"


class CompletionJob(BaseModel):
    model_config = ConfigDict(extra="forbid")

    model: str = Field(min_length=1, max_length=256)
    request: dict[str, Any]
    """A chat completion body (`messages`, `max_tokens`, ...); it always runs non-streamed."""
    result_queue: ResultQueue | None = None
    metadata: dict[str, str] = Field(default_factory=dict, max_length=32)


class CompletionJobResult(BaseModel):
    job_id: str
    status: Literal["succeeded", "failed"]
    response: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    metadata: dict[str, str] = Field(default_factory=dict)


COMPLETION_JOBS = QueueContract(
    COMPLETION_JOBS_QUEUE,
    Message("completion.job", CompletionJob),
    summary="Run a chat completion for the envelope's tenant and user, once per idempotency key.",
    result=Message(RESULT_TYPE, CompletionJobResult),
)


class JobBusy(Exception):
    """Another delivery of the same job holds its claim, for `retry_in_s` more at most (it may have
    died with its instance). Not a failure: the message is deferred until then, not retried, so
    waiting out a crashed instance's claim never uses up its dequeue count into the poison queue."""

    def __init__(self, identity: str, retry_in_s: float) -> None:
        super().__init__(identity)
        self.retry_in_s = retry_in_s


def job_id(tenant_id: str, user_id: str, idempotency_key: str) -> str:
    """Length-prefixed parts: no (tenant, user, key) can name another's job."""
    return "cj_" + digest("completion-job/v2", tenant_id, user_id, idempotency_key)[:40]


def job_partition(tenant_id: str) -> str:
    return f"jobs:{tenant_id}"


class CompletionJobs:
    def __init__(self, container: ContainerProxy, producer: QueueProducer, claim_lease_s: float) -> None:
        self._container = container
        self._producer = producer
        self._claim_lease_s = claim_lease_s

    @classmethod
    def from_clients(cls, clients: Clients) -> CompletionJobs:
        claim_lease_s = clients.settings.upstream_total_timeout_s + CLAIM_MARGIN_S
        return cls(clients.database.get_container_client(JOBS.name), QueueProducer(clients.queues), claim_lease_s)

    async def defer(self, envelope: Envelope[CompletionJob], busy: JobBusy) -> None:
        """Send the job again, visible once the other claim has ended or gone stale."""
        delay = max(1, math.ceil(busy.retry_in_s))
        await self._producer.send(COMPLETION_JOBS_QUEUE, envelope, visibility_timeout_s=delay)

    async def process(self, envelope: Envelope[CompletionJob], service: CompletionService) -> dict[str, Any]:
        """Run the job once; returns its document (status succeeded or failed)."""
        document = await self._claim(envelope)
        if document["status"] in ("succeeded", "failed"):
            await self._post_result(envelope, document)
            return document
        caller = Caller(
            CallerKind.SERVICE,
            envelope.tenant,
            envelope.user,
            capabilities=frozenset({Capability.COMPLETIONS}),
        )
        try:
            document.update(await self._run(envelope, caller, service))
        except ApiError as error:
            if error.status == 429 or error.status >= 500:
                await self._save({**document, "status": "retry", "error": error.body()["error"]})
                raise
            document.update(status="failed", error=error.body()["error"])
        document["finished_at"] = time.time()
        document = await self._save(document)
        await self._post_result(envelope, document)
        return document

    async def _run(
        self, envelope: Envelope[CompletionJob], caller: Caller, service: CompletionService
    ) -> dict[str, Any]:
        body = {
            key: value for key, value in envelope.payload.request.items() if key not in ("stream", "stream_options")
        }
        request = parse_completion_request(json.dumps(body).encode(), envelope.payload.model)
        request.request_id = envelope.idempotency_key[:64]
        result = await service.complete(caller, request)
        decoded = json.loads(result.body) if result.body else {}
        if result.status >= 400:
            error = decoded.get("error") if isinstance(decoded, dict) else None
            return {"status": "failed", "error": error or {"message": f"upstream answered {result.status}"}}
        return {"status": "succeeded", "result": decoded, "usage": decoded.get("usage"), "error": None}

    async def _claim(self, envelope: Envelope[CompletionJob]) -> dict[str, Any]:
        identity = job_id(envelope.tenant, envelope.user, envelope.idempotency_key)
        pk = job_partition(envelope.tenant)
        try:
            current = await self._container.read_item(identity, partition_key=pk)
        except CosmosResourceNotFoundError:
            fresh = {
                "id": identity,
                "pk": pk,
                "type": "completion_job",
                "tenant": envelope.tenant,
                "user": envelope.user,
                "idempotency_key": envelope.idempotency_key,
                "model": envelope.payload.model,
                "status": "running",
                "attempts": 1,
                "claimed_at": time.time(),
                "result_posted": False,
            }
            try:
                return dict(await self._container.create_item(fresh))
            except CosmosResourceExistsError:
                raise JobBusy(identity, self._claim_lease_s) from None
        if current["status"] in ("succeeded", "failed"):
            return dict(current)
        held_for = time.time() - float(current.get("claimed_at", 0))
        if current["status"] == "running" and held_for < self._claim_lease_s:
            raise JobBusy(identity, self._claim_lease_s - held_for)
        claimed = {
            **current,
            "status": "running",
            "claimed_at": time.time(),
            "attempts": current["attempts"] + 1,
        }
        try:
            return dict(
                await self._container.replace_item(
                    identity, claimed, etag=current["_etag"], match_condition=MatchConditions.IfNotModified
                )
            )
        except CosmosAccessConditionFailedError:
            raise JobBusy(identity, self._claim_lease_s) from None

    async def _save(self, document: dict[str, Any]) -> dict[str, Any]:
        body = {key: value for key, value in document.items() if not key.startswith("_")}
        return dict(await self._container.replace_item(document["id"], body))

    async def _post_result(self, envelope: Envelope[CompletionJob], document: dict[str, Any]) -> None:
        queue = envelope.payload.result_queue
        if queue is None or document.get("result_posted"):
            return
        result = CompletionJobResult(
            job_id=document["id"],
            status=document["status"],
            response=document.get("result"),
            error=document.get("error"),
            metadata=envelope.payload.metadata,
        )
        await post_result(self._producer, self._container, envelope, document, queue, RESULT_TYPE, result)


async def handle_message(body: bytes, dequeue_count: int) -> None:
    """Queue trigger entry: invalid messages go to the poison queue at once; transient failures raise."""
    clients = await get_clients()
    jobs = clients.service("gateway.jobs", CompletionJobs.from_clients)

    async def process(envelope: Envelope[CompletionJob]) -> None:
        try:
            await jobs.process(envelope, await get_completion_service())
        except JobBusy as busy:
            logger.info("completion job %s busy; deferred %.0f s", describe(envelope), busy.retry_in_s)
            await jobs.defer(envelope, busy)
        except ApiError as error:
            logger.warning("completion job %s failed (attempt %d): %s", describe(envelope), dequeue_count, error)
            raise

    await consume(clients.queues, COMPLETION_JOBS, body, dequeue_count, process)
