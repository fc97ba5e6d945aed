import azure.functions as func
from azurefunctions.extensions.http.fastapi import Request, Response

from shared.dependencies import authenticate
from shared.web import RequestContext, serve

bp = func.Blueprint()


async def _me(context: RequestContext) -> dict[str, object]:
    return context.caller.as_dict()


@bp.route(route="v1/me", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
async def get_me(req: Request) -> Response:
    return await serve(req, _me, authenticate)
