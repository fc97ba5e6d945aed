"""HTTP handlers of the admin API, run through `serve`; every change is written to the audit trail.

Each handler resolves the tenant it acts on (`admin_scope`), reads the state before, changes it through
the owning feature's own store, and appends the audit record with before and after.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import ValidationError

from shared.admin.access import AdminScope, admin_scope, platform_tenants
from shared.admin.audit import Actor, AuditLog, AuditPage
from shared.admin.capture import CapturePage, CaptureSettings
from shared.admin.models import (
    ApiKeyCreated,
    ApiKeyInput,
    ApiKeyList,
    ApiKeyView,
    PolicyInput,
    PolicyView,
    PricesInput,
    PricesView,
    QuotaView,
    TenantQuotaInput,
    UserQuotaInput,
)
from shared.admin.usage_report import UsageReport, parse_group_by, summarise
from shared.admin.wiring import capture_store, get_audit_log
from shared.clients import get_clients
from shared.conversations.cursor import InvalidCursor, decode_cursor, encode_cursor
from shared.dependencies import get_api_key_store
from shared.errors import bad_request, forbidden, not_found
from shared.gateway.usage import MAX_USAGE_DAYS
from shared.gateway.wiring import get_completion_service
from shared.identity.api_keys import ApiKeyNotFound, ApiKeyRecord
from shared.moderation.policy import ModerationPolicy
from shared.moderation.service import get_moderation_service
from shared.quota.models import UserQuotaOverride
from shared.quota.pricing import nano_to_usd
from shared.quota.service import get_quota_service, price_table
from shared.web import RequestContext

MAX_ADMIN_BODY_BYTES = 1_048_576


async def _scope(context: RequestContext) -> AdminScope:
    return admin_scope(context, (await get_clients()).settings)


async def _audit(scope: AdminScope, action: str, target: str, before: Any, after: Any) -> None:
    log = await get_audit_log()
    await log.record(
        scope.tenant_id,
        Actor.of(scope.caller),
        action,
        target,
        before=before,
        after=after,
        request_id=scope.request_id,
    )


def _dump(override: UserQuotaOverride | None) -> dict[str, Any] | None:
    return None if override is None else override.model_dump(mode="json", exclude_none=True)


def _user(context: RequestContext) -> str | None:
    return context.path_param("user_id") if "user_id" in context.request.path_params else None


async def _quota_view(tenant: str, user: str | None) -> QuotaView:
    limits = (await get_quota_service()).limits
    override = await limits.read_override(tenant, user)
    return QuotaView(tenant=tenant, user=user, override=_dump(override), effective=await limits.get(tenant, user))


async def get_quota(context: RequestContext) -> QuotaView:
    """GET /api/v1/admin/quotas[/users/{user_id}]: the stored override and the budgets in effect."""
    scope = await _scope(context)
    return await _quota_view(scope.tenant_id, _user(context))


async def put_quota(context: RequestContext, override: TenantQuotaInput | UserQuotaInput) -> QuotaView:
    """PUT /api/v1/admin/quotas[/users/{user_id}]: replace the override (token and money budgets)."""
    scope = await _scope(context)
    user = _user(context)
    limits = (await get_quota_service()).limits
    before = await limits.read_override(scope.tenant_id, user)
    await limits.put_override(scope.tenant_id, override, user)
    await _audit(scope, "quota.set", _quota_target(user), _dump(before), _dump(override))
    return await _quota_view(scope.tenant_id, user)


async def delete_quota(context: RequestContext) -> QuotaView:
    """DELETE /api/v1/admin/quotas[/users/{user_id}]: drop the override; the defaults apply again."""
    scope = await _scope(context)
    user = _user(context)
    limits = (await get_quota_service()).limits
    before = await limits.read_override(scope.tenant_id, user)
    await limits.delete_override(scope.tenant_id, user)
    if before is not None:
        await _audit(scope, "quota.delete", _quota_target(user), _dump(before), None)
    return await _quota_view(scope.tenant_id, user)


def _quota_target(user: str | None) -> str:
    return "tenant" if user is None else f"user:{user}"


def _policy_view(tenant: str, policy: ModerationPolicy) -> PolicyView:
    dumped = policy.model_dump(mode="json")
    return PolicyView(tenant=tenant, categories=dumped["categories"], blocklists=dumped["blocklists"])


async def get_policy(context: RequestContext) -> PolicyView:
    """GET /api/v1/admin/moderation/policy: the policy in effect for the tenant."""
    scope = await _scope(context)
    policies = (await get_moderation_service()).policies
    return _policy_view(scope.tenant_id, await policies.for_tenant(scope.tenant_id))


async def put_policy(context: RequestContext, change: PolicyInput) -> PolicyView:
    """PUT /api/v1/admin/moderation/policy: replace the tenant's override of thresholds, actions, blocklists."""
    scope = await _scope(context)
    return await _save_policy(scope, change.model_dump(mode="json", exclude_defaults=True), "moderation_policy.set")


