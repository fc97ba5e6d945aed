"""Process-wide objects built once from the clients: what function adapters ask for."""

from __future__ import annotations

from fastapi import Request

from shared.admin.wiring import first_use_recorder
from shared.clients import Clients, get_clients
from shared.identity.api_keys import ApiKeyStore
from shared.identity.authenticator import Authenticator
from shared.identity.authorization import require
from shared.identity.caller import Caller
from shared.identity.jwt_validation import TokenValidator
from shared.resources import API_KEYS

__all__ = ["authenticate", "build_api_key_store", "build_authenticator", "get_api_key_store", "require"]


def build_api_key_store(clients: Clients) -> ApiKeyStore:
    settings = clients.settings
    return ApiKeyStore(
        clients.database.get_container_client(API_KEYS.name),
        cache_s=settings.api_key_cache_s,
        last_used_interval_s=settings.api_key_last_used_interval_s,
        unknown_reads_per_s=settings.api_key_unknown_reads_per_s,
        on_first_use=first_use_recorder(clients),
    )


def build_authenticator(clients: Clients) -> Authenticator:
    settings = clients.settings
    tokens = TokenValidator(
        settings.auth_issuers,
        clients.http,
        skew_s=settings.auth_clock_skew_s,
        fetch_timeout_s=settings.jwks_fetch_timeout_s,
    )
    api_keys = clients.service("api_keys", build_api_key_store)
    return Authenticator(tokens, api_keys.resolve, trust_easy_auth=settings.auth_trust_easy_auth)


async def get_api_key_store() -> ApiKeyStore:
    clients = await get_clients()
    return clients.service("api_keys", build_api_key_store)


async def get_authenticator() -> Authenticator:
    clients = await get_clients()
    return clients.service("authenticator", build_authenticator)


async def authenticate(request: Request) -> Caller:
    authenticator = await get_authenticator()
    return await authenticator.authenticate(request)
