"""The admin routes in the OpenAPI document."""

from __future__ import annotations

from typing import Literal

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
from shared.openapi import register_operation

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

Method = Literal["GET", "PUT", "DELETE"]

for route, who in ((QUOTAS, "the tenant"), (USER_QUOTAS, "one user")):
    register_operation(
        "GET", route, summary=f"Read the budgets of {who}", response=QuotaView, query=TenantQuery,
        capability=ADMIN, tags=TAGS, description="The stored override and the budgets in effect." + SCOPE_NOTE,
    )  # fmt: skip
    register_operation(
        "PUT", route, summary=f"Set the budget override of {who}", response=QuotaView, query=TenantQuery,
        request=TenantQuotaInput if route == QUOTAS else UserQuotaInput, capability=ADMIN, tags=TAGS,
        description="Token budgets (per minute, per day) and money budgets in USD (per day, per calendar"
        " month); the body replaces the override." + SCOPE_NOTE + BOUND_NOTE,
    )  # fmt: skip
    register_operation(
        "DELETE", route, summary=f"Remove the budget override of {who}", response=QuotaView, query=TenantQuery,
        capability=ADMIN, tags=TAGS, description="The defaults apply again." + SCOPE_NOTE + BOUND_NOTE,
    )  # fmt: skip

register_operation(
    "GET", POLICY, summary="Read the tenant's moderation policy", response=PolicyView, query=TenantQuery,
    capability=ADMIN, tags=TAGS, description="Thresholds, actions and blocklists in effect." + SCOPE_NOTE,
)  # fmt: skip
register_operation(
    "PUT", POLICY, summary="Set the tenant's moderation policy", request=PolicyInput, response=PolicyView,
    query=TenantQuery, capability=ADMIN, tags=TAGS,
    description="Overlaid field by field on the base policy; the body replaces the tenant's override."
    + SCOPE_NOTE + BOUND_NOTE,
)  # fmt: skip
register_operation(
    "DELETE", POLICY, summary="Reset the tenant's moderation policy", response=PolicyView, query=TenantQuery,
    capability=ADMIN, tags=TAGS, description="The tenant follows the base policy again." + SCOPE_NOTE + BOUND_NOTE,
)  # fmt: skip
register_operation(
    "GET", KEYS, summary="List the tenant's API keys", response=ApiKeyList, query=TenantQuery,
    capability=ADMIN, tags=TAGS, description="Never their secrets." + SCOPE_NOTE,
)  # fmt: skip
register_operation(
    "POST", KEYS, summary="Create an API key", request=ApiKeyInput, response=ApiKeyCreated, status=201,
    query=TenantQuery, capability=ADMIN, tags=TAGS,
    description="The answer holds the key once; only its salted hash is stored." + SCOPE_NOTE,
)  # fmt: skip
register_operation(
    "DELETE", KEY, summary="Revoke an API key", response=ApiKeyView, query=TenantQuery, capability=ADMIN,
    tags=TAGS, description="Another tenant's key is a 404." + SCOPE_NOTE + BOUND_NOTE,
)  # fmt: skip
register_operation(
    "GET", AUDIT, summary="Page the tenant's audit trail", response=AuditPage, query=PageQuery,
    capability=ADMIN, tags=TAGS, description="Newest first; each change with before and after." + SCOPE_NOTE,
)  # fmt: skip
register_operation(
    "GET", USAGE, summary="The tenant's usage and cost report", response=UsageReport, query=UsageReportQuery,
    capability=ADMIN, tags=TAGS,
    description="Tokens (incl. cached and reasoning) and cost in USD summed by user, model and/or day; newest"
    " day first." + SCOPE_NOTE,
)  # fmt: skip
register_operation(
    "GET", PRICES, summary="Read the price table", response=PricesView, capability=ADMIN, tags=TAGS,
    description="USD per million tokens per model alias: the MODEL_PRICES setting with the Cosmos override on top.",
)  # fmt: skip
register_operation(
    "PUT", PRICES, summary="Set the price override", request=PricesInput, response=PricesView, capability=ADMIN,
    tags=TAGS, description="Platform admins only (ADMIN_PLATFORM_TENANTS); replaces the Cosmos override."
    + BOUND_NOTE,
)  # fmt: skip
register_operation(
    "GET", CAPTURE, summary="Read the tenant's capture settings", response=CaptureSettings, query=TenantQuery,
    capability=ADMIN, tags=TAGS, description="Capture of prompts and completions is off by default." + SCOPE_NOTE,
)  # fmt: skip
register_operation(
    "PUT", CAPTURE, summary="Turn capture on or off", request=CaptureSettings, response=CaptureSettings,
    query=TenantQuery, capability=ADMIN, tags=TAGS,
    description="Captured text is PII-redacted and kept `retention_days`." + SCOPE_NOTE + BOUND_NOTE,
)  # fmt: skip
register_operation(
    "GET", CAPTURES, summary="Export the tenant's captures", response=CapturePage, query=CaptureQuery,
    capability=ADMIN, tags=TAGS, description="Newest first, PII-redacted; `user` narrows to one user." + SCOPE_NOTE,
)  # fmt: skip
