"""Bearer JWT validation against configured issuers; the token becomes a Caller."""

from __future__ import annotations

import hashlib
import re
import time
from typing import Any

import aiohttp
import jwt
from cachetools import TLRUCache

from shared.errors import service_unavailable, unauthorized
from shared.identity.caller import Caller
from shared.identity.claims import caller_from_claims
from shared.identity.jwks import IssuerKeys, JwksUnavailable
from shared.settings import IssuerSettings

# Only public-key algorithms: with these the server never holds a secret a token could be forged with.
ASYMMETRIC_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)
_CACHE_SIZE = 10_000
_MAX_TOKEN_CHARS = 16_384
_TENANT_SEGMENT = "(?P<tenant>[A-Za-z0-9-]{1,64})"


def looks_like_jwt(value: str) -> bool:
    return value.count(".") == 2 and value.startswith("ey")


def _issuer_pattern(template: str) -> re.Pattern[str]:
    return re.compile("^" + re.escape(template).replace(re.escape("{tenantid}"), _TENANT_SEGMENT) + "$")


class TokenValidator:
    def __init__(
        self,
        issuers: list[IssuerSettings],
        session: aiohttp.ClientSession,
        *,
        skew_s: int,
        fetch_timeout_s: float,
        **key_options: Any,
    ) -> None:
        self._issuers = {
            issuer.issuer: IssuerKeys(issuer, session, fetch_timeout_s, **key_options) for issuer in issuers
        }
        self._templates = [
            (_issuer_pattern(name), keys) for name, keys in self._issuers.items() if "{tenantid}" in name
        ]
        self._skew_s = skew_s
        # Least recently used first out; an entry expires with its token (plus the allowed skew).
        self._cache: TLRUCache[bytes, tuple[Caller, float]] = TLRUCache(
            _CACHE_SIZE, ttu=lambda _, entry, now: entry[1] + skew_s, timer=time.time
        )

    async def validate(self, token: str) -> Caller:
        if len(token) > _MAX_TOKEN_CHARS:
            raise unauthorized("The bearer token is too long.")
        fingerprint = hashlib.sha256(token.encode()).digest()
        cached = self._cache.get(fingerprint)
        if cached is not None:
            return cached[0]
        caller, expires_at = await self._validate_uncached(token)
        self._cache[fingerprint] = (caller, expires_at)
        return caller

    def trusted_issuer(self, iss: str) -> tuple[IssuerKeys, str | None] | None:
        """The configured issuer a token's `iss` belongs to, and the tenant a multi-tenant `iss` names."""
        exact = self._issuers.get(iss)
        if exact is not None and "{tenantid}" not in iss:
            return exact, None
        for pattern, keys in self._templates:
            match = pattern.match(iss)
            if match:
                return keys, match.group("tenant")
        return None

    async def _validate_uncached(self, token: str) -> tuple[Caller, float]:
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise unauthorized("The bearer token is malformed.") from None
        algorithm = header.get("alg")
        if algorithm not in ASYMMETRIC_ALGORITHMS:
            raise unauthorized("The bearer token's algorithm is not allowed.")
        iss = unverified.get("iss")
        found = self.trusted_issuer(iss) if isinstance(iss, str) else None
        if found is None:
            raise unauthorized("The bearer token's issuer is not trusted.")
        keys, iss_tenant = found
        settings = keys.issuer
        if algorithm not in settings.algorithms:
            raise unauthorized("The bearer token's algorithm is not allowed.")
        kid = header.get("kid")
        try:
            key = await keys.key(kid if isinstance(kid, str) else None)
        except JwksUnavailable:
            raise service_unavailable(
                "The token issuer's signing keys could not be fetched; try again shortly.", code="issuer_unavailable"
            ) from None
        if key is None:
            raise unauthorized("The bearer token is signed with an unknown key.")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key,
                algorithms=[algorithm],
                audience=settings.audience,
                issuer=iss,
                leeway=self._skew_s,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError:
            raise unauthorized("The bearer token has expired.") from None
        except jwt.InvalidAudienceError:
            raise unauthorized("The bearer token's audience is not accepted.") from None
        except jwt.ImmatureSignatureError:
            raise unauthorized("The bearer token is not valid yet.") from None
        except jwt.PyJWTError:
            raise unauthorized("The bearer token is invalid.") from None
        if iss_tenant is not None and claims.get("tid") != iss_tenant:
            raise unauthorized("The bearer token's tenant does not match its issuer.")
        self._check_lifetime(claims, settings.max_lifetime_s)
        caller = caller_from_claims(claims, settings.issuer, settings.allowed_tenants, settings.scopes)
        return caller, float(claims["exp"])

    def _check_lifetime(self, claims: dict[str, Any], max_lifetime_s: int) -> None:
        """A stolen long-lived token is worth more: refuse lifetimes no configured issuer hands out."""
        exp = claims["exp"]
        iat = claims.get("iat")
        start = iat if isinstance(iat, int | float) and not isinstance(iat, bool) else time.time()
        if not isinstance(exp, int | float) or exp - start > max_lifetime_s + self._skew_s:
            raise unauthorized("The bearer token's lifetime is longer than allowed.")
        if exp - time.time() > max_lifetime_s + self._skew_s:
            raise unauthorized("The bearer token's lifetime is longer than allowed.")
