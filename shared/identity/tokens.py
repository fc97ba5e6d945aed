"""Bearer JWT validation against configured issuers; the token becomes a Caller."""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Any

import aiohttp
import jwt

from shared.errors import unauthorized
from shared.identity.caller import USER_CAPABILITIES, Caller, CallerKind, Capability
from shared.identity.jwks import IssuerKeys, JwksUnavailable
from shared.settings import IssuerSettings

ASYMMETRIC_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)
_CACHE_SIZE = 10_000

# App roles an app-only (service principal) token may carry, mapped to what they allow.
APP_ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    "Completions.Invoke": frozenset({Capability.COMPLETIONS}),
    "Moderation.Invoke": frozenset({Capability.MODERATION}),
    "Conversations.ReadWrite": frozenset({Capability.CONVERSATIONS_READ, Capability.CONVERSATIONS_WRITE}),
}


def looks_like_jwt(value: str) -> bool:
    return value.count(".") == 2 and value.startswith("ey")


class TokenValidator:
    def __init__(
        self, issuers: list[IssuerSettings], session: aiohttp.ClientSession, *, skew_s: int, fetch_timeout_s: float
    ) -> None:
        self._issuers = {issuer.issuer: IssuerKeys(issuer, session, fetch_timeout_s) for issuer in issuers}
        self._skew_s = skew_s
        self._cache: OrderedDict[str, tuple[Caller, float]] = OrderedDict()

    def keys_of(self, issuer: str) -> IssuerKeys:
        return self._issuers[issuer]

    async def validate(self, token: str) -> Caller:
        cached = self._cache.get(token)
        if cached is not None:
            caller, expires_at = cached
            if time.time() < expires_at + self._skew_s:
                return caller
            del self._cache[token]
        caller, expires_at = await self._validate_uncached(token)
        self._cache[token] = (caller, expires_at)
        if len(self._cache) > _CACHE_SIZE:
            self._cache.popitem(last=False)
        return caller

    async def _validate_uncached(self, token: str) -> tuple[Caller, float]:
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise unauthorized("The bearer token is malformed.") from None
        algorithm = header.get("alg")
        if algorithm not in ASYMMETRIC_ALGORITHMS:
            raise unauthorized("The bearer token's algorithm is not allowed.")
        keys = self._issuers.get(str(unverified.get("iss", "")))
        if keys is None:
            raise unauthorized("The bearer token's issuer is not trusted.")
        settings = keys.issuer
        if algorithm not in settings.algorithms:
            raise unauthorized("The bearer token's algorithm is not allowed.")
        try:
            key = await keys.key(header.get("kid"))
        except JwksUnavailable:
            raise unauthorized("The token issuer's signing keys could not be fetched.") from None
        if key is None:
            raise unauthorized("The bearer token is signed with an unknown key.")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key,
                algorithms=[algorithm],
                audience=settings.audience,
                issuer=settings.issuer,
                leeway=self._skew_s,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError:
            raise unauthorized("The bearer token has expired.") from None
        except jwt.InvalidAudienceError:
            raise unauthorized("The bearer token's audience is not accepted.") from None
        except jwt.PyJWTError:
            raise unauthorized("The bearer token is invalid.") from None
        return self._caller(claims, settings), float(claims["exp"])

    @staticmethod
    def _caller(claims: dict[str, Any], settings: IssuerSettings) -> Caller:
        tenant, subject = claims.get("tid"), claims.get("oid")
        if not isinstance(tenant, str) or not tenant or not isinstance(subject, str) or not subject:
            raise unauthorized("The bearer token has no tenant (tid) or object id (oid) claim.")
        if settings.allowed_tenants is not None and tenant not in settings.allowed_tenants:
            raise unauthorized("The token's tenant is not allowed.")
        roles = tuple(r for r in claims.get("roles", []) if isinstance(r, str))
        app_only = claims.get("idtyp") == "app" or ("scp" not in claims and bool(roles))
        if app_only:
            capabilities: frozenset[Capability] = frozenset().union(
                *(APP_ROLE_CAPABILITIES.get(role, frozenset()) for role in roles)
            )
            return Caller(CallerKind.APP, tenant, subject, settings.issuer, capabilities, roles)
        return Caller(CallerKind.USER, tenant, subject, settings.issuer, USER_CAPABILITIES, roles)
