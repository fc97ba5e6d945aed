"""One settings model, read from app settings (environment) and validated at start-up."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, BaseModel, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class SettingsError(RuntimeError):
    """A missing or malformed app setting; the message names the setting."""


class IssuerSettings(BaseModel):
    """One trusted token issuer (Microsoft Entra ID in the cloud, the local issuer in the dev stack)."""

    name: str
    issuer: str
    audience: str | list[str]
    jwks_uri: str | None = None
    """Defaults to OIDC discovery at `<issuer>/.well-known/openid-configuration`."""
    allowed_tenants: list[str] | None = None
    algorithms: list[str] = ["RS256"]


class BackendSettings(BaseModel):
    """One upstream Azure OpenAI deployment that serves a model alias."""

    alias: str
    endpoint: str
    deployment: str
    priority: int = 1
    weight: int = Field(default=1, ge=1)
    auth: Literal["managed_identity", "api_key"] = "managed_identity"
    api_key: str | None = None
    api_version: str = "2024-10-21"

    @model_validator(mode="after")
    def _key_when_needed(self) -> BackendSettings:
        if self.auth == "api_key" and not self.api_key:
            raise ValueError(f"backend {self.alias}/{self.deployment}: auth 'api_key' needs api_key")
        return self


def _json_list(value: Any) -> Any:
    if isinstance(value, str):
        return json.loads(value) if value.strip() else []
    return value


JsonList = Annotated[list[Any], NoDecode]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore", populate_by_name=True)

    app_version: str = Field("0.1.0", alias="APP_VERSION")

    # Cosmos DB: a connection string (emulator) or identity-based `CosmosDb__accountEndpoint`.
    cosmos_connection_string: str | None = Field(None, alias="CosmosDb")
    cosmos_account_endpoint: str | None = Field(None, alias="CosmosDb__accountEndpoint")
    cosmos_credential: str | None = Field(None, alias="CosmosDb__credential")
    cosmos_client_id: str | None = Field(None, alias="CosmosDb__clientId")
    cosmos_database: str = Field("copilot", alias="COSMOS_DATABASE")
    conversation_ttl_days: int = Field(90, alias="CONVERSATION_TTL_DAYS", ge=-1, le=36500)
    """Retention of conversations and messages; -1 keeps them until deleted."""

    # Storage queues: the host's own connection, as the queue triggers use it.
    storage_connection_string: str | None = Field(None, alias="AzureWebJobsStorage")
    storage_queue_service_uri: str | None = Field(None, alias="AzureWebJobsStorage__queueServiceUri")
    storage_account_name: str | None = Field(None, alias="AzureWebJobsStorage__accountName")
    storage_credential: str | None = Field(None, alias="AzureWebJobsStorage__credential")
    storage_client_id: str | None = Field(None, alias="AzureWebJobsStorage__clientId")

    azure_client_id: str | None = Field(None, alias="AZURE_CLIENT_ID")

    auth_issuers: Annotated[list[IssuerSettings], NoDecode] = Field(
        default_factory=list, alias="AUTH_ISSUERS"
    )
    auth_clock_skew_s: int = Field(60, alias="AUTH_CLOCK_SKEW_SECONDS", ge=0, le=300)
    jwks_fetch_timeout_s: float = Field(5.0, alias="AUTH_JWKS_TIMEOUT_SECONDS", gt=0)

    openai_backends: Annotated[list[BackendSettings], NoDecode] = Field(
        default_factory=list, alias="OPENAI_BACKENDS"
    )
    upstream_connect_timeout_s: float = Field(3.0, alias="UPSTREAM_CONNECT_TIMEOUT_SECONDS", gt=0)
    upstream_first_byte_timeout_s: float = Field(30.0, alias="UPSTREAM_FIRST_BYTE_TIMEOUT_SECONDS", gt=0)
    upstream_chunk_timeout_s: float = Field(30.0, alias="UPSTREAM_CHUNK_TIMEOUT_SECONDS", gt=0)
    upstream_total_timeout_s: float = Field(300.0, alias="UPSTREAM_TOTAL_TIMEOUT_SECONDS", gt=0)

    health_timeout_s: float = Field(2.0, alias="HEALTH_TIMEOUT_SECONDS", gt=0)
    max_request_bytes: int = Field(1_048_576, alias="MAX_REQUEST_BYTES", gt=0)

    @field_validator("auth_issuers", "openai_backends", mode="before")
    @classmethod
    def _parse_json(cls, value: Any) -> Any:
        return _json_list(value)

    @model_validator(mode="after")
    def _connections_present(self) -> Settings:
        if not (self.cosmos_connection_string or self.cosmos_account_endpoint):
            raise ValueError("CosmosDb: set a connection string or CosmosDb__accountEndpoint")
        if not (
            self.storage_connection_string or self.storage_queue_service_uri or self.storage_account_name
        ):
            raise ValueError(
                "AzureWebJobsStorage: set a connection string or AzureWebJobsStorage__queueServiceUri"
            )
        if not self.auth_issuers:
            raise ValueError("AUTH_ISSUERS: at least one trusted token issuer is required")
        return self

    @property
    def queue_service_uri(self) -> str | None:
        if self.storage_queue_service_uri:
            return self.storage_queue_service_uri
        if self.storage_account_name:
            return f"https://{self.storage_account_name}.queue.core.windows.net"
        return None

    @property
    def cosmos_key_credential(self) -> tuple[str, str] | None:
        """(endpoint, key) from an emulator-style connection string, else None (use identity)."""
        if not self.cosmos_connection_string:
            return None
        parts = dict(
            part.split("=", 1) for part in self.cosmos_connection_string.split(";") if "=" in part
        )
        endpoint, key = parts.get("AccountEndpoint"), parts.get("AccountKey")
        if not endpoint or not key:
            raise SettingsError("CosmosDb: connection string needs AccountEndpoint and AccountKey")
        return endpoint, key


def _describe(error: ValidationError) -> str:
    lines = []
    for problem in error.errors():
        where = ".".join(str(part) for part in problem["loc"]) or "settings"
        lines.append(f"{where}: {problem['msg']}")
    return "invalid app settings: " + "; ".join(lines)


def load_settings(**overrides: Any) -> Settings:
    try:
        return Settings(**overrides)
    except ValidationError as error:
        raise SettingsError(_describe(error)) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
