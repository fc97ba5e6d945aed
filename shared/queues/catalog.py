"""The platform's queues as other services see them: an AsyncAPI 3 document served at
`GET /api/queues.json`, whose JSON Schemas are generated from the very models the consumers validate
with, each message with an example that the consumer accepts.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from shared.conversations.events import CONVERSATION_EVENTS, AppendMessages, EventMessage
from shared.gateway.jobs import COMPLETION_JOBS, CompletionJob
from shared.moderation.jobs import MODERATION_REQUESTS, ModerationJob
from shared.queues.contract import Message, QueueContract
from shared.queues.envelope import Envelope

ASYNCAPI_VERSION = "3.0.0"
QUEUE_CONTRACTS: tuple[QueueContract[Any], ...] = (CONVERSATION_EVENTS, COMPLETION_JOBS, MODERATION_REQUESTS)

EXAMPLE_PAYLOADS: dict[str, BaseModel] = {
    CONVERSATION_EVENTS.queue: AppendMessages(
        conversation_id="support-7f3a9c",
        messages=[
            EventMessage(role="user", content="How do I rotate the API key of my build agent?"),
            EventMessage(role="assistant", content="Create a new key, update the agent, then revoke the old key."),
        ],
        create_if_missing=True,
        title="Rotating a build agent's API key",
    ),
    COMPLETION_JOBS.queue: CompletionJob(
        model="gpt-4o-mini",
        request={
            "messages": [
                {"role": "system", "content": "Give the document a title of at most six words."},
                {"role": "user", "content": "Minutes of the quarterly planning meeting of the platform team."},
            ],
            "max_tokens": 16,
        },
        result_queue="document-titles",
        metadata={"document_id": "doc-1042"},
    ),
    MODERATION_REQUESTS.queue: ModerationJob(
        content="Can you summarise the attached support ticket for me?",
        kind="prompt",
        result_queue="ticket-moderation",
        metadata={"ticket_id": "T-31337"},
    ),
}
"""What each queue's example message carries; the acceptance test sends these through Azurite."""

WIRE_FORMAT = (
    "Each message is the UTF-8 JSON of its envelope, base64-encoded (host.json `messageEncoding`), at "
    "most 64 KiB once encoded. `type` must be exactly the message's name: any other type, a malformed "
    "envelope or an invalid payload moves the message to `<queue>-poison` at once, body intact. The "
    "`idempotency_key` names the work: a redelivered or repeated message is processed once. "
    "`traceparent`/`tracestate` (W3C) continue the producer's trace. Results go, as an envelope with "
    "the same tenant, user and idempotency key, to the queue the payload names in `result_queue`."
)


def example_envelope(contract: QueueContract[Any]) -> dict[str, Any]:
    """The example message of a queue, as JSON (before base64): what a producer would send."""
    payload = EXAMPLE_PAYLOADS[contract.queue]
    return {
        "schema_version": 1,
        "type": contract.message.type,
        "tenant": "contoso",
        "user": "svc-document-pipeline",
        "idempotency_key": f"example-{contract.queue}-1",
        "payload": payload.model_dump(mode="json", exclude_none=True),
    }


def _component_key(message: Message[Any]) -> str:
    return message.type.replace(".", "-")


def _schemas(contracts: tuple[QueueContract[Any], ...]) -> tuple[dict[str, str], dict[str, Any]]:
    """Envelope schemas (their `type` pinned to the message's name) keyed by message, and every schema."""
    wanted: list[tuple[Message[Any], JsonSchemaMode]] = []
    for contract in contracts:
        wanted.append((contract.message, "validation"))
        if contract.result is not None:
            wanted.append((contract.result, "serialization"))
    envelopes = [(Envelope[message.payload], mode) for message, mode in wanted]  # type: ignore[name-defined]
    refs, definitions = models_json_schema(envelopes, ref_template="#/components/schemas/{model}")
    schemas: dict[str, Any] = definitions.get("$defs", {})
    keys: dict[str, str] = {}
    for (message, _), envelope in zip(wanted, envelopes, strict=True):
        name = refs[envelope]["$ref"].rsplit("/", 1)[1]
        schemas[name]["properties"]["type"] = {"const": message.type, "type": "string", "title": "Type"}
        keys[message.type] = name
    return keys, schemas


def _message(message: Message[Any], schema: str, example: dict[str, Any] | None) -> dict[str, Any]:
    component: dict[str, Any] = {
        "name": message.type,
        "title": message.payload.__name__,
        "contentType": "application/json",
        "payload": {"$ref": f"#/components/schemas/{schema}"},
    }
    if description := (message.payload.__doc__ or "").strip():
        component["summary"] = description.splitlines()[0]
    if example is not None:
        component["examples"] = [{"name": "example", "payload": example}]
    return component


@cache
def queues_document(version: str, contracts: tuple[QueueContract[Any], ...] = QUEUE_CONTRACTS) -> dict[str, Any]:
    """The AsyncAPI 3 document of the queues the app consumes and the results it posts (built once;
    callers must not change it)."""
    keys, schemas = _schemas(contracts)
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for contract in contracts:
        key = _component_key(contract.message)
        messages[key] = _message(contract.message, keys[contract.message.type], example_envelope(contract))
        channels[contract.queue] = {
            "address": contract.queue,
            "description": contract.summary,
            "messages": {key: {"$ref": f"#/components/messages/{key}"}},
        }
        operation: dict[str, Any] = {
            "action": "receive",
            "channel": {"$ref": f"#/channels/{contract.queue}"},
            "summary": contract.summary,
            "messages": [{"$ref": f"#/channels/{contract.queue}/messages/{key}"}],
        }
        if contract.result is not None:
            result_key = _component_key(contract.result)
            results = f"{contract.queue}-results"
            messages[result_key] = _message(contract.result, keys[contract.result.type], None)
            channels[results] = {
                "address": None,
                "description": f"The queue a `{contract.message.type}` message names in `payload.result_queue`.",
                "messages": {result_key: {"$ref": f"#/components/messages/{result_key}"}},
            }
            operation["reply"] = {
                "address": {"location": "$message.payload#/payload/result_queue"},
                "channel": {"$ref": f"#/channels/{results}"},
                "messages": [{"$ref": f"#/channels/{results}/messages/{result_key}"}],
            }
        operations[f"receive-{contract.queue}"] = operation
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {"title": "Copilot Platform Functions queues", "version": version, "description": WIRE_FORMAT},
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }
