import azure.functions as func
from azurefunctions.extensions.http.fastapi import Request, Response

from shared.clients import get_clients
from shared.health import check_health
from shared.web import RequestContext, json_response, serve

bp = func.Blueprint()


async def _health(context: RequestContext) -> Response:
    healthy, report = await check_health(await get_clients())
    return json_response(report, 200 if healthy else 503, {"Cache-Control": "no-store"})


@bp.route(route="health", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
async def health(req: Request) -> Response:
    return await serve(req, _health, authenticate=None)
