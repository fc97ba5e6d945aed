"""One settings model, read from app settings (environment) and validated at start-up."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from shared.quota.pricing import ModelPrice


class SettingsError(RuntimeError):
    """A missing or malformed app setting; the message names the setting."""


class IssuerSettings(BaseModel):
    """One trusted token issuer (Microsoft Entra ID in the cloud, the local issuer in the dev stack)."""

    name: str
    issuer: str
    audience: str | list[str]
    jwks_uri: str | None = None
    """Defaults to OIDC discovery at `metadata_url`."""
    metadata_url: str | None = None
    """OIDC discovery document; defaults to `<issuer>/.well-known/openid-configuration`, with a
    multi-tenant issuer's `{tenantid}` replaced by `organizations`."""
    allowed_tenants: list[str] | None = None
    """Tenants whose tokens are accepted; required when `issuer` contains `{tenantid}`."""
    algorithms: list[str] = ["RS256"]
    scopes: list[str] = ["access_as_user"]
    """Delegated (user) tokens must carry one of these in `scp` (the API's exposed scope)."""
    max_lifetime_s: int = Field(30 * 3600, gt=0)
    """Tokens living longer than this (`exp` - `iat`, or `exp` - now) are refused; Entra's longest
    (continuous access evaluation) live 28 hours."""

    @model_validator(mode="after")
    def _multi_tenant_needs_allow_list(self) -> IssuerSettings:
        if "{tenantid}" in self.issuer and not self.allowed_tenants:
            raise ValueError(f"issuer {self.name}: a multi-tenant issuer needs allowed_tenants")
        return self


class BackendSettings(BaseModel):
    """One upstream Azure OpenAI deployment that serves a model alias."""

    alias: str
    endpoint: str
    deployment: str
    name: str | None = Field(default=None, max_length=64)
    """How telemetry names this backend; defaults to `<account>/<deployment>`."""
    priority: int = 1
    weight: int = Field(default=1, ge=1)
    auth: Literal["managed_identity", "api_key"] = "managed_identity"
    api_key: str | None = None
    api_version: str = "2024-10-21"
    context_tokens: int = Field(default=128_000, ge=256)
    """The model's context window (prompt plus output); an alias gets the smallest of its backends'."""

    @model_validator(mode="after")
    def _key_when_needed(self) -> BackendSettings:
        if self.auth == "api_key" and not self.api_key:
            raise ValueError(f"backend {self.alias}/{self.deployment}: auth 'api_key' needs api_key")
        return self


def _json_list(value: Any) -> Any:
    if isinstance(value, str):
        return json.loads(value) if value.strip() else []
    return value


