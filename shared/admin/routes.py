"""The admin API's operations: budgets, moderation policy, API keys, usage, audit, prices and capture."""

from __future__ import annotations

from shared.admin import handlers
from shared.admin.audit import AuditPage
from shared.admin.capture import CapturePage, CaptureSettings
from shared.admin.models import (
    ApiKeyCreated,
    ApiKeyInput,
    ApiKeyList,
    ApiKeyView,
    CaptureQuery,
    PageQuery,
    PolicyInput,
    PolicyView,
    PricesInput,
    PricesView,
    QuotaView,
    TenantQuery,
    TenantQuotaInput,
    UserQuotaInput,
)
from shared.admin.usage_report import UsageReport, UsageReportQuery
from shared.identity.caller import Capability
from shared.operations import Operation
from shared.settings import Settings

TAGS = ("admin",)
ADMIN = Capability.ADMIN
QUOTAS = "v1/admin/quotas"
USER_QUOTAS = "v1/admin/quotas/users/{user_id}"
POLICY = "v1/admin/moderation/policy"
KEYS = "v1/admin/apikeys"
KEY = "v1/admin/apikeys/{key_id}"
AUDIT = "v1/admin/audit"
USAGE = "v1/admin/usage"
PRICES = "v1/admin/prices"
CAPTURE = "v1/admin/capture"
CAPTURES = "v1/admin/captures"
SCOPE_NOTE = " Acts on the caller's tenant; `?tenant=` names another (platform admins only, else 404)."
BOUND_NOTE = " Every instance applies a change within the cache bound in docs/admin.md."
QUOTA_NOTE = (
    "Token budgets (per minute, per day) and money budgets in USD (per day, per calendar"
    " month); the body replaces the override."
)


def admin_body_bytes(_settings: Settings) -> int:
    return handlers.MAX_ADMIN_BODY_BYTES


def _quota_operations(
    prefix: str, path: str, who: str, body: type[TenantQuotaInput | UserQuotaInput]
) -> tuple[Operation, ...]:
    return (
        Operation(
            f"{prefix}_get", "GET", path, handlers.get_quota, ADMIN, f"Read the budgets of {who}",
            response=QuotaView, query=TenantQuery, tags=TAGS,
            description="The stored override and the budgets in effect." + SCOPE_NOTE,
        ),
        Operation(
            f"{prefix}_put", "PUT", path, handlers.put_quota, ADMIN, f"Set the budget override of {who}",
            request=body, body_limit=admin_body_bytes, response=QuotaView, query=TenantQuery, tags=TAGS,
            description=QUOTA_NOTE + SCOPE_NOTE + BOUND_NOTE,
        ),
        Operation(
            f"{prefix}_delete", "DELETE", path, handlers.delete_quota, ADMIN, f"Remove the budget override of {who}",
            response=QuotaView, query=TenantQuery, tags=TAGS,
            description="The defaults apply again." + SCOPE_NOTE + BOUND_NOTE,
        ),
    )  # fmt: skip


OPERATIONS: tuple[Operation, ...] = (
    *_quota_operations("admin_quota", QUOTAS, "the tenant", TenantQuotaInput),
    *_quota_operations("admin_user_quota", USER_QUOTAS, "one user", UserQuotaInput),
    Operation(
        "admin_policy_get", "GET", POLICY, handlers.get_policy, ADMIN, "Read the tenant's moderation policy",
        response=PolicyView, query=TenantQuery, tags=TAGS,
        description="Thresholds, actions and blocklists in effect." + SCOPE_NOTE,
    ),
    Operation(
        "admin_policy_put", "PUT", POLICY, handlers.put_policy, ADMIN, "Set the tenant's moderation policy",
        request=PolicyInput, body_limit=admin_body_bytes, response=PolicyView, query=TenantQuery, tags=TAGS,
        description="Overlaid field by field on the base policy; the body replaces the tenant's override."
        + SCOPE_NOTE + BOUND_NOTE,
    ),
    Operation(
        "admin_policy_delete", "DELETE", POLICY, handlers.delete_policy, ADMIN, "Reset the tenant's moderation policy",
        response=PolicyView, query=TenantQuery, tags=TAGS,
        description="The tenant follows the base policy again." + SCOPE_NOTE + BOUND_NOTE,
    ),
    Operation(
        "admin_apikeys_list", "GET", KEYS, handlers.list_api_keys, ADMIN, "List the tenant's API keys",
        response=ApiKeyList, query=TenantQuery, tags=TAGS, description="Never their secrets." + SCOPE_NOTE,
    ),
    Operation(
        "admin_apikeys_create", "POST", KEYS, handlers.create_api_key, ADMIN, "Create an API key",
        request=ApiKeyInput, body_limit=admin_body_bytes, response=ApiKeyCreated, status=201, query=TenantQuery,
        tags=TAGS, description="The answer holds the key once; only its salted hash is stored." + SCOPE_NOTE,
    ),
    Operation(
        "admin_apikeys_revoke", "DELETE", KEY, handlers.revoke_api_key, ADMIN, "Revoke an API key",
        response=ApiKeyView, query=TenantQuery, tags=TAGS,
        description="Another tenant's key is a 404." + SCOPE_NOTE + BOUND_NOTE,
    ),
    Operation(
        "admin_audit_list", "GET", AUDIT, handlers.list_audit, ADMIN, "Page the tenant's audit trail",
        response=AuditPage, query=PageQuery, tags=TAGS,
        description="Newest first; each change with before and after." + SCOPE_NOTE,
    ),
    Operation(
        "admin_usage_report", "GET", USAGE, handlers.usage_report, ADMIN, "The tenant's usage and cost report",
        response=UsageReport, query=UsageReportQuery, tags=TAGS,
        description="Tokens (incl. cached and reasoning) and cost in USD summed by user, model and/or day; newest"
        " day first." + SCOPE_NOTE,
    ),
    Operation(
        "admin_prices_get", "GET", PRICES, handlers.get_prices, ADMIN, "Read the price table",
        response=PricesView, tags=TAGS,
        description="USD per million tokens per model alias: the MODEL_PRICES setting with the Cosmos override on top.",
    ),
    Operation(
        "admin_prices_put", "PUT", PRICES, handlers.put_prices, ADMIN, "Set the price override",
        request=PricesInput, body_limit=admin_body_bytes, response=PricesView, tags=TAGS,
        description="Platform admins only (ADMIN_PLATFORM_TENANTS); replaces the Cosmos override." + BOUND_NOTE,
    ),
    Operation(
        "admin_capture_get", "GET", CAPTURE, handlers.get_capture, ADMIN, "Read the tenant's capture settings",
        response=CaptureSettings, query=TenantQuery, tags=TAGS,
        description="Capture of prompts and completions is off by default." + SCOPE_NOTE,
    ),
    Operation(
        "admin_capture_put", "PUT", CAPTURE, handlers.put_capture, ADMIN, "Turn capture on or off",
        request=CaptureSettings, body_limit=admin_body_bytes, response=CaptureSettings, query=TenantQuery, tags=TAGS,
        description="Captured text is PII-redacted and kept `retention_days`." + SCOPE_NOTE + BOUND_NOTE,
    ),
    Operation(
        "admin_captures_export", "GET", CAPTURES, handlers.export_captures, ADMIN, "Export the tenant's captures",
        response=CapturePage, query=CaptureQuery, tags=TAGS,
        description="Newest first, PII-redacted; `user` narrows to one user." + SCOPE_NOTE,
    ),
)  # fmt: skip
