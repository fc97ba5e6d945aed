from __future__ import annotations

import pytest

from shared.settings import SettingsError, load_settings

BASE = {
    "CosmosDb": "AccountEndpoint=https://127.0.0.1:1/;AccountKey=a2V5;",
    "AzureWebJobsStorage": "UseDevelopmentStorage=true",
    "AUTH_ISSUERS": '[{"name": "x", "issuer": "https://issuer", "audience": "api://a"}]',
}


def _load(monkeypatch: pytest.MonkeyPatch, **values: str) -> object:
    for name in (
        "CosmosDb",
        "CosmosDb__accountEndpoint",
        "AzureWebJobsStorage",
        "AzureWebJobsStorage__queueServiceUri",
        "AUTH_ISSUERS",
        "OPENAI_BACKENDS",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in {**BASE, **values}.items():
        if value:
            monkeypatch.setenv(name, value)
    return load_settings()


def test_missing_cosmos_setting_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SettingsError, match="CosmosDb"):
        _load(monkeypatch, CosmosDb="")


def test_missing_issuers_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SettingsError, match="AUTH_ISSUERS"):
        _load(monkeypatch, AUTH_ISSUERS="")


def test_malformed_json_setting_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SettingsError, match="OPENAI_BACKENDS"):
        _load(monkeypatch, OPENAI_BACKENDS="{not json")


def test_malformed_number_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SettingsError, match="MAX_REQUEST_BYTES"):
        _load(monkeypatch, MAX_REQUEST_BYTES="lots")


def test_identity_based_connections(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _load(
        monkeypatch,
        CosmosDb="",
        CosmosDb__accountEndpoint="https://acct.documents.azure.com:443/",
        CosmosDb__credential="managedidentity",
        CosmosDb__clientId="00000000-0000-0000-0000-000000000001",
        AzureWebJobsStorage="",
        AzureWebJobsStorage__queueServiceUri="https://acct.queue.core.windows.net",
    )
    assert settings.cosmos_key_credential is None  # type: ignore[attr-defined]
    assert settings.queue_service_uri == "https://acct.queue.core.windows.net"  # type: ignore[attr-defined]
    assert settings.cosmos_client_id == "00000000-0000-0000-0000-000000000001"  # type: ignore[attr-defined]


def test_api_key_backend_without_key_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    backends = '[{"alias": "m", "endpoint": "https://e", "deployment": "d", "auth": "api_key"}]'
    with pytest.raises(SettingsError, match="api_key"):
        _load(monkeypatch, OPENAI_BACKENDS=backends)
