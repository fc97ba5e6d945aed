"""SDK clients created once per process and reused by every invocation."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast

import aiohttp
from azure.core.credentials_async import AsyncTokenCredential
from azure.cosmos.aio import CosmosClient, DatabaseProxy
from azure.identity.aio import DefaultAzureCredential, ManagedIdentityCredential
from azure.storage.queue.aio import QueueServiceClient

from shared.settings import Settings, get_settings
from shared.telemetry.setup import configure_telemetry

T = TypeVar("T")


COSMOS_THROTTLE_RETRIES = 3
COSMOS_THROTTLE_WAIT_MAX_S = 5


def cosmos_options(settings: Settings) -> dict[str, Any]:
    """Bounded waits: an unresponsive store fails a call after about (retries + 1) x timeout, so a
    request answers 503 instead of hanging for as long as the outage lasts (the SDK's defaults wait
    a minute a try). Throttling (429) keeps a few short retries of its own."""
    timeout = settings.cosmos_request_timeout_s
    return {
        "connection_timeout": timeout,
        "read_timeout": timeout,
        "retry_total": settings.cosmos_retry_total,
        "retry_connect": settings.cosmos_retry_total,
        "retry_read": settings.cosmos_retry_total,
        "retry_throttle_total": COSMOS_THROTTLE_RETRIES,
        "retry_throttle_backoff_max": COSMOS_THROTTLE_WAIT_MAX_S,
    }


def queue_options(settings: Settings) -> dict[str, Any]:
    """Queue calls time out and retry 1 s then 2 s apart (the SDK's default backs off 15 s and more)."""
    timeout = settings.storage_request_timeout_s
    return {
        "connection_timeout": timeout,
        "read_timeout": timeout,
        "retry_total": settings.storage_retry_total,
        "initial_backoff": 1,
        "increment_base": 1,
        "random_jitter_range": 0,
    }


def _identity_credential(client_id: str | None, kind: str | None) -> AsyncTokenCredential:
    if (kind or "").lower() == "managedidentity":
        return ManagedIdentityCredential(client_id=client_id) if client_id else ManagedIdentityCredential()
    return DefaultAzureCredential(managed_identity_client_id=client_id) if client_id else DefaultAzureCredential()


class Clients:
    """The process's Cosmos, queue and upstream HTTP clients, plus the credential they share."""

    def __init__(self, settings: Settings) -> None:
        configure_telemetry(settings)  # once per process; before the SDK clients so their calls are traced
        self.settings = settings
        self._credentials: list[AsyncTokenCredential] = []
        self._shared: AsyncTokenCredential | None = None
        self._services: dict[str, Any] = {}
        self._closers: list[Callable[[], Awaitable[None]]] = []

        cosmos_key = settings.cosmos_key_credential
        if cosmos_key:
            endpoint, key = cosmos_key
            self.cosmos = CosmosClient(endpoint, credential=key, **cosmos_options(settings))
        else:
            cosmos_credential = self._credential_for(settings.cosmos_client_id, settings.cosmos_credential)
            self.cosmos = CosmosClient(
                str(settings.cosmos_account_endpoint), credential=cosmos_credential, **cosmos_options(settings)
            )
        self.database: DatabaseProxy = self.cosmos.get_database_client(settings.cosmos_database)

        if settings.storage_connection_string:
            self.queues = QueueServiceClient.from_connection_string(
                settings.storage_connection_string, **queue_options(settings)
            )
        else:
            queue_credential = self._credential_for(settings.storage_client_id, settings.storage_credential)
            self.queues = QueueServiceClient(
                str(settings.queue_service_uri), credential=queue_credential, **queue_options(settings)
            )

        self.http = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=0, limit_per_host=0, ttl_dns_cache=300, keepalive_timeout=60),
            timeout=aiohttp.ClientTimeout(
                total=settings.upstream_total_timeout_s, connect=settings.upstream_connect_timeout_s
            ),
            auto_decompress=False,
        )

    @property
    def credential(self) -> AsyncTokenCredential:
        """The app's managed identity (DefaultAzureCredential off Azure), created on first use."""
        if self._shared is None:
            self._shared = _identity_credential(self.settings.azure_client_id, None)
            self._credentials.append(self._shared)
        return self._shared

    def _credential_for(self, client_id: str | None, kind: str | None) -> AsyncTokenCredential:
        if client_id is None and kind is None:
            return self.credential
        credential = _identity_credential(client_id or self.settings.azure_client_id, kind)
        self._credentials.append(credential)
        return credential

    def service(self, key: str, build: Callable[[Clients], T]) -> T:
        """A process-wide object built once from these clients (repositories, validators, ...)."""
        if key not in self._services:
            self._services[key] = build(self)
        return cast(T, self._services[key])

    def on_close(self, closer: Callable[[], Awaitable[None]]) -> None:
        self._closers.append(closer)

    async def aclose(self) -> None:
        for closer in reversed(self._closers):
            await closer()
        self._services.clear()
        await self.http.close()
        await self.queues.close()
        await self.cosmos.close()
        for credential in self._credentials:
            await credential.close()


_clients: Clients | None = None
_lock = asyncio.Lock()
_on_created: list[Callable[[], None]] = []


def on_clients_created(hook: Callable[[], None]) -> None:
    """Run `hook` in the event loop right after the process's clients are created (warm-ups)."""
    _on_created.append(hook)


async def get_clients() -> Clients:
    global _clients
    if _clients is None:
        async with _lock:
            if _clients is None:
                _clients = Clients(get_settings())
                for hook in _on_created:
                    hook()
    return _clients


async def close_clients() -> None:
    global _clients
    if _clients is not None:
        clients, _clients = _clients, None
        await clients.aclose()
