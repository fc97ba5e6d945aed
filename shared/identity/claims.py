"""Token claims (from a validated JWT or the Easy Auth principal) become a Caller."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.errors import unauthorized
from shared.identity.caller import (
    ADMIN_ROLE,
    SERVICE_USER_PREFIX,
    USER_CAPABILITIES,
    Caller,
    CallerKind,
    Capability,
    granted,
)

# App roles an app-only (service principal) token may carry, mapped to what they allow.
APP_ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    "Completions.Invoke": frozenset({Capability.COMPLETIONS}),
    "Moderation.Invoke": frozenset({Capability.MODERATION}),
    "Conversations.Read": frozenset({Capability.CONVERSATIONS_READ}),
    "Conversations.ReadWrite": frozenset({Capability.CONVERSATIONS_READ, Capability.CONVERSATIONS_WRITE}),
    ADMIN_ROLE: frozenset({Capability.ADMIN}),
}


def _roles(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(role for role in value if isinstance(role, str))
    return ()


def is_app_only(claims: Mapping[str, Any]) -> bool:
    """Delegated (user) tokens carry `scp`; app-only tokens never do, and say `idtyp: app` when asked to."""
    return claims.get("idtyp") == "app" or not claims.get("scp")


def caller_from_claims(
    claims: Mapping[str, Any], issuer: str, allowed_tenants: list[str] | None, scopes: list[str] | None = None
) -> Caller:
    """`scopes`: a delegated token must carry one of them in `scp` (None: not checked, Easy Auth's choice)."""
    tenant, subject = claims.get("tid"), claims.get("oid")
    if not isinstance(tenant, str) or not tenant or not isinstance(subject, str) or not subject:
        raise unauthorized("The bearer token has no tenant (tid) or object id (oid) claim.")
    if subject.startswith(SERVICE_USER_PREFIX):
        # Service API keys own data as "service:<name>"; no token may claim that namespace.
        raise unauthorized("The bearer token's object id (oid) is not valid.")
    if allowed_tenants is not None and tenant not in allowed_tenants:
        raise unauthorized("The token's tenant is not allowed.")
    roles = _roles(claims.get("roles"))
    if is_app_only(claims):
        capabilities = granted(
            frozenset[Capability]().union(*(APP_ROLE_CAPABILITIES.get(role, frozenset()) for role in roles))
        )
        return Caller(CallerKind.APP, tenant, subject, issuer, capabilities, roles)
    delegated = claims.get("scp")
    if scopes is not None and not (isinstance(delegated, str) and set(delegated.split()) & set(scopes)):
        raise unauthorized("The bearer token lacks the API's scope (scp).")
    capabilities = USER_CAPABILITIES | {Capability.ADMIN} if ADMIN_ROLE in roles else USER_CAPABILITIES
    return Caller(CallerKind.USER, tenant, subject, issuer, capabilities, roles)
