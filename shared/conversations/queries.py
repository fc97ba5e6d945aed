"""The SQL the repository runs. Every query names its partition in SQL (`c.pk = @pk`) as well as in
the request options, so it stays single-partition on any server."""

from __future__ import annotations

from typing import Any

from shared.conversations.keys import is_valid_id

CONVERSATION_FIELDS = "c.id, c.title, c.created_us, c.updated_us, c.metadata"
MESSAGE_FIELDS = "c.id, c.conversation_id, c.sequence, c.role, c.content, c.created_us, c.feedback"

CONVERSATIONS_NEWEST_FIRST = (
    f"SELECT {CONVERSATION_FIELDS} FROM c WHERE c.pk = @pk AND c.type = 'conversation' ORDER BY c.updated_us DESC"
)
CONVERSATIONS_OLDEST_FIRST = (
    f"SELECT {CONVERSATION_FIELDS} FROM c WHERE c.pk = @pk AND c.type = 'conversation' ORDER BY c.created_us ASC"
)
MESSAGES_OLDEST_FIRST = (
    f"SELECT {MESSAGE_FIELDS} FROM c WHERE c.pk = @pk AND c.type = 'message' "
    "AND c.conversation_id = @conversation ORDER BY c.sequence ASC"
)
MESSAGES_NEWEST_FIRST = (
    f"SELECT {MESSAGE_FIELDS} FROM c WHERE c.pk = @pk AND c.type = 'message' "
    "AND c.conversation_id = @conversation ORDER BY c.sequence DESC"
)
RESPONSES_OLDEST_FIRST = "SELECT * FROM c WHERE c.pk = @pk AND c.type = 'response' ORDER BY c.created_us ASC"
MESSAGE_IDS_OF = "SELECT c.id FROM c WHERE c.pk = @pk AND c.type = 'message' AND c.conversation_id = @conversation"
CONVERSATION_IDS = (
    "SELECT c.id FROM c WHERE c.pk = @pk AND (c.type = 'conversation' OR c.type = 'conversation.deleting')"
)
ALL_IDS = "SELECT c.id FROM c WHERE c.pk = @pk"

IS_LIVE_CONVERSATION = "FROM c WHERE c.type = 'conversation'"


def params(pk: str, conversation_id: str | None = None) -> list[dict[str, Any]]:
    parameters: list[dict[str, Any]] = [{"name": "@pk", "value": pk}]
    if conversation_id is not None:
        parameters.append({"name": "@conversation", "value": conversation_id})
    return parameters


def messages_around(top: int, newest_first: bool, bounded: bool) -> str:
    """Up to `top` messages after (or, newest first, before) the sequence number `@bound`."""
    order, compare = ("DESC", "<") if newest_first else ("ASC", ">")
    bound = f"AND c.sequence {compare} @bound " if bounded else ""
    return (
        f"SELECT TOP {int(top)} {MESSAGE_FIELDS} FROM c WHERE c.pk = @pk AND c.type = 'message' "
        f"AND c.conversation_id = @conversation {bound}ORDER BY c.sequence {order}"
    )


def message_of(conversation_id: str) -> str:
    """Patch filter predicates take no parameters: only ids that passed `is_valid_id` are inlined."""
    if not is_valid_id(conversation_id):
        raise ValueError("conversation id is not safe to inline")
    return f"FROM c WHERE c.type = 'message' AND c.conversation_id = '{conversation_id}'"