async def delete_policy(context: RequestContext) -> PolicyView:
    """DELETE /api/v1/admin/moderation/policy: the tenant follows the base policy again."""
    return await _save_policy(await _scope(context), {}, "moderation_policy.delete")


async def _save_policy(scope: AdminScope, override: dict[str, Any], action: str) -> PolicyView:
    policies = (await get_moderation_service()).policies
    before = _policy_view(scope.tenant_id, await policies.for_tenant(scope.tenant_id))
    try:
        after = _policy_view(scope.tenant_id, await policies.save_override(scope.tenant_id, override))
    except ValidationError as error:
        raise bad_request(f"Invalid moderation policy: {error.errors()[0]['msg']}") from None
    except ValueError as error:
        raise bad_request(f"Invalid moderation policy: {error}") from None
    drop = {"object", "tenant"}
    await _audit(scope, action, "moderation_policy", before.model_dump(exclude=drop), after.model_dump(exclude=drop))
    return after


def _key_view(record: ApiKeyRecord) -> ApiKeyView:
    return ApiKeyView.model_validate(record.public())


async def list_api_keys(context: RequestContext) -> ApiKeyList:
    """GET /api/v1/admin/apikeys: the tenant's keys, never their secrets."""
    scope = await _scope(context)
    store = await get_api_key_store()
    return ApiKeyList(data=[_key_view(record) for record in await store.list_keys(scope.tenant_id)])


async def create_api_key(context: RequestContext, wanted: ApiKeyInput) -> ApiKeyCreated:
    """POST /api/v1/admin/apikeys: a new key for a service of the tenant; the key is in this answer only."""
    scope = await _scope(context)
    expires = None
    if wanted.expires_in_days is not None:
        expires = datetime.now(UTC) + timedelta(days=wanted.expires_in_days)
    store = await get_api_key_store()
    try:
        record, key = await store.create(
            scope.tenant_id, wanted.service, wanted.capabilities, description=wanted.description, expires_at=expires
        )
    except ValueError as error:
        raise bad_request(str(error)) from None
    view = _key_view(record)
    await _audit(scope, "apikey.create", f"apikey:{record.id}", None, view.model_dump(mode="json"))
    return ApiKeyCreated(**view.model_dump(), key=key)


async def revoke_api_key(context: RequestContext) -> ApiKeyView:
    """DELETE /api/v1/admin/apikeys/{key_id}: revoke (every instance refuses it within API_KEY_CACHE_SECONDS)."""
    scope = await _scope(context)
    key_id = context.path_param("key_id")
    store = await get_api_key_store()
    try:
        before = await store.get(key_id)
    except ApiKeyNotFound:
        before = None
    if before is None or before.tenant != scope.tenant_id:
        raise not_found(f"No API key with id `{key_id}`.")
    after = await store.revoke(key_id)
    if before.revoked_at is None:
        await _audit(
            scope, "apikey.revoke", f"apikey:{key_id}", _key_view(before).model_dump(), _key_view(after).model_dump()
        )
    return _key_view(after)


async def list_audit(context: RequestContext) -> AuditPage:
    """GET /api/v1/admin/audit: the tenant's audit records, newest first, paged by `cursor`."""
    scope = await _scope(context)
    limit = _int_query(context, "limit", 50, 1, 200)
    list_scope = f"audit:{scope.tenant_id}"
    try:
        before = decode_cursor(list_scope, context.query("cursor"))
    except InvalidCursor:
        raise bad_request("cursor is invalid for this list.", code="invalid_cursor", param="cursor") from None
    log: AuditLog = await get_audit_log()
    records, last = await log.page(scope.tenant_id, limit, before)
    return AuditPage(data=records, next_cursor=encode_cursor(list_scope, last))


