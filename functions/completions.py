"""Completion gateway: chat completions (OpenAI and Azure shapes), models, usage, completion-jobs."""

import azure.functions as func

from functions.adapters import register
from shared.clients import on_clients_created
from shared.gateway import jobs
from shared.gateway.routes import OPERATIONS
from shared.gateway.wiring import start_warm_up
from shared.resources import COMPLETION_JOBS_QUEUE

bp = func.Blueprint()
on_clients_created(start_warm_up)
register(bp, OPERATIONS)


@bp.queue_trigger(arg_name="msg", queue_name=COMPLETION_JOBS_QUEUE, connection="AzureWebJobsStorage")
async def completion_jobs(msg: func.QueueMessage) -> None:
    await jobs.handle_message(msg.get_body(), msg.dequeue_count or 1)
