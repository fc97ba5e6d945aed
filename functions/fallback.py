"""Unknown routes answer 404 in the OpenAI error shape (literal routes always win over this one)."""

import azure.functions as func
from azurefunctions.extensions.http.fastapi import Request, Response

from shared.errors import not_found
from shared.web import RequestContext, serve

bp = func.Blueprint()


async def _unknown_route(context: RequestContext) -> Response:
    raise not_found(f"Unknown route: {context.request.method} {context.request.url.path}", code="unknown_route")


@bp.route(
    route="{*path}",
    methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"],
    auth_level=func.AuthLevel.ANONYMOUS,
)
async def unknown_route(req: Request) -> Response:
    return await serve(req, _unknown_route, authenticate=None)
