"""Conversations (ours and OpenAI's shape) and the conversation-events queue."""

import azure.functions as func

from functions.adapters import register
from shared.conversations.ingest import handle_conversation_event
from shared.conversations.routes import OPERATIONS
from shared.resources import CONVERSATION_EVENTS_QUEUE

bp = func.Blueprint()
register(bp, OPERATIONS)


@bp.queue_trigger(arg_name="msg", queue_name=CONVERSATION_EVENTS_QUEUE, connection="AzureWebJobsStorage")
async def conversation_events(msg: func.QueueMessage) -> None:
    await handle_conversation_event(msg.get_body(), msg.dequeue_count or 1)
