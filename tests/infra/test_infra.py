"""Offline checks of the azd project: azure.yaml, infra/main.parameters.json and the Bicep modules.

Nothing here reaches the network: schemas are vendored in schemas/, checkov runs with --skip-download.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft4Validator, Draft201909Validator
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource

PROJECT_ROOT = Path(__file__).resolve().parents[2]
INFRA = PROJECT_ROOT / "infra"
AZD_SCHEMAS = PROJECT_ROOT / "schemas" / "azd"
API_BICEP = INFRA / "app" / "api.bicep"

ARM_TEMPLATE_URI = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json"
# Our own minimal model of the two deploymentTemplate.json definitions the parameters schema points at.
ARM_TEMPLATE_STANDIN: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-04/schema#",
    "id": ARM_TEMPLATE_URI + "#",
    "definitions": {
        "parameterValueTypes": {"type": ["string", "boolean", "integer", "number", "object", "array"]},
        "keyVaultReference": {
            "type": "object",
            "required": ["keyVault", "secretName"],
            "properties": {
                "keyVault": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}},
                "secretName": {"type": "string"},
                "secretVersion": {"type": "string"},
            },
        },
    },
}

APP_SETTING_CONTRACT = {
    "CosmosDb__accountEndpoint", "CosmosDb__credential", "CosmosDb__clientId", "COSMOS_DATABASE",
    "AzureWebJobsStorage__queueServiceUri", "AzureWebJobsStorage__blobServiceUri",
    "AzureWebJobsStorage__credential", "AzureWebJobsStorage__clientId", "AZURE_CLIENT_ID",
    "OPENAI_BACKENDS", "AUTH_ISSUERS", "CONTENT_SAFETY_ENDPOINT", "MODERATION_PROVIDER",
    "CONVERSATION_TTL_DAYS", "APPLICATIONINSIGHTS_CONNECTION_STRING",
    "APPLICATIONINSIGHTS_AUTHENTICATION_STRING", "PYTHON_ENABLE_INIT_INDEXING", "PYTHON_ENABLE_OPENTELEMETRY",
}  # fmt: skip
# Flex Consumption takes the runtime from functionAppConfig and has no content share (Microsoft Learn, "App
# settings reference for Azure Functions", Flex Consumption plan deprecations); AzureWebJobsStorage would be a key.
FLEX_FORBIDDEN_SETTINGS = {
    "FUNCTIONS_WORKER_RUNTIME", "FUNCTIONS_WORKER_RUNTIME_VERSION", "FUNCTIONS_EXTENSION_VERSION",
    "WEBSITE_RUN_FROM_PACKAGE", "WEBSITE_CONTENTSHARE", "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING",
    "WEBSITE_CONTENTOVERVNET", "WEBSITE_SKIP_CONTENTSHARE_VALIDATION", "WEBSITE_NODE_DEFAULT_VERSION",
    "WEBSITE_VNET_ROUTE_ALL", "SCM_DO_BUILD_DURING_DEPLOYMENT", "ENABLE_ORYX_BUILD", "AzureWebJobsStorage",
}  # fmt: skip
SECRET_PATTERNS = re.compile(
    r"listKeys\(|listConnectionStrings\(|listAccountSas\(|AccountKey=|SharedAccessKey|MasterKey|\.key1\b|\.keys\(",
    re.IGNORECASE,
)


# ---------- Bicep text helpers ----------


def _strip_comments(source: str) -> str:
    """Remove // and /* */ comments while leaving quoted strings (which hold https:// URLs) intact."""
    out: list[str] = []
    i, in_string = 0, False
    while i < len(source):
        ch = source[i]
        if in_string:
            out.append(ch)
            if ch == "\\":
                out.append(source[i + 1 : i + 2])
                i += 1
            elif ch == "'":
                in_string = False
        elif ch == "'":
            in_string = True
            out.append(ch)
        elif source.startswith("//", i):
            i = source.find("\n", i) - 1 if "\n" in source[i:] else len(source)
        elif source.startswith("/*", i):
            i = source.index("*/", i) + 1
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def _object_entries(source: str, declaration: str) -> dict[str, str]:
    """Top-level `key: value` lines of the object literal that follows `declaration` (e.g. `var x =`)."""
    start = source.index(declaration)
    body_start = source.index("{", start)
    depth, entries = 0, {}
    for line in source[body_start:].splitlines():
        if depth == 1 and (match := re.match(r"\s*'?([A-Za-z_][\w-]*)'?\s*:\s*(.*)$", line)):
            entries[match.group(1)] = match.group(2).strip()
        depth += line.count("{") + line.count("[") - line.count("}") - line.count("]")
        if depth == 0:
            break
    return entries


