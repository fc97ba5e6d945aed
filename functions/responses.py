"""OpenAI's Responses API (text subset) over our conversation store."""

import azure.functions as func
from azurefunctions.extensions.http.fastapi import Request, Response

from shared.dependencies import authenticate
from shared.responses import http
from shared.web import serve

bp = func.Blueprint()
ANONYMOUS = func.AuthLevel.ANONYMOUS


@bp.route(route="v1/responses", methods=["POST"], auth_level=ANONYMOUS)
async def responses_create(req: Request) -> Response:
    return await serve(req, http.create_response, authenticate)


@bp.route(route="v1/responses/{response_id}", methods=["GET"], auth_level=ANONYMOUS)
async def responses_get(req: Request) -> Response:
    return await serve(req, http.get_response, authenticate)


@bp.route(route="v1/responses/{response_id}", methods=["DELETE"], auth_level=ANONYMOUS)
async def responses_delete(req: Request) -> Response:
    return await serve(req, http.delete_response, authenticate)


@bp.route(route="v1/responses/{response_id}/input_items", methods=["GET"], auth_level=ANONYMOUS)
async def responses_input_items(req: Request) -> Response:
    return await serve(req, http.list_input_items, authenticate)
