import azure.functions as func
from azurefunctions.extensions.http.fastapi import Request, Response

from shared.conversations import http, openai_view
from shared.conversations.ingest import handle_conversation_event
from shared.dependencies import authenticate
from shared.resources import CONVERSATION_EVENTS_QUEUE
from shared.web import serve

bp = func.Blueprint()
ANONYMOUS = func.AuthLevel.ANONYMOUS


@bp.route(route="v1/conversations", methods=["POST"], auth_level=ANONYMOUS)
async def conversations_create(req: Request) -> Response:
    return await serve(req, openai_view.create_conversation, authenticate)


@bp.route(route="v1/conversations", methods=["GET"], auth_level=ANONYMOUS)
async def conversations_list(req: Request) -> Response:
    return await serve(req, http.list_conversations, authenticate)


@bp.route(route="v1/conversations", methods=["DELETE"], auth_level=ANONYMOUS)
async def conversations_delete_all(req: Request) -> Response:
    return await serve(req, http.delete_all_conversations, authenticate)


@bp.route(route="v1/conversations/export", methods=["GET"], auth_level=ANONYMOUS)
async def conversations_export(req: Request) -> Response:
    return await serve(req, http.export_conversations, authenticate)


@bp.route(route="v1/conversations/{conversation_id}", methods=["GET"], auth_level=ANONYMOUS)
async def conversations_get(req: Request) -> Response:
    return await serve(req, http.get_conversation, authenticate)


@bp.route(route="v1/conversations/{conversation_id}", methods=["PATCH"], auth_level=ANONYMOUS)
async def conversations_update(req: Request) -> Response:
    return await serve(req, http.update_conversation, authenticate)


@bp.route(route="v1/conversations/{conversation_id}", methods=["DELETE"], auth_level=ANONYMOUS)
async def conversations_delete(req: Request) -> Response:
    return await serve(req, openai_view.delete_conversation, authenticate)


@bp.route(route="v1/conversations/{conversation_id}", methods=["POST"], auth_level=ANONYMOUS)
async def conversations_update_metadata(req: Request) -> Response:
    return await serve(req, openai_view.update_metadata, authenticate)


@bp.route(route="v1/conversations/{conversation_id}/items", methods=["GET"], auth_level=ANONYMOUS)
async def conversations_items_list(req: Request) -> Response:
    return await serve(req, openai_view.list_items, authenticate)


@bp.route(route="v1/conversations/{conversation_id}/items", methods=["POST"], auth_level=ANONYMOUS)
async def conversations_items_create(req: Request) -> Response:
    return await serve(req, openai_view.create_items, authenticate)


@bp.route(route="v1/conversations/{conversation_id}/items/{item_id}", methods=["GET"], auth_level=ANONYMOUS)
async def conversations_items_get(req: Request) -> Response:
    return await serve(req, openai_view.get_item, authenticate)


@bp.route(route="v1/conversations/{conversation_id}/items/{item_id}", methods=["DELETE"], auth_level=ANONYMOUS)
async def conversations_items_delete(req: Request) -> Response:
    return await serve(req, openai_view.delete_item, authenticate)


@bp.route(route="v1/conversations/{conversation_id}/messages", methods=["GET"], auth_level=ANONYMOUS)
async def conversations_messages_list(req: Request) -> Response:
    return await serve(req, http.list_messages, authenticate)


@bp.route(route="v1/conversations/{conversation_id}/messages", methods=["POST"], auth_level=ANONYMOUS)
async def conversations_messages_create(req: Request) -> Response:
    return await serve(req, http.create_message, authenticate)


@bp.route(
    route="v1/conversations/{conversation_id}/messages/{message_id}/feedback", methods=["PUT"], auth_level=ANONYMOUS
)
async def conversations_feedback(req: Request) -> Response:
    return await serve(req, http.put_feedback, authenticate)


@bp.queue_trigger(arg_name="msg", queue_name=CONVERSATION_EVENTS_QUEUE, connection="AzureWebJobsStorage")
async def conversation_events(msg: func.QueueMessage) -> None:
    await handle_conversation_event(msg.get_body(), msg.dequeue_count or 1)