@cache
def _bicep_files() -> dict[Path, str]:
    return {path: _strip_comments(path.read_text()) for path in sorted(INFRA.rglob("*.bicep"))}


def _declared_params(bicep: str) -> dict[str, bool]:
    """Parameter name -> whether it has a default value."""
    return {m.group(1): m.group(2) is not None for m in re.finditer(r"^param (\w+) \w+( =.*)?$", bicep, re.M)}


# ---------- azure.yaml ----------


def _refuse_retrieval(uri: str) -> Resource[Any]:
    raise NoSuchResource(ref=uri)  # type: ignore[call-arg]


def _azd_schema_and_registry() -> tuple[dict[str, Any], Registry[Any]]:
    schema = json.loads((AZD_SCHEMAS / "azure.yaml.json").read_text())
    external = set(re.findall(r'"\$ref":\s*"(https?://[^"#]+)', json.dumps(schema)))
    resources = []
    for uri in sorted(external):
        local = AZD_SCHEMAS / uri.rsplit("/", 1)[1]
        assert local.is_file(), f"{uri} has no local copy in {AZD_SCHEMAS}"
        resources.append((uri, Resource.from_contents(json.loads(local.read_text()))))
    return schema, Registry(retrieve=_refuse_retrieval).with_resources(resources)  # type: ignore[call-arg]


def _azure_yaml() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((PROJECT_ROOT / "azure.yaml").read_text())
    return document


def test_azure_yaml_matches_azd_schema() -> None:
    schema, registry = _azd_schema_and_registry()
    errors = [e.message for e in Draft201909Validator(schema, registry=registry).iter_errors(_azure_yaml())]
    assert errors == []


def test_azd_schema_validator_rejects_a_broken_azure_yaml() -> None:
    schema, registry = _azd_schema_and_registry()
    broken = _azure_yaml() | {"name": "Not A Valid Name"}
    broken["services"] = {"api": {"project": "."}}
    validator = Draft201909Validator(schema, registry=registry)
    messages = " ".join(e.message for e in validator.iter_errors(broken))
    assert "'host' is a required property" in messages
    assert "does not match" in messages


def test_azure_yaml_declares_the_python_function_service() -> None:
    document = _azure_yaml()
    assert document["services"] == {"api": {"project": ".", "language": "python", "host": "function"}}
    assert document.get("infra", {}).get("path", "infra") == "infra"


# ---------- infra/main.parameters.json ----------


def _parameters() -> dict[str, Any]:
    document: dict[str, Any] = json.loads((INFRA / "main.parameters.json").read_text())
    return document


def _parameters_validator() -> Draft4Validator:
    schema = json.loads((AZD_SCHEMAS / "2019-04-01__deploymentParameters.json").read_text())
    standin = Resource.from_contents(ARM_TEMPLATE_STANDIN)
    offline: Registry[Any] = Registry(retrieve=_refuse_retrieval)  # type: ignore[call-arg]
    registry = offline.with_resource(ARM_TEMPLATE_URI, standin)
    return Draft4Validator(schema, registry=registry)


def test_parameters_file_matches_arm_schema() -> None:
    assert [e.message for e in _parameters_validator().iter_errors(_parameters())] == []


def test_parameters_schema_validator_rejects_a_malformed_parameter() -> None:
    broken = _parameters()
    broken["parameters"]["location"] = {"valu": "${AZURE_LOCATION}"}
    assert list(_parameters_validator().iter_errors(broken))


def test_parameters_cover_main_bicep_and_use_azd_substitution() -> None:
    declared = _declared_params(_bicep_files()[INFRA / "main.bicep"])
    supplied = _parameters()["parameters"]
    assert set(supplied) <= set(declared), f"unknown parameters: {set(supplied) - set(declared)}"
    assert {name for name, has_default in declared.items() if not has_default} <= set(supplied)
    assert supplied["environmentName"]["value"] == "${AZURE_ENV_NAME}"
    assert supplied["location"]["value"] == "${AZURE_LOCATION}"
    for name, entry in supplied.items():
        assert re.fullmatch(r"\$\{[A-Z][A-Z0-9_]*(=[^}]*)?\}", entry["value"]), name


# ---------- Bicep structure ----------


def test_function_app_sets_every_contract_app_setting() -> None:
    settings = _object_entries(_bicep_files()[API_BICEP], "var appSettings =")
    assert set(settings) >= APP_SETTING_CONTRACT, APP_SETTING_CONTRACT - set(settings)
    assert not FLEX_FORBIDDEN_SETTINGS & set(settings)
    assert settings["CosmosDb__credential"] == "'managedidentity'"
    assert settings["AzureWebJobsStorage__credential"] == "'managedidentity'"
    assert settings["PYTHON_ENABLE_INIT_INDEXING"] == "'1'"
    assert settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"].startswith("'Authorization=AAD;ClientId=")
    assert settings["COSMOS_DATABASE"] == "cosmosDatabaseName"


