"""Moderation: POST /api/v1/moderations (OpenAI shape) and the moderation-requests queue."""

import azure.functions as func
from azurefunctions.extensions.http.fastapi import Request, Response

from shared.dependencies import authenticate
from shared.moderation import http
from shared.moderation import openapi_registration as _openapi  # noqa: F401  (describes the route)
from shared.moderation.jobs import handle_moderation_request
from shared.resources import MODERATION_REQUESTS_QUEUE
from shared.web import serve

bp = func.Blueprint()


@bp.route(route="v1/moderations", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
async def create_moderation(req: Request) -> Response:
    return await serve(req, http.create_moderation, authenticate)


@bp.queue_trigger(arg_name="msg", queue_name=MODERATION_REQUESTS_QUEUE, connection="AzureWebJobsStorage")
async def moderation_requests(msg: func.QueueMessage) -> None:
    await handle_moderation_request(msg.get_body(), msg.dequeue_count or 1)