class OutputLimit(BaseModel):
    """Completion-token bounds of one model alias: the most a reply may use, the least worth sending."""

    max_output_tokens: int | None = Field(None, ge=1)
    min_output_tokens: int | None = Field(None, ge=1)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore", populate_by_name=True)

    app_version: str = Field("0.1.0", alias="APP_VERSION")

    # Cosmos DB: a connection string (emulator) or identity-based `CosmosDb__accountEndpoint`.
    cosmos_connection_string: str | None = Field(None, alias="CosmosDb")
    cosmos_account_endpoint: str | None = Field(None, alias="CosmosDb__accountEndpoint")
    cosmos_credential: str | None = Field(None, alias="CosmosDb__credential")
    cosmos_client_id: str | None = Field(None, alias="CosmosDb__clientId")
    cosmos_database: str = Field("copilot", alias="COSMOS_DATABASE")
    cosmos_request_timeout_s: float = Field(5.0, alias="COSMOS_REQUEST_TIMEOUT_SECONDS", gt=0)
    """Connect and read timeout of one Cosmos request; with COSMOS_RETRY_TOTAL it bounds how long a
    call waits for an unresponsive store before the caller gets 503 with Retry-After."""
    cosmos_retry_total: int = Field(1, alias="COSMOS_RETRY_TOTAL", ge=0, le=10)
    """Retries after a connection error or timeout (throttling has its own bounded retries)."""
    conversation_ttl_days: int = Field(90, alias="CONVERSATION_TTL_DAYS", ge=-1, le=36500)
    """Retention of conversations and messages; 0 or -1 keeps them until deleted."""
    conversation_title_max_chars: int = Field(200, alias="CONVERSATION_TITLE_MAX_CHARS", ge=1, le=1000)
    conversation_message_max_bytes: int = Field(32_768, alias="CONVERSATION_MESSAGE_MAX_BYTES", ge=1, le=1_048_576)
    conversation_page_max: int = Field(100, alias="CONVERSATION_PAGE_MAX", ge=1, le=1000)
    conversation_page_default: int = Field(20, alias="CONVERSATION_PAGE_DEFAULT", ge=1, le=1000)
    conversation_delete_budget_s: float = Field(20.0, alias="CONVERSATION_DELETE_BUDGET_SECONDS", gt=0)

    # Storage queues: the host's own connection, as the queue triggers use it.
    storage_connection_string: str | None = Field(None, alias="AzureWebJobsStorage")
    storage_queue_service_uri: str | None = Field(None, alias="AzureWebJobsStorage__queueServiceUri")
    storage_account_name: str | None = Field(None, alias="AzureWebJobsStorage__accountName")
    storage_credential: str | None = Field(None, alias="AzureWebJobsStorage__credential")
    storage_client_id: str | None = Field(None, alias="AzureWebJobsStorage__clientId")

    storage_request_timeout_s: float = Field(10.0, alias="STORAGE_REQUEST_TIMEOUT_SECONDS", gt=0)
    storage_retry_total: int = Field(5, alias="STORAGE_RETRY_TOTAL", ge=0, le=10)
    """Retries of a failed queue call, 1 s then 2 s apart: rides out a Storage restart of a few seconds."""
    azure_client_id: str | None = Field(None, alias="AZURE_CLIENT_ID")

    auth_issuers: Annotated[list[IssuerSettings], NoDecode] = Field(default_factory=list, alias="AUTH_ISSUERS")
    auth_clock_skew_s: int = Field(60, alias="AUTH_CLOCK_SKEW_SECONDS", ge=0, le=300)
    jwks_fetch_timeout_s: float = Field(5.0, alias="AUTH_JWKS_TIMEOUT_SECONDS", gt=0)
    auth_trust_easy_auth: bool = Field(False, alias="AUTH_TRUST_EASY_AUTH")
    """Trust App Service Authentication's `X-MS-CLIENT-PRINCIPAL` header (only behind Easy Auth)."""
    api_key_cache_s: float = Field(30.0, alias="API_KEY_CACHE_SECONDS", ge=0, le=300)
    """How long a verified API key is trusted without re-reading it: the bound on revocation delay."""
    api_key_last_used_interval_s: float = Field(60.0, alias="API_KEY_LAST_USED_INTERVAL_SECONDS", ge=1)
    api_key_unknown_reads_per_s: float = Field(10.0, alias="API_KEY_UNKNOWN_READS_PER_SECOND", gt=0)
    """Store reads that find no key, per instance and second (burst 20); beyond it unknown keys get 429."""

    openai_backends: Annotated[list[BackendSettings], NoDecode] = Field(default_factory=list, alias="OPENAI_BACKENDS")
    upstream_connect_timeout_s: float = Field(3.0, alias="UPSTREAM_CONNECT_TIMEOUT_SECONDS", gt=0)
    upstream_first_byte_timeout_s: float = Field(30.0, alias="UPSTREAM_FIRST_BYTE_TIMEOUT_SECONDS", gt=0)
    upstream_chunk_timeout_s: float = Field(30.0, alias="UPSTREAM_CHUNK_TIMEOUT_SECONDS", gt=0)
    upstream_total_timeout_s: float = Field(300.0, alias="UPSTREAM_TOTAL_TIMEOUT_SECONDS", gt=0)
    upstream_generation_timeout_s: float = Field(300.0, alias="UPSTREAM_GENERATION_TIMEOUT_SECONDS", gt=0)
    """A non-streamed call answers only once the whole completion is generated: its own, longer, bound.
    Running out of it is a 504 to the client, not a backend failure (no failover, no breaker count)."""
    upstream_max_attempts: int = Field(3, alias="UPSTREAM_MAX_ATTEMPTS", ge=1, le=10)
    upstream_error_cooldown_s: float = Field(5.0, alias="UPSTREAM_ERROR_COOLDOWN_SECONDS", ge=0)
    """Cool-down after a connect error or first-byte timeout, or a 429 without Retry-After."""
    upstream_breaker_failures: int = Field(5, alias="UPSTREAM_BREAKER_FAILURES", ge=1)
    upstream_breaker_open_s: float = Field(30.0, alias="UPSTREAM_BREAKER_OPEN_SECONDS", gt=0)
    completion_reserve_tokens: int = Field(512, alias="COMPLETION_DEFAULT_RESERVE_TOKENS", ge=1)
    """Completion tokens reserved against the quota when a request sets no max_tokens."""
    azure_extensions_tenants: str = Field("", alias="AZURE_EXTENSIONS_TENANTS")
    """Comma-separated tenant ids that may send Azure extensions (`data_sources`) on the Azure route."""
    usage_flush_interval_s: float = Field(1.0, alias="USAGE_FLUSH_INTERVAL_SECONDS", gt=0)
    completion_max_output_tokens: int = Field(16_384, alias="COMPLETION_MAX_OUTPUT_TOKENS", ge=1)
    """The most completion tokens a reply may use when the request sets no limit (the model's maximum)."""
    completion_min_output_tokens: int = Field(16, alias="COMPLETION_MIN_OUTPUT_TOKENS", ge=1)
    """Below this many completion tokens left in a budget, a request is refused (429) instead of capped."""
    completion_output_limits: Annotated[dict[str, OutputLimit], NoDecode] = Field(
        default_factory=dict, alias="COMPLETION_OUTPUT_LIMITS"
    )
    """Per model alias: JSON `{"gpt-4o": {"max_output_tokens": 16384, "min_output_tokens": 32}}`."""
    responses_context_margin: float = Field(0.25, alias="RESPONSES_CONTEXT_MARGIN", ge=0, le=1)
    """Safety margin on estimated context tokens (Responses API); covers the estimator's measured error
    against o200k/cl100k over whole contexts (bench/README.md)."""

    # Token quotas: defaults per user and per tenant (tenants may override in the `quotas` container).
    quota_user_tpm: int = Field(100_000_000, alias="QUOTA_USER_TPM", gt=0)
    quota_user_tpd: int = Field(10_000_000_000, alias="QUOTA_USER_TPD", gt=0)
    quota_tenant_tpm: int = Field(1_000_000_000, alias="QUOTA_TENANT_TPM", gt=0)
    quota_tenant_tpd: int = Field(100_000_000_000, alias="QUOTA_TENANT_TPD", gt=0)
    quota_lease_divisor: int = Field(16, alias="QUOTA_LEASE_DIVISOR", ge=1, le=1024)
    """Each instance leases a window's allowance in blocks of budget / divisor."""
    quota_limits_cache_s: float = Field(30.0, alias="QUOTA_LIMITS_CACHE_SECONDS", ge=0)

    model_prices: Annotated[dict[str, ModelPrice], NoDecode] = Field(default_factory=dict, alias="MODEL_PRICES")
    """USD per million tokens per model alias: JSON `{"gpt-4o-mini": {"input": 0.15, "cached_input": 0.075,
    "output": 0.6, "reasoning": 0.6}}` (overridable in Cosmos, see docs/quotas.md)."""

    # Administration: who may administer which tenant, and how long the audit trail is kept.
    admin_platform_tenants: str = Field("", alias="ADMIN_PLATFORM_TENANTS")
    """Comma-separated tenant ids whose admins may administer any tenant (`?tenant=`); others only their own."""
    audit_retention_days: int = Field(400, alias="AUDIT_RETENTION_DAYS", ge=0, le=36500)
    """Retention of audit records; 0 keeps them until deleted."""

    # Moderation: the embedded (offline) moderator or Azure AI Content Safety, under one policy.
    moderation_enabled: bool = Field(True, alias="MODERATION_ENABLED")
    moderation_provider: Literal["embedded", "content_safety"] = Field("embedded", alias="MODERATION_PROVIDER")
    content_safety_endpoint: str | None = Field(None, alias="CONTENT_SAFETY_ENDPOINT")
    content_safety_api_key: str | None = Field(None, alias="CONTENT_SAFETY_API_KEY")
    """Unset: the app's managed identity (Cognitive Services User on the account)."""
    content_safety_blocklists: str = Field("", alias="CONTENT_SAFETY_BLOCKLISTS")
    """Comma-separated names of blocklists defined on the Content Safety resource."""
    content_safety_deadline_s: float = Field(8.0, alias="CONTENT_SAFETY_DEADLINE_SECONDS", gt=0, le=60)
    """Longest wait for one Content Safety verdict (chunks, Prompt Shields and retries included); past it the
    provider counts as unavailable (503 `moderation_unavailable`, or through with `MODERATION_FAIL_OPEN`).
    A completion is checked twice (prompt, reply), so 2 x this stays below the 30 s upstream first-byte budget."""
    moderation_policy: str | None = Field(None, alias="MODERATION_POLICY")
    """JSON `{"categories": {"hate": {"threshold": 4, "action": "block"}, ...}, "blocklists": {...}}`."""
    moderation_policy_cache_s: float = Field(30.0, alias="MODERATION_POLICY_CACHE_SECONDS", ge=0, le=3600)
    moderation_record_text: bool = Field(False, alias="MODERATION_RECORD_TEXT")
    moderation_fail_open: bool = Field(False, alias="MODERATION_FAIL_OPEN")
    """When the provider is unavailable: let content through (True) or refuse with 503 (False)."""
    moderation_max_inputs: int = Field(32, alias="MODERATION_MAX_INPUTS", ge=1, le=1000)
    moderation_max_input_chars: int = Field(32_000, alias="MODERATION_MAX_INPUT_CHARS", ge=1)
    moderation_stream_overlap_chars: int = Field(64, alias="MODERATION_STREAM_OVERLAP_CHARS", ge=0, le=1000)
    moderation_budget_s: float = Field(5.0, alias="MODERATION_BUDGET_SECONDS", gt=0, le=300)
    """Time one embedded analysis may take (waiting for a worker included) before it fails closed (503)."""
    moderation_max_analysis_chars: int = Field(1_048_576, alias="MODERATION_MAX_ANALYSIS_CHARS", ge=1)
    """Longest text (documents included) one embedded analysis takes; longer is refused with 413."""
    moderation_inline_chars: int = Field(512, alias="MODERATION_INLINE_CHARS", ge=0)
    """Texts up to this length are analysed on the event loop (~2 ms at worst); longer ones in a worker process."""
    moderation_workers: int = Field(2, alias="MODERATION_WORKERS", ge=1, le=64)
    moderation_queue_limit: int = Field(64, alias="MODERATION_QUEUE_LIMIT", ge=0, le=10_000)
    """Texts that may wait for a worker; one more is refused with 503 `moderation_overloaded`."""

    health_timeout_s: float = Field(2.0, alias="HEALTH_TIMEOUT_SECONDS", gt=0)
    health_max_age_s: float = Field(2.0, alias="HEALTH_MAX_AGE_SECONDS", ge=0, le=60)
    """Oldest dependency report GET /api/health answers with; 0 checks the dependencies on every probe."""
    max_request_bytes: int = Field(1_048_576, alias="MAX_REQUEST_BYTES", gt=0)

    # Telemetry: Azure Monitor when the connection string is set, else OTLP or console locally.
    appinsights_connection_string: str | None = Field(None, alias="APPLICATIONINSIGHTS_CONNECTION_STRING")
    appinsights_authentication_string: str | None = Field(None, alias="APPLICATIONINSIGHTS_AUTHENTICATION_STRING")
    """`Authorization=AAD` (plus `;ClientId=<id>` for a user-assigned identity) sends with Entra auth."""
    otlp_endpoint: str | None = Field(None, alias="OTEL_EXPORTER_OTLP_ENDPOINT")
    telemetry_console: bool = Field(False, alias="TELEMETRY_CONSOLE")
    telemetry_service_name: str = Field("copilot-platform-functions", alias="OTEL_SERVICE_NAME")
    telemetry_logger_name: str = Field("", alias="TELEMETRY_LOGGER_NAME")
    """Logger whose records are exported (with trace ids); the root logger, so every module's."""
    telemetry_live_metrics: bool = Field(False, alias="TELEMETRY_LIVE_METRICS")
    log_json: bool = Field(True, alias="LOG_JSON")
    """Every log line as one JSON object (the worker's and the dev host's handlers reformatted, not doubled)."""
    telemetry_service_namespace: str = Field("copilot-platform", alias="OTEL_SERVICE_NAMESPACE")
    deployment_environment: str = Field("local", alias="DEPLOYMENT_ENVIRONMENT")
    website_site_name: str | None = Field(None, alias="WEBSITE_SITE_NAME")
    """The Functions site: our service name, so the host and the app are one cloud role."""
    website_instance_id: str | None = Field(None, alias="WEBSITE_INSTANCE_ID")
    trace_context_trust: Literal["none", "all"] = Field("none", alias="TRACE_CONTEXT_TRUST")
    """`all`: every caller's `traceparent` is continued (only behind an ingress that sets it itself)."""

    @field_validator("auth_issuers", "openai_backends", mode="before")
    @classmethod
    def _parse_json(cls, value: Any) -> Any:
        return _json_list(value)

    @field_validator("completion_output_limits", "model_prices", mode="before")
    @classmethod
    def _parse_json_object(cls, value: Any) -> Any:
        if isinstance(value, str):
            return json.loads(value) if value.strip() else {}
        return value

    @model_validator(mode="after")
    def _connections_present(self) -> Settings:
        if not (self.cosmos_connection_string or self.cosmos_account_endpoint):
            raise ValueError("CosmosDb: set a connection string or CosmosDb__accountEndpoint")
        if not (self.storage_connection_string or self.storage_queue_service_uri or self.storage_account_name):
            raise ValueError("AzureWebJobsStorage: set a connection string or AzureWebJobsStorage__queueServiceUri")
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
        parts = dict(part.split("=", 1) for part in self.cosmos_connection_string.split(";") if "=" in part)
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