def test_json_settings_are_built_with_the_contract_fields() -> None:
    api = _bicep_files()[API_BICEP]
    backend = _object_entries(api, "var openAiBackends =")
    issuer = _object_entries(api, "var authIssuers =")
    assert set(backend) == {"alias", "endpoint", "deployment", "priority", "weight", "auth"}
    assert backend["auth"] == "'managed_identity'"
    assert set(issuer) == {"name", "issuer", "audience", "allowed_tenants"}
    assert issuer["issuer"].endswith("/v2.0'")


def test_no_keys_or_connection_string_secrets_in_bicep() -> None:
    for path, source in _bicep_files().items():
        assert not SECRET_PATTERNS.search(source), path
        for line in source.splitlines():
            if re.search("connection_?string", line, re.IGNORECASE):
                assert "insights" in line.lower(), f"{path}: {line.strip()}"


def test_data_services_accept_entra_tokens_only() -> None:
    files = _bicep_files()
    core = INFRA / "core"
    assert "allowSharedKeyAccess: false" in files[core / "storage" / "storage-account.bicep"]
    assert "disableLocalAuth: true" in files[core / "database" / "cosmos-nosql.bicep"]
    assert "disableLocalAuth: true" in files[core / "ai" / "cognitive-account.bicep"]
    assert "DisableLocalAuth: true" in files[core / "monitor" / "monitoring.bicep"]
    flex = files[core / "host" / "flex-function-app.bicep"]
    assert "type: 'UserAssignedIdentity'" in flex and "'FlexConsumption'" in flex


def test_cosmos_data_role_is_the_built_in_data_contributor() -> None:
    """Containers and queues are compared with shared/resources.py in test_deployment.py."""
    role_module = _bicep_files()[INFRA / "core" / "database" / "cosmos-sql-role-assignment.bicep"]
    assert "'00000000-0000-0000-0000-000000000002'" in role_module


# ---------- checkov ----------


def _checkov_executable() -> str:
    candidates = [
        os.environ.get("CHECKOV_BIN", ""),
        str(PROJECT_ROOT / ".local" / "checkov" / "bin" / "checkov"),
        str(Path(sys.executable).parent / "checkov"),
        shutil.which("checkov") or "",
    ]
    found = next((c for c in candidates if c and os.access(c, os.X_OK)), None)
    if found is None:
        pytest.fail("checkov not found: set CHECKOV_BIN or install it in .local/checkov (docs/deployment.md)")
    return found


@pytest.fixture(scope="module")
def checkov_report() -> dict[str, Any]:
    command = [_checkov_executable(), "-d", str(INFRA), "--framework", "bicep", "--skip-download"]
    command += ["--output", "json"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert result.stdout.strip(), result.stderr[-2000:]
    report = json.loads(result.stdout)
    report = report[0] if isinstance(report, list) else report
    assert report["check_type"] == "bicep"
    return dict(report)


def test_checkov_parses_every_bicep_file(checkov_report: dict[str, Any]) -> None:
    assert checkov_report["results"]["parsing_errors"] == []
    checked = {Path(r["file_abs_path"]).resolve() for kind in ("passed_checks", "skipped_checks")
               for r in checkov_report["results"][kind]}  # fmt: skip
    core = INFRA / "core"
    expected = {"storage/storage-account.bicep", "database/cosmos-nosql.bicep", "ai/cognitive-account.bicep",
                "host/flex-function-app.bicep"}  # fmt: skip
    assert {(core / p).resolve() for p in expected} <= checked


def test_checkov_reports_no_failed_checks(checkov_report: dict[str, Any]) -> None:
    failed = checkov_report["results"]["failed_checks"]
    assert [(r["check_id"], r["file_path"], r["resource"]) for r in failed] == []


def test_every_checkov_suppression_is_justified_and_used(checkov_report: dict[str, Any]) -> None:
    skipped = checkov_report["results"]["skipped_checks"]
    for record in skipped:
        assert len(record["check_result"].get("suppress_comment", "").strip()) >= 20, record["check_id"]
    declared = {
        (path.resolve(), check_id)
        for path in INFRA.rglob("*.bicep")
        for check_id in re.findall(r"//checkov:skip=(CKV2?_[A-Z]+_\d+):\S", path.read_text())
    }
    used = {(Path(r["file_abs_path"]).resolve(), r["check_id"]) for r in skipped}
    assert declared == used, f"stale: {declared - used}, unparsed: {used - declared}"
