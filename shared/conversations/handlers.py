"""HTTP handlers for /api/v1/conversations: validation, limits and error mapping around the repository."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager

from azure.cosmos.exceptions import CosmosHttpResponseError
from fastapi import Response
from fastapi.responses import StreamingResponse

from shared.clients import get_clients
from shared.conversations import etags
from shared.conversations.cursor import InvalidCursor, decode_cursor, encode_cursor
from shared.conversations.keys import MissingIdentity, is_valid_id, partition_key, scope_of
from shared.conversations.models import (
    ConversationList,
    ConversationMessage,
    ConversationMessageList,
    ConversationUpdate,
    Document,
    FeedbackInput,
    MessageInput,
    conversation_list,
    conversation_object,
    message_list,
    message_object,
)
from shared.conversations.repository import (
    AppendContention,
    ConversationNotFound,
    ConversationRepository,
    MessageNotFound,
    StaleEtag,
)
from shared.conversations.size_limits import Limits
from shared.errors import ApiError, bad_request, forbidden, not_found, precondition_failed
from shared.identity.caller import Caller
from shared.responses.render import render as response_object
from shared.web import RequestContext, json_response

IDEMPOTENCY_HEADER = "idempotency-key"
IDEMPOTENCY_KEY_MAX_CHARS = 200


async def _repository() -> tuple[ConversationRepository, Limits, float]:
    clients = await get_clients()
    repository = clients.service("conversations", ConversationRepository.from_clients)
    return repository, Limits.from_settings(clients.settings), clients.settings.conversation_delete_budget_s


@contextmanager
def _store_errors() -> Iterator[None]:
    """Domain outcomes as HTTP errors; another owner's data answers exactly like missing data."""
    try:
        yield
    except ConversationNotFound:
        raise not_found("No such conversation.", code="conversation_not_found") from None
    except MessageNotFound:
        raise not_found("No such message in this conversation.", code="message_not_found") from None
    except StaleEtag:
        raise precondition_failed("The conversation changed since that ETag; read it again.") from None
    except InvalidCursor:
        raise bad_request("cursor is invalid for this list.", code="invalid_cursor", param="cursor") from None
    except AppendContention:
        raise ApiError(
            409, "The conversation is busy; retry the request.", code="conversation_busy", headers={"Retry-After": "1"}
        ) from None
    except CosmosHttpResponseError as error:
        if error.status_code == 429:
            raise ApiError(
                429,
                "The store is busy; retry later.",
                type="rate_limit_error",
                code="rate_limited",
                headers={"Retry-After": "1"},
            ) from None
        raise


def conversation_owner(context: RequestContext) -> Caller:
    """The owner of the conversations a request may touch: its caller, who must name a tenant and a user.

    The operation's capability was checked before the handler ran; another owner's data answers 404.
    """
    caller = context.caller
    try:
        partition_key(caller)
    except MissingIdentity:
        raise forbidden("Conversations need a credential that names a tenant and a user.") from None
    return caller


def valid_path_id(context: RequestContext, name: str, nothing: str, code: str) -> str:
    """A path id that no document can have answers 404, as a missing one does, without a read."""
    value = context.path_param(name)
    if not is_valid_id(value):
        raise not_found(nothing, code=code)
    return value


def _conversation_id(context: RequestContext) -> str:
    return valid_path_id(context, "conversation_id", "No such conversation.", "conversation_not_found")


def _with_etag(document: Document, status: int = 200) -> Response:
    return json_response(conversation_object(document), status, {"ETag": etags.to_http(document["_etag"])})


def _cursor(context: RequestContext, scope: str) -> str | None:
    with _store_errors():
        return decode_cursor(scope, context.query("cursor"))


@contextmanager
def _continuation_errors(continuation: str | None) -> Iterator[None]:
    """A continuation the store refuses came from a crafted cursor: the client's 400, not our 500."""
    try:
        yield
    except (CosmosHttpResponseError, ValueError) as error:
        if continuation is None or (isinstance(error, CosmosHttpResponseError) and error.status_code != 400):
            raise
        raise bad_request("cursor is invalid for this list.", code="invalid_cursor", param="cursor") from None


async def list_conversations(context: RequestContext) -> ConversationList:
    caller = conversation_owner(context)
    repository, limits, _ = await _repository()
    limit = limits.page_size(context.query("limit"))
    scope = scope_of(partition_key(caller), "conversations")
    continuation = _cursor(context, scope)
    with _store_errors(), _continuation_errors(continuation):
        page = await repository.list_conversations(caller, limit, continuation)
    return conversation_list(
        [conversation_object(item) for item in page.items], encode_cursor(scope, page.continuation)
    )


