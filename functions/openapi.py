import importlib
from typing import Any

import azure.functions as func
from azurefunctions.extensions.http.fastapi import Request, Response

from shared.clients import get_clients
from shared.dependencies import authenticate
from shared.openapi_core import openapi_document
from shared.queues.catalog import queues_document
from shared.web import RequestContext, json_response, serve

bp = func.Blueprint()


def _app() -> Any:
    return importlib.import_module("function_app").app  # imported lazily: function_app imports this module


async def _openapi(context: RequestContext) -> Response:
    clients = await get_clients()
    return json_response(openapi_document(_app(), clients.settings.app_version))


async def _queues(context: RequestContext) -> Response:
    clients = await get_clients()
    return json_response(queues_document(clients.settings.app_version))


@bp.route(route="openapi.json", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
async def get_openapi(req: Request) -> Response:
    return await serve(req, _openapi, authenticate)


@bp.route(route="queues.json", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
async def get_queue_contracts(req: Request) -> Response:
    return await serve(req, _queues, authenticate)
