import azure.functions as func
from azurefunctions.extensions.http.fastapi import Request, Response

from shared.clients import get_clients
from shared.dependencies import authenticate
from shared.errors import ApiError
from shared.health import anonymous_view, check_health
from shared.web import RequestContext, json_response, serve

bp = func.Blueprint()


async def _health(context: RequestContext) -> Response:
    healthy, report = await check_health(await get_clients())
    if not await _authenticated(context):
        report = anonymous_view(report)
    return json_response(report, 200 if healthy else 503, {"Cache-Control": "no-store"})


async def _authenticated(context: RequestContext) -> bool:
    """Failure details only for a caller with valid credentials; a probe without them gets statuses."""
    if not (context.request.headers.get("authorization") or context.request.headers.get("api-key")):
        return False
    try:
        await authenticate(context.request)
    except ApiError:
        return False
    return True


@bp.route(route="health", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
async def health(req: Request) -> Response:
    return await serve(req, _health, authenticate=None)