async def get_conversation(context: RequestContext) -> Response:
    caller = conversation_owner(context)
    conversation_id = _conversation_id(context)
    repository, _, _ = await _repository()
    with _store_errors():
        return _with_etag(await repository.get(caller, conversation_id))


async def update_conversation(context: RequestContext, body: ConversationUpdate) -> Response:
    caller = conversation_owner(context)
    conversation_id = _conversation_id(context)
    repository, limits, _ = await _repository()
    etag = etags.from_if_match(context.request.headers.get("if-match"))
    title = limits.check_title(body.title)
    with _store_errors():
        return _with_etag(await repository.rename(caller, conversation_id, title, etag))


def _deletion(deleted: int | None, completed: bool) -> Response:
    if completed:
        return Response(status_code=204)
    body = {"object": "conversation.deletion", "deleted": deleted, "completed": False}
    return json_response(body, 202, {"Retry-After": "0"})


async def delete_conversation(context: RequestContext) -> Response:
    caller = conversation_owner(context)
    conversation_id = _conversation_id(context)
    repository, _, budget_s = await _repository()
    etag = etags.from_if_match(context.request.headers.get("if-match"))
    with _store_errors():
        completed = await repository.delete(caller, conversation_id, time.monotonic() + budget_s, etag)
    return _deletion(None, completed)


async def delete_all_conversations(context: RequestContext) -> Response:
    caller = conversation_owner(context)
    repository, _, budget_s = await _repository()
    with _store_errors():
        deleted, completed = await repository.delete_all(caller, time.monotonic() + budget_s)
    return _deletion(deleted, completed)


async def list_messages(context: RequestContext) -> ConversationMessageList:
    caller = conversation_owner(context)
    conversation_id = _conversation_id(context)
    repository, limits, _ = await _repository()
    limit = limits.page_size(context.query("limit"))
    scope = scope_of(partition_key(caller), "messages", conversation_id)
    continuation = _cursor(context, scope)
    with _store_errors(), _continuation_errors(continuation):
        page = await repository.list_messages(caller, conversation_id, limit, continuation)
    return message_list([message_object(item) for item in page.items], encode_cursor(scope, page.continuation))


def _idempotency_key(context: RequestContext) -> str:
    key = context.request.headers.get(IDEMPOTENCY_HEADER)
    if key is None:
        return uuid.uuid4().hex
    if not 0 < len(key) <= IDEMPOTENCY_KEY_MAX_CHARS or not (key.isascii() and key.isprintable()):
        raise bad_request(
            f"Idempotency-Key: 1 to {IDEMPOTENCY_KEY_MAX_CHARS} printable ASCII characters.",
            code="invalid_idempotency_key",
            param="Idempotency-Key",
        )
    return key


async def create_message(context: RequestContext, message: MessageInput) -> ConversationMessage:
    caller = conversation_owner(context)
    conversation_id = _conversation_id(context)
    repository, limits, _ = await _repository()
    key = _idempotency_key(context)
    limits.check_content(message.content)
    with _store_errors():
        appended = await repository.append_turn(
            caller, conversation_id, [(0, message)], idempotency_key=key, turn_size=1
        )
    [stored] = appended.documents
    return message_object(stored)


async def put_feedback(context: RequestContext, feedback: FeedbackInput) -> ConversationMessage:
    caller = conversation_owner(context)
    conversation_id = _conversation_id(context)
    message_id = context.path_param("message_id")
    if not is_valid_id(message_id):
        raise not_found("No such message in this conversation.", code="message_not_found")
    repository, _, _ = await _repository()
    with _store_errors():
        stored = await repository.set_feedback(caller, conversation_id, message_id, feedback.rating, feedback.comment)
    return message_object(stored)


def _export_line(document: Document) -> bytes:
    if document.get("type") == "response":
        shaped = response_object(document)
    elif "conversation_id" in document:
        shaped = message_object(document).model_dump()
    else:
        shaped = conversation_object(document).model_dump()
    return (json.dumps(shaped, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


async def export_conversations(context: RequestContext) -> Response:
    """JSON Lines: each conversation followed by its messages, streamed page by page.

    The first row is fetched before the response starts, so an unavailable store still answers
    with an error status; a failure mid-stream aborts the transfer rather than ending it cleanly.
    """
    caller = conversation_owner(context)
    repository, _, _ = await _repository()
    rows = repository.export(caller)
    with _store_errors():
        first = await anext(rows, None)

    async def body() -> AsyncIterator[bytes]:
        try:
            if first is not None:
                yield _export_line(first)
                async for row in rows:
                    yield _export_line(row)
        finally:
            await rows.aclose()

    return StreamingResponse(
        body(),
        media_type="application/x-ndjson",
        headers={"Content-Disposition": 'attachment; filename="conversations.jsonl"', "Cache-Control": "no-store"},
    )