def _int_query(context: RequestContext, name: str, default: int, low: int, high: int) -> int:
    raw = context.query(name)
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise bad_request(f"{name} must be an integer from {low} to {high}.", param=name)
    return int(raw)


async def usage_report(context: RequestContext) -> UsageReport:
    """GET /api/v1/admin/usage: the tenant's tokens and cost by user, model and/or day, paged."""
    scope = await _scope(context)
    days = _int_query(context, "days", 30, 1, MAX_USAGE_DAYS)
    limit = _int_query(context, "limit", 100, 1, 1000)
    group_by = parse_group_by(context.query("group_by") or "user,model,day")
    if group_by is None:
        raise bad_request("group_by must be a comma-separated subset of user, model, day.", param="group_by")
    list_scope = f"usage:{scope.tenant_id}:{days}:{','.join(group_by)}"
    try:
        raw = decode_cursor(list_scope, context.query("cursor"))
    except InvalidCursor:
        raw = "invalid"
    if raw is not None and not raw.isdigit():
        raise bad_request("cursor is invalid for this list.", code="invalid_cursor", param="cursor")
    offset = int(raw or 0)
    service = await get_completion_service()
    rows, total_nano = summarise(await service.usage.tenant_documents(scope.tenant_id, days), group_by)
    page = rows[offset : offset + limit]
    following = offset + limit if offset + limit < len(rows) else None
    return UsageReport(
        tenant=scope.tenant_id,
        days=days,
        group_by=group_by,
        data=page,
        next_cursor=encode_cursor(list_scope, None if following is None else str(following)),
        total_cost_usd=nano_to_usd(total_nano),
    )


async def get_prices(context: RequestContext) -> PricesView:
    """GET /api/v1/admin/prices: the price table in effect (any admin may read it)."""
    return PricesView(models=await price_table(await get_clients()).table())


async def put_prices(context: RequestContext, change: PricesInput) -> PricesView:
    """PUT /api/v1/admin/prices: replace the Cosmos price override (platform admins only)."""
    clients = await get_clients()
    caller = context.caller
    if caller.tenant_id not in platform_tenants(clients.settings):
        raise forbidden("Only platform administrators may change prices.")
    prices = price_table(clients)
    before = await prices.stored_overrides()
    await prices.put_overrides(change.models)
    scope = AdminScope(caller, caller.tenant_id, context.request_id)
    dump = {alias: price.model_dump(mode="json", exclude_none=True) for alias, price in before.items()}
    await _audit(scope, "prices.set", "prices", dump, change.model_dump(mode="json", exclude_none=True)["models"])
    return PricesView(models=await prices.table())


async def get_capture(context: RequestContext) -> CaptureSettings:
    """GET /api/v1/admin/capture: whether the tenant captures prompts and completions, and for how long."""
    scope = await _scope(context)
    return await capture_store(await get_clients()).settings(scope.tenant_id)


async def put_capture(context: RequestContext, wanted: CaptureSettings) -> CaptureSettings:
    """PUT /api/v1/admin/capture: turn capture on or off and set its retention."""
    scope = await _scope(context)
    store = capture_store(await get_clients())
    before = await store.settings(scope.tenant_id)
    await store.put_settings(scope.tenant_id, wanted)
    await _audit(scope, "capture.set", "capture", before.model_dump(), wanted.model_dump())
    return wanted


async def export_captures(context: RequestContext) -> CapturePage:
    """GET /api/v1/admin/captures[?user=]: the tenant's redacted captures, newest first, paged."""
    scope = await _scope(context)
    limit = _int_query(context, "limit", 50, 1, 200)
    user = context.query("user") or None
    list_scope = f"captures:{scope.tenant_id}:{user or ''}"
    try:
        before = decode_cursor(list_scope, context.query("cursor"))
    except InvalidCursor:
        raise bad_request("cursor is invalid for this list.", code="invalid_cursor", param="cursor") from None
    captures, last = await capture_store(await get_clients()).page(scope.tenant_id, user, limit, before)
    return CapturePage(data=captures, next_cursor=encode_cursor(list_scope, last))
