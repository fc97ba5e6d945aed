"""The admin API through the dev host: who may call it, tenant scoping, and the audit trail."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.conftest import bearer

pytestmark = pytest.mark.stack


def _new(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def admin(tenant: str, user: str = "admin-1") -> dict[str, str]:
    return bearer(tenant, user, extra={"roles": ["Admin"]})


ROUTES: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "v1/admin/quotas", None),
    ("PUT", "v1/admin/quotas", {"user_tpm": 1000}),
    ("DELETE", "v1/admin/quotas", None),
    ("GET", "v1/admin/quotas/users/u-1", None),
    ("PUT", "v1/admin/quotas/users/u-1", {"user_tpd": 1000}),
    ("DELETE", "v1/admin/quotas/users/u-1", None),
    ("GET", "v1/admin/moderation/policy", None),
    ("PUT", "v1/admin/moderation/policy", {"categories": {"hate": {"threshold": 2}}}),
    ("DELETE", "v1/admin/moderation/policy", None),
    ("GET", "v1/admin/apikeys", None),
    ("POST", "v1/admin/apikeys", {"service": "svc", "capabilities": ["completions"]}),
    ("DELETE", "v1/admin/apikeys/nokey", None),
    ("GET", "v1/admin/audit", None),
    ("GET", "v1/admin/usage", None),
    ("GET", "v1/admin/capture", None),
    ("PUT", "v1/admin/capture", {"enabled": True}),
    ("GET", "v1/admin/captures", None),
]


@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
def test_every_admin_route_refuses_a_user_without_the_role(
    http: httpx.Client, method: str, path: str, body: dict[str, Any] | None
) -> None:
    tenant = _new("t")
    response = http.request(method, f"/api/{path}", json=body, headers=bearer(tenant, "plain-user"))
    assert response.status_code == 403, response.text
    assert response.json()["error"]["type"] == "permission_error"
    anonymous = http.request(method, f"/api/{path}", json=body)
    assert anonymous.status_code == 401


@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
def test_every_admin_route_hides_another_tenant(
    http: httpx.Client, method: str, path: str, body: dict[str, Any] | None
) -> None:
    response = http.request(
        method, f"/api/{path}", params={"tenant": _new("other")}, json=body, headers=admin(_new("t"))
    )
    assert response.status_code == 404, response.text
    assert response.json()["error"]["type"] == "not_found_error"


def test_quota_override_round_trip_is_audited_with_before_and_after(http: httpx.Client) -> None:
    tenant = _new("t")
    headers = admin(tenant)

    first = http.put("/api/v1/admin/quotas", json={"user_tpm": 5000, "tenant_usd_per_month": 12.5}, headers=headers)
    assert first.status_code == 200, first.text
    assert first.json()["effective"]["user_tpm"] == 5000
    assert first.json()["effective"]["tenant_usd_per_month"] == 12.5
    second = http.put("/api/v1/admin/quotas", json={"user_tpm": 6000}, headers=headers)
    assert second.json()["override"] == {"user_tpm": 6000}
    user = http.put("/api/v1/admin/quotas/users/u-42", json={"user_tpd": 777}, headers=headers)
    assert user.json()["effective"]["user_tpd"] == 777 and user.json()["effective"]["user_tpm"] == 6000
    gone = http.delete("/api/v1/admin/quotas", headers=headers)
    assert gone.json()["override"] is None
    bad = http.put("/api/v1/admin/quotas", json={"user_tpm": -1}, headers=headers)
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "user_tpm"
    unknown = http.put("/api/v1/admin/quotas", json={"user_tmp": 5}, headers=headers)
    assert unknown.status_code == 400

    audit = http.get("/api/v1/admin/audit", headers=headers).json()["data"]
    changes = [(r["action"], r["target"], r["before"], r["after"]) for r in audit]
    assert changes == [
        ("quota.delete", "tenant", {"user_tpm": 6000}, None),
        ("quota.set", "user:u-42", None, {"user_tpd": 777}),
        ("quota.set", "tenant", {"user_tpm": 5000, "tenant_usd_per_month": 12.5}, {"user_tpm": 6000}),
        ("quota.set", "tenant", None, {"user_tpm": 5000, "tenant_usd_per_month": 12.5}),
    ]
    assert all(r["actor"]["user"] == "admin-1" and r["request_id"] for r in audit)


def test_moderation_policy_change_is_audited(http: httpx.Client) -> None:
    tenant = _new("t")
    headers = admin(tenant)
    before = http.get("/api/v1/admin/moderation/policy", headers=headers).json()

    changed = http.put(
        "/api/v1/admin/moderation/policy",
        json={"categories": {"violence": {"threshold": 2, "action": "flag"}}, "blocklists": {"x": ["zorp"]}},
        headers=headers,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["categories"]["violence"] == {"threshold": 2, "action": "flag"}
    invalid = http.put(
        "/api/v1/admin/moderation/policy", json={"categories": {"hate": {"action": "redact"}}}, headers=headers
    )
    assert invalid.status_code == 400
    reset = http.delete("/api/v1/admin/moderation/policy", headers=headers)
    assert reset.json()["categories"] == before["categories"]

    audit = http.get("/api/v1/admin/audit", headers=headers).json()["data"]
    assert [r["action"] for r in audit] == ["moderation_policy.delete", "moderation_policy.set"]
    assert audit[1]["before"]["categories"]["violence"] == before["categories"]["violence"]
    assert audit[1]["after"]["categories"]["violence"]["threshold"] == 2
    assert audit[1]["after"]["blocklists"] == {"x": ["zorp"]}


def test_api_keys_shown_once_listed_without_secrets_revoked_and_audited(http: httpx.Client) -> None:
    tenant = _new("t")
    headers = admin(tenant)

    created = http.post(
        "/api/v1/admin/apikeys", json={"service": "billing", "capabilities": ["completions"]}, headers=headers
    )
    assert created.status_code == 201, created.text
    key, key_id = created.json()["key"], created.json()["id"]
    listed = http.get("/api/v1/admin/apikeys", headers=headers).json()["data"]
    assert [k["id"] for k in listed] == [key_id]
    assert key not in str(listed) and "hash" not in listed[0] and "salt" not in listed[0]

    used = http.get("/api/v1/models", headers={"api-key": key})
    assert used.status_code == 200
    elsewhere = http.delete(f"/api/v1/admin/apikeys/{key_id}", headers=admin(_new("t")))
    assert elsewhere.status_code == 404
    revoked = http.delete(f"/api/v1/admin/apikeys/{key_id}", headers=headers)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]

    audit = http.get("/api/v1/admin/audit", headers=headers).json()["data"]
    by_action = {r["action"]: r for r in audit}
    assert by_action["apikey.create"]["after"]["id"] == key_id and by_action["apikey.create"]["before"] is None
    assert by_action["apikey.revoke"]["before"]["revoked_at"] is None
    assert by_action["apikey.revoke"]["after"]["revoked_at"] == revoked.json()["revoked_at"]
    assert key not in str(audit)


def test_audit_pages_newest_first(http: httpx.Client) -> None:
    tenant = _new("t")
    headers = admin(tenant)
    for n in range(5):
        assert http.put("/api/v1/admin/quotas", json={"user_tpm": 1000 + n}, headers=headers).status_code == 200

    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = http.get("/api/v1/admin/audit", params=params, headers=headers).json()
        seen += [r["after"]["user_tpm"] for r in page["data"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [1004, 1003, 1002, 1001, 1000] and pages == 3
    bad = http.get("/api/v1/admin/audit", params={"cursor": "garbage"}, headers=headers)
    assert bad.status_code == 400


def test_an_admin_api_key_administers_its_tenant(http: httpx.Client) -> None:
    tenant = _new("t")
    created = http.post(
        "/api/v1/admin/apikeys", json={"service": "ops", "capabilities": ["admin"]}, headers=admin(tenant)
    ).json()
    response = http.put("/api/v1/admin/quotas", json={"tenant_tpd": 10_000}, headers={"api-key": created["key"]})
    assert response.status_code == 200, response.text
    assert response.json()["tenant"] == tenant
    audit = http.get("/api/v1/admin/audit", headers=admin(tenant)).json()["data"]
    assert audit[0]["actor"] == {"kind": "service", "tenant": tenant, "user": "service:ops", "issuer": "apikey"}


def test_prices_are_read_by_admins_and_set_only_by_platform_admins(http: httpx.Client) -> None:
    tenant = _new("t")
    assert http.get("/api/v1/admin/prices", headers=bearer(tenant, "plain-user")).status_code == 403
    assert http.get("/api/v1/admin/prices", headers=admin(tenant)).status_code == 200
    refused = http.put("/api/v1/admin/prices", json={"models": {}}, headers=admin(tenant))
    assert refused.status_code == 403 and "platform" in refused.json()["error"]["message"]
