"""Each queue's contract, as published: the examples of GET /api/queues.json go through Azurite and are
processed; a message of another `type` goes to poison on every queue."""

from __future__ import annotations

import asyncio
import base64
import copy
import json
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from jsonschema import Draft7Validator, Draft202012Validator

import function_app
from devhost.function_index import index
from shared.conversations.keys import EventOwner
from shared.conversations.repository import ConversationRepository
from shared.queues.catalog import QUEUE_CONTRACTS, example_envelope, queues_document
from shared.queues.consumer import InvalidMessage, parse_message
from shared.resources import QUEUES, poison_queue
from tests.conftest import RunningHost, bearer

ASYNCAPI_SCHEMA = Path(__file__).resolve().parents[2] / "schemas" / "asyncapi" / "3.0.0.json"
CONTRACTS = {contract.queue: contract for contract in QUEUE_CONTRACTS}
EVENTUALLY_S = 30


def message_schema(document: dict[str, Any], reference: dict[str, str]) -> Draft202012Validator:
    """A validator for one message's payload schema, resolving `#/components/...` in the document."""
    return Draft202012Validator({"$ref": reference["$ref"], "components": document["components"]})


def received_message(document: dict[str, Any], queue: str) -> dict[str, Any]:
    (reference,) = document["channels"][queue]["messages"].values()
    return dict(document["components"]["messages"][reference["$ref"].rsplit("/", 1)[1]])


def result_message(document: dict[str, Any], queue: str) -> dict[str, Any] | None:
    reply = document["operations"][f"receive-{queue}"].get("reply")
    if reply is None:
        return None
    (reference,) = reply["messages"]
    channel = reference["$ref"].split("/")[2]
    (message,) = document["channels"][channel]["messages"].values()
    return dict(document["components"]["messages"][message["$ref"].rsplit("/", 1)[1]])


def test_the_document_is_asyncapi_3_and_covers_every_queue_the_app_consumes() -> None:
    document = queues_document("1.2.3")
    Draft7Validator(json.loads(ASYNCAPI_SCHEMA.read_text())).validate(document)
    triggered = {function.queue_name for function in index(function_app.app)[1]}
    assert set(CONTRACTS) == triggered == set(QUEUES)
    for queue, contract in CONTRACTS.items():
        message = received_message(document, queue)
        assert message["name"] == contract.message.type
        example = message["examples"][0]["payload"]
        message_schema(document, message["payload"]).validate(example)
        assert parse_message(contract, json.dumps(example).encode()).type == contract.message.type
        wrong = message_schema(document, message["payload"])
        assert not wrong.is_valid({**example, "type": "guessed.type"}), "the schema pins `type`"


def test_a_wrong_type_is_named_before_any_payload_problem() -> None:
    for contract in QUEUE_CONTRACTS:
        example = example_envelope(contract)
        with pytest.raises(InvalidMessage, match=r"^type: .* takes '.+', not 'guessed\.type'"):
            parse_message(contract, json.dumps({**example, "type": "guessed.type"}).encode())
        with pytest.raises(InvalidMessage, match=r"^type: "):
            parse_message(contract, json.dumps({**example, "type": "guessed.type", "payload": {}}).encode())
        with pytest.raises(InvalidMessage, match=r"^payload"):
            parse_message(contract, json.dumps({**example, "payload": {"unexpected": 1}}).encode())


def test_the_served_document_needs_a_token_and_is_the_generated_one(http: httpx.Client) -> None:
    assert http.get("/api/queues.json").status_code == 401
    response = http.get("/api/queues.json", headers=bearer("t-docs", "u-docs"))
    assert response.status_code == 200, response.text
    document = response.json()
    assert document["asyncapi"] == "3.0.0"
    assert document["components"] == json.loads(json.dumps(queues_document("x")["components"]))


async def _eventually(check: Any, what: str) -> Any:
    try:
        async with asyncio.timeout(EVENTUALLY_S):
            while True:
                if found := await check():
                    return found
                await asyncio.sleep(0.2)
    except TimeoutError:
        raise AssertionError(f"not within {EVENTUALLY_S} s: {what}") from None


