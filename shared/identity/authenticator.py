"""Turns a request's credentials into a Caller: the one place authentication happens."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Request

from shared.errors import unauthorized
from shared.identity.api_key_format import looks_like_api_key
from shared.identity.caller import Caller
from shared.identity.easy_auth import PRINCIPAL_HEADER, EasyAuthPrincipal
from shared.identity.jwt_validation import TokenValidator, looks_like_jwt

ApiKeyResolver = Callable[[str], Awaitable[Caller]]


def credential_of(request: Request) -> str | None:
    """The presented secret: `Authorization: Bearer <x>` or Azure clients' `api-key: <x>`."""
    authorization = request.headers.get("authorization")
    if authorization:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise unauthorized("The Authorization header must be 'Bearer <token>'.")
        return value.strip()
    api_key = request.headers.get("api-key")
    return api_key.strip() if api_key and api_key.strip() else None


class Authenticator:
    """Bearer JWTs, service API keys (`cpk_...`, as bearer or `api-key`), and, only when the app is
    configured to sit behind App Service Authentication, its client principal header."""

    def __init__(
        self,
        tokens: TokenValidator,
        api_keys: ApiKeyResolver | None = None,
        *,
        trust_easy_auth: bool = False,
    ) -> None:
        self.tokens = tokens
        self._api_keys = api_keys
        self._easy_auth = EasyAuthPrincipal(tokens) if trust_easy_auth else None

    async def authenticate(self, request: Request) -> Caller:
        credential = credential_of(request)
        if credential is None:
            principal = request.headers.get(PRINCIPAL_HEADER)
            if self._easy_auth is not None and principal:
                return self._easy_auth.caller(principal)
            raise unauthorized("Authentication required: send 'Authorization: Bearer <token>'.")
        if looks_like_jwt(credential):
            return await self.tokens.validate(credential)
        if self._api_keys is not None and looks_like_api_key(credential):
            return await self._api_keys(credential)
        raise unauthorized("The credential is neither a valid bearer token nor an API key.")
