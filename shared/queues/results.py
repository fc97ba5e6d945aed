"""Results of queued jobs posted back to a queue the submitting service names, at most once."""

from __future__ import annotations

from typing import Annotated, Any

from azure.cosmos.aio import ContainerProxy
from pydantic import AfterValidator, BaseModel, StringConstraints

from shared.queues.envelope import Envelope, trace_carrier
from shared.queues.producer import QueueProducer
from shared.resources import QUEUES, poison_queue

INTERNAL_QUEUES = frozenset((*QUEUES, *(poison_queue(queue) for queue in QUEUES)))


def _not_internal(value: str) -> str:
    if "--" in value:
        raise ValueError("a queue name may not contain consecutive dashes")
    if value in INTERNAL_QUEUES:
        raise ValueError("result_queue may not be one of the platform's own queues")
    return value


ResultQueue = Annotated[
    str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$"), AfterValidator(_not_internal)
]
"""A Storage queue name that is not one of ours (a job must not feed the platform's own triggers)."""


async def post_result(
    producer: QueueProducer,
    container: ContainerProxy,
    request: Envelope[Any],
    document: dict[str, Any],
    queue: str,
    result_type: str,
    payload: BaseModel,
) -> None:
    """Send the result in the request's trace, then mark the job document so a redelivery won't resend."""
    carrier = trace_carrier(request)
    reply = Envelope[type(payload)](  # type: ignore[misc,operator]
        type=result_type,
        tenant=request.tenant,
        user=request.user,
        idempotency_key=request.idempotency_key,
        traceparent=carrier.get("traceparent"),
        tracestate=carrier.get("tracestate"),
        payload=payload,
    )
    await producer.send(queue, reply)
    await container.patch_item(
        document["id"],
        partition_key=document["pk"],
        patch_operations=[{"op": "set", "path": "/result_posted", "value": True}],
    )