async def _send(clients: Any, queue: str, envelope: dict[str, Any]) -> None:
    body = base64.b64encode(json.dumps(envelope).encode()).decode()
    await clients.queues.get_queue_client(queue).send_message(body)


async def _take(clients: Any, queue: str, idempotency_key: str) -> dict[str, Any] | None:
    """The message on `queue` with this idempotency key, removed from the queue; None if not there yet."""
    client = clients.queues.get_queue_client(queue)
    async for message in client.receive_messages(messages_per_page=32, visibility_timeout=2):
        try:
            envelope = json.loads(base64.b64decode(message.content))
        except ValueError:
            continue
        if isinstance(envelope, dict) and envelope.get("idempotency_key") == idempotency_key:
            await client.delete_message(message)
            return dict(envelope)
    return None


def _fresh(example: dict[str, Any], result_queue: str | None) -> dict[str, Any]:
    """The published example as a new producer would send it: its own tenant, key, ids and result queue."""
    envelope = copy.deepcopy(example)
    envelope["tenant"] = f"t-{uuid.uuid4().hex[:10]}"
    envelope["idempotency_key"] = uuid.uuid4().hex
    payload = envelope["payload"]
    if "conversation_id" in payload:
        payload["conversation_id"] = f"c-{uuid.uuid4().hex[:12]}"
    if "result_queue" in payload:
        assert result_queue is not None
        payload["result_queue"] = result_queue
    return envelope


@pytest.mark.parametrize("queue", sorted(CONTRACTS))
async def test_the_published_example_is_processed(queue: str, devhost: RunningHost, clients: Any) -> None:
    async with httpx.AsyncClient(base_url=devhost.url, timeout=30) as http:
        document = (await http.get("/api/queues.json", headers=bearer("t-docs", "u-docs"))).json()
    message = received_message(document, queue)
    result = result_message(document, queue)
    result_queue = None
    if result is not None:
        result_queue = f"results-{uuid.uuid4().hex[:12]}"
        await clients.queues.create_queue(result_queue)
    envelope = _fresh(message["examples"][0]["payload"], result_queue)
    message_schema(document, message["payload"]).validate(envelope)

    await _send(clients, queue, envelope)

    if result is not None:
        assert result_queue is not None
        reply = await _eventually(lambda: _take(clients, result_queue, envelope["idempotency_key"]), "a result")
        message_schema(document, result["payload"]).validate(reply)
        assert (reply["type"], reply["tenant"], reply["user"]) == (
            result["name"],
            envelope["tenant"],
            envelope["user"],
        )
        assert reply["payload"]["metadata"] == envelope["payload"]["metadata"]
        assert reply["payload"].get("status", "succeeded") == "succeeded", reply["payload"]
    else:
        repository = ConversationRepository.from_clients(clients)
        owner = EventOwner(envelope["tenant"], envelope["user"])
        conversation = envelope["payload"]["conversation_id"]

        async def stored() -> list[dict[str, Any]]:
            if not await repository.exists(owner, conversation):
                return []
            return list((await repository.list_messages(owner, conversation, 100, None)).items)

        messages = await _eventually(stored, "the appended turn")
        sent = [(m["role"], m["content"]) for m in envelope["payload"]["messages"]]
        assert [(m["role"], m["content"]) for m in messages] == sent


async def test_a_message_of_another_type_goes_to_poison_on_every_queue(clients: Any, devhost: Any) -> None:
    results = f"results-{uuid.uuid4().hex[:12]}"
    await clients.queues.create_queue(results)  # so that, were the type not checked, the job would succeed
    sent: dict[str, dict[str, Any]] = {}
    for queue, contract in CONTRACTS.items():
        envelope = _fresh(example_envelope(contract), results)
        envelope["type"] = f"{contract.message.type}.v2"
        sent[queue] = envelope
        await _send(clients, queue, envelope)
    for queue, envelope in sent.items():
        poisoned = await _eventually(
            lambda: _take(clients, poison_queue(queue), envelope["idempotency_key"]),  # noqa: B023
            f"{queue}: the message on {poison_queue(queue)}",
        )
        assert poisoned == envelope, "moved with its body intact"
