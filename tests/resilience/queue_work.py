"""Messages for the three queue triggers, and how a test finds their effects afterwards."""

from __future__ import annotations

import base64
import contextlib
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from azure.core.exceptions import ResourceExistsError
from azure.cosmos.exceptions import CosmosResourceNotFoundError
from azure.storage.queue.aio import QueueClient

from shared.clients import Clients
from shared.conversations.events import publish_turn
from shared.gateway.jobs import CompletionJob, job_id, job_partition
from shared.identity.caller import Caller, CallerKind, Capability
from shared.moderation.jobs import ModerationJob, result_id, result_partition
from shared.queues.envelope import Envelope
from shared.queues.producer import QueueProducer
from shared.resources import (
    COMPLETION_JOBS_QUEUE,
    CONVERSATION_EVENTS_QUEUE,
    JOBS,
    MODERATION,
    MODERATION_REQUESTS_QUEUE,
    QUEUES,
    poison_queue,
)
from tests.resilience.harness import MODEL, word

TENANT = "resilience-queues"
INVALID_BODY = b"this is not an envelope"


@dataclass
class Turn:
    caller: Caller
    conversation_id: str
    token: str


@dataclass
class QueueWork:
    """What a test sent to the queues: turns, completion jobs and moderation requests by key."""

    clients: Clients
    results: str
    turns: list[Turn] = field(default_factory=list)
    jobs: dict[str, str] = field(default_factory=dict)
    """idempotency key -> user."""
    moderations: list[str] = field(default_factory=list)
    invalid: int = 0
    result_keys: Counter[str] = field(default_factory=Counter)

    @classmethod
    async def create(cls, clients: Clients) -> QueueWork:
        results = f"results-{uuid.uuid4().hex[:12]}"
        with contextlib.suppress(ResourceExistsError):
            await clients.queues.create_queue(results)
        return cls(clients, results)

    def new_turn(self) -> Turn:
        user = f"u-{uuid.uuid4().hex[:8]}"
        caller = Caller(CallerKind.USER, TENANT, user, capabilities=frozenset(Capability))
        return Turn(caller, f"c{uuid.uuid4().hex[:16]}", word())

    async def send_turn(self, turn: Turn) -> None:
        """One turn (question and answer) of a new conversation; the same key on a re-send."""
        await publish_turn(
            self.clients,
            turn.caller,
            turn.conversation_id,
            [{"role": "user", "content": f"question {turn.token}"}, {"role": "assistant", "content": "answer"}],
            idempotency_key=f"turn:{turn.token}",
            create_if_missing=True,
        )

    async def send_job(self) -> None:
        key, user = uuid.uuid4().hex, f"u-{uuid.uuid4().hex[:8]}"
        payload = CompletionJob(
            model=MODEL,
            request={"messages": [{"role": "user", "content": f"Title for {word()}"}], "max_tokens": 8},
            result_queue=self.results,
        )
        envelope = Envelope[CompletionJob](
            type="completion.job", tenant=TENANT, user=user, idempotency_key=key, payload=payload
        )
        await QueueProducer(self.clients.queues).send(COMPLETION_JOBS_QUEUE, envelope)
        self.jobs[key] = user

    async def send_moderation(self) -> None:
        key = uuid.uuid4().hex
        payload = ModerationJob(content=f"A friendly note {word()}.", result_queue=self.results)
        envelope = Envelope[ModerationJob](
            type="moderation.request", tenant=TENANT, user="svc", idempotency_key=key, payload=payload
        )
        await QueueProducer(self.clients.queues).send(MODERATION_REQUESTS_QUEUE, envelope)
        self.moderations.append(key)

    async def send_invalid(self) -> None:
        """A message no retry can fix, on each queue: it belongs in the poison queue, once."""
        for queue in QUEUES:
            await self.clients.queues.get_queue_client(queue).send_message(base64.b64encode(INVALID_BODY).decode())
        self.invalid += 1

    async def stored_turns(self) -> Counter[str]:
        """How many times each sent turn's question is stored (by token)."""
        container = self.clients.database.get_container_client("conversations")
        seen: Counter[str] = Counter()
        for turn in self.turns:
            query = "SELECT c.content, c.role FROM c WHERE c.conversation_id = @id AND c.type = 'message'"
            rows = container.query_items(query, parameters=[{"name": "@id", "value": turn.conversation_id}])
            async for row in rows:
                if row["role"] == "user" and turn.token in row["content"]:
                    seen[turn.token] += 1
        return seen

    async def partial_turns(self) -> list[str]:
        """Conversations holding a question without its answer (or the reverse)."""
        container = self.clients.database.get_container_client("conversations")
        partial = []
        for turn in self.turns:
            query = "SELECT c.role FROM c WHERE c.conversation_id = @id AND c.type = 'message'"
            rows = container.query_items(query, parameters=[{"name": "@id", "value": turn.conversation_id}])
            roles = Counter([row["role"] async for row in rows])
            if roles["user"] != roles["assistant"]:
                partial.append(turn.conversation_id)
        return partial

    async def finished_jobs(self) -> int:
        container = self.clients.database.get_container_client(JOBS.name)
        done = 0
        for key, user in self.jobs.items():
            try:
                document = await container.read_item(job_id(TENANT, user, key), partition_key=job_partition(TENANT))
            except CosmosResourceNotFoundError:
                continue
            done += document["status"] == "succeeded" and bool(document.get("result_posted"))
        return done

    async def stored_moderations(self) -> int:
        container = self.clients.database.get_container_client(MODERATION.name)
        stored = 0
        for key in self.moderations:
            try:
                await container.read_item(result_id(TENANT, key), partition_key=result_partition(TENANT))
                stored += 1
            except CosmosResourceNotFoundError:
                pass
        return stored

    async def collect_results(self) -> Counter[str]:
        """Take the result messages posted so far off the results queue; all taken, by idempotency key."""
        queue: QueueClient = self.clients.queues.get_queue_client(self.results)
        async for message in queue.receive_messages(messages_per_page=32):
            envelope = Envelope[Any].model_validate_json(base64.b64decode(message.content))
            self.result_keys[envelope.idempotency_key] += 1
            await queue.delete_message(message)
        return self.result_keys

    async def queue_depths(self) -> dict[str, int]:
        """Messages left per queue, counting invisible ones (leased by a host, dead or alive)."""
        depths = {}
        for queue in (*QUEUES, *(poison_queue(q) for q in QUEUES)):
            properties = await self.clients.queues.get_queue_client(queue).get_queue_properties()
            depths[queue] = int(properties.approximate_message_count or 0)
        return depths

    async def poison_bodies(self) -> dict[str, list[bytes]]:
        bodies: dict[str, list[bytes]] = {}
        for queue in QUEUES:
            client = self.clients.queues.get_queue_client(poison_queue(queue))
            bodies[queue] = [base64.b64decode(m.content) for m in await client.peek_messages(max_messages=32)]
        return bodies


async def drain_queues(clients: Clients) -> None:
    """Empty the app's queues and poison queues (earlier tests may have left poison behind)."""
    for queue in (*QUEUES, *(poison_queue(q) for q in QUEUES)):
        await clients.queues.get_queue_client(queue).clear_messages()


__all__ = ["CONVERSATION_EVENTS_QUEUE", "QueueWork", "Turn", "drain_queues"]
