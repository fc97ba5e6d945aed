"""Completion gateway: chat completions (OpenAI and Azure shapes), models, usage, completion-jobs."""

import azure.functions as func
from azurefunctions.extensions.http.fastapi import Request, Response

from shared.clients import on_clients_created
from shared.dependencies import authenticate
from shared.gateway import http, jobs
from shared.gateway.wiring import start_warm_up
from shared.resources import COMPLETION_JOBS_QUEUE
from shared.web import serve

bp = func.Blueprint()
on_clients_created(start_warm_up)


@bp.route(route="v1/chat/completions", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
async def chat_completions(req: Request) -> Response:
    return await serve(req, http.chat_completions, authenticate)


@bp.route(
    route="openai/deployments/{deployment}/chat/completions",
    methods=["POST"],
    auth_level=func.AuthLevel.ANONYMOUS,
)
async def azure_chat_completions(req: Request) -> Response:
    return await serve(req, http.azure_chat_completions, authenticate)


@bp.route(route="v1/models", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
async def list_models(req: Request) -> Response:
    return await serve(req, http.list_models, authenticate)


@bp.route(route="v1/usage", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
async def get_usage(req: Request) -> Response:
    return await serve(req, http.get_usage, authenticate)


@bp.queue_trigger(arg_name="msg", queue_name=COMPLETION_JOBS_QUEUE, connection="AzureWebJobsStorage")
async def completion_jobs(msg: func.QueueMessage) -> None:
    await jobs.handle_message(msg.get_body(), msg.dequeue_count or 1)
