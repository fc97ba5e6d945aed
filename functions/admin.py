"""Admin API: budgets, moderation policy, API keys, usage report and audit trail of a tenant."""

import azure.functions as func
from azurefunctions.extensions.http.fastapi import Request, Response

from shared.admin import http
from shared.dependencies import authenticate
from shared.web import serve

bp = func.Blueprint()
ANONYMOUS = func.AuthLevel.ANONYMOUS


@bp.route(route="v1/admin/quotas", methods=["GET"], auth_level=ANONYMOUS)
async def admin_quota_get(req: Request) -> Response:
    return await serve(req, http.get_quota, authenticate)


@bp.route(route="v1/admin/quotas", methods=["PUT"], auth_level=ANONYMOUS)
async def admin_quota_put(req: Request) -> Response:
    return await serve(req, http.put_quota, authenticate)


@bp.route(route="v1/admin/quotas", methods=["DELETE"], auth_level=ANONYMOUS)
async def admin_quota_delete(req: Request) -> Response:
    return await serve(req, http.delete_quota, authenticate)


@bp.route(route="v1/admin/quotas/users/{user_id}", methods=["GET"], auth_level=ANONYMOUS)
async def admin_user_quota_get(req: Request) -> Response:
    return await serve(req, http.get_quota, authenticate)


@bp.route(route="v1/admin/quotas/users/{user_id}", methods=["PUT"], auth_level=ANONYMOUS)
async def admin_user_quota_put(req: Request) -> Response:
    return await serve(req, http.put_quota, authenticate)


@bp.route(route="v1/admin/quotas/users/{user_id}", methods=["DELETE"], auth_level=ANONYMOUS)
async def admin_user_quota_delete(req: Request) -> Response:
    return await serve(req, http.delete_quota, authenticate)


@bp.route(route="v1/admin/moderation/policy", methods=["GET"], auth_level=ANONYMOUS)
async def admin_policy_get(req: Request) -> Response:
    return await serve(req, http.get_policy, authenticate)


@bp.route(route="v1/admin/moderation/policy", methods=["PUT"], auth_level=ANONYMOUS)
async def admin_policy_put(req: Request) -> Response:
    return await serve(req, http.put_policy, authenticate)


@bp.route(route="v1/admin/moderation/policy", methods=["DELETE"], auth_level=ANONYMOUS)
async def admin_policy_delete(req: Request) -> Response:
    return await serve(req, http.delete_policy, authenticate)


@bp.route(route="v1/admin/apikeys", methods=["GET"], auth_level=ANONYMOUS)
async def admin_apikeys_list(req: Request) -> Response:
    return await serve(req, http.list_api_keys, authenticate)


@bp.route(route="v1/admin/apikeys", methods=["POST"], auth_level=ANONYMOUS)
async def admin_apikeys_create(req: Request) -> Response:
    return await serve(req, http.create_api_key, authenticate)


@bp.route(route="v1/admin/apikeys/{key_id}", methods=["DELETE"], auth_level=ANONYMOUS)
async def admin_apikeys_revoke(req: Request) -> Response:
    return await serve(req, http.revoke_api_key, authenticate)


@bp.route(route="v1/admin/audit", methods=["GET"], auth_level=ANONYMOUS)
async def admin_audit_list(req: Request) -> Response:
    return await serve(req, http.list_audit, authenticate)


@bp.route(route="v1/admin/usage", methods=["GET"], auth_level=ANONYMOUS)
async def admin_usage_report(req: Request) -> Response:
    return await serve(req, http.usage_report, authenticate)


@bp.route(route="v1/admin/prices", methods=["GET"], auth_level=ANONYMOUS)
async def admin_prices_get(req: Request) -> Response:
    return await serve(req, http.get_prices, authenticate)


@bp.route(route="v1/admin/prices", methods=["PUT"], auth_level=ANONYMOUS)
async def admin_prices_put(req: Request) -> Response:
    return await serve(req, http.put_prices, authenticate)


@bp.route(route="v1/admin/capture", methods=["GET"], auth_level=ANONYMOUS)
async def admin_capture_get(req: Request) -> Response:
    return await serve(req, http.get_capture, authenticate)


@bp.route(route="v1/admin/capture", methods=["PUT"], auth_level=ANONYMOUS)
async def admin_capture_put(req: Request) -> Response:
    return await serve(req, http.put_capture, authenticate)


@bp.route(route="v1/admin/captures", methods=["GET"], auth_level=ANONYMOUS)
async def admin_captures_export(req: Request) -> Response:
    return await serve(req, http.export_captures, authenticate)
