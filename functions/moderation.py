"""Moderation: POST /api/v1/moderations (OpenAI shape) and the moderation-requests queue."""

import azure.functions as func

from functions.adapters import register
from shared.moderation.jobs import handle_moderation_request
from shared.moderation.routes import OPERATIONS
from shared.resources import MODERATION_REQUESTS_QUEUE

bp = func.Blueprint()
register(bp, OPERATIONS)


@bp.queue_trigger(arg_name="msg", queue_name=MODERATION_REQUESTS_QUEUE, connection="AzureWebJobsStorage")
async def moderation_requests(msg: func.QueueMessage) -> None:
    await handle_moderation_request(msg.get_body(), msg.dequeue_count or 1)
