"""What `azd up` deploys, evaluated offline from the Bicep, compared with what the code declares and needs.

The Bicep is parsed with pycep-parser and evaluated for the parameters azd passes (tests/infra/bicep_eval.py);
resource endpoints and ids become placeholders. Containers, partition keys, indexing, TTLs and queues
come from shared/resources.py, the app settings are loaded into shared/settings.py.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

import shared.resources as resources
from shared.settings import Settings, SettingsError, load_settings
from tests.infra.bicep_eval import (
    TENANT_ID,
    AzdWouldPrompt,
    Deployment,
    ResourceRef,
    Scope,
    azd_parameters,
    parse,
)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
INFRA = PROJECT_ROOT / "infra"
MAIN = INFRA / "main.bicep"
PARAMETERS = INFRA / "main.parameters.json"
DOCS = PROJECT_ROOT / "docs" / "deployment.md"

AUDIENCE = "3f2a7c1e-5b8d-4e0f-9a61-2c4d8e7b9f10"
# What azd itself sets (AZURE_*), plus the one value it prompts for.
AZD_ENV = {
    "AZURE_ENV_NAME": "copilot-dev",
    "AZURE_LOCATION": "swedencentral",
    "AZURE_PRINCIPAL_ID": "8d0c6a52-0b1e-4f6e-9d7a-4c3b2a1f0e9d",
    "AUTH_AUDIENCE": AUDIENCE,
}
VARIANTS = {
    "defaults": {},
    "existing-openai-no-group": {
        "DEPLOY_OPENAI": "false",
        "EXISTING_OPENAI_ENDPOINT": "https://shared-oai.openai.azure.com",
        "EXISTING_OPENAI_ACCOUNT_NAME": "shared-oai",
    },
    "content-safety": {"DEPLOY_CONTENT_SAFETY": "true"},
    "existing-content-safety": {
        "EXISTING_CONTENT_SAFETY_ENDPOINT": "https://shared-cs.cognitiveservices.azure.com",
        "EXISTING_CONTENT_SAFETY_ACCOUNT_NAME": "shared-cs",
        "EXISTING_CONTENT_SAFETY_RESOURCE_GROUP": "rg-shared-ai",
    },
    "vnet": {"VNET_ENABLED": "true", "DEPLOY_CONTENT_SAFETY": "true"},
    "keep-until-deleted": {"CONVERSATION_TTL_DAYS": "0"},
    "autoscale": {"COSMOS_CAPACITY_MODE": "autoscale", "COSMOS_AUTOSCALE_MAX_THROUGHPUT": "4000"},
}

# Site properties Flex Consumption rejects or has replaced. Sources: Microsoft Learn, "App settings reference
# for Azure Functions", section "Flex Consumption plan deprecations"
# (https://learn.microsoft.com/azure/azure-functions/functions-app-settings#flex-consumption-plan-deprecations),
# and ARM error 51021, which newer regions return for siteConfig.ftpsState on a Flex site.
FLEX_REJECTED_SITE_PROPERTIES = {
    "containerSize": "replaced by functionAppConfig.scaleAndConcurrency.instanceMemoryMB",
    "siteConfig.ftpsState": "no FTP on Flex; error 51021",
    "siteConfig.linuxFxVersion": "replaced by functionAppConfig.runtime",
    "siteConfig.windowsFxVersion": "Flex is Linux only; runtime in functionAppConfig.runtime",
    "siteConfig.netFrameworkVersion": "replaced by functionAppConfig.runtime.version",
    "siteConfig.javaVersion": "replaced by functionAppConfig.runtime.version",
    "siteConfig.powerShellVersion": "replaced by functionAppConfig.runtime.version",
    "siteConfig.functionAppScaleLimit": "replaced by functionAppConfig.scaleAndConcurrency.maximumInstanceCount",
    "siteConfig.preWarmedInstanceCount": "replaced by functionAppConfig.scaleAndConcurrency.alwaysReady",
    "siteConfig.use32BitWorkerProcess": "32-bit workers are not supported",
    "siteConfig.vnetRouteAllEnabled": "all outbound traffic is routed through the integrated VNet",
}
# Everything the official Flex samples set on a site (Azure-Samples/azure-functions-flex-consumption-samples
# IaC/bicep/core/host/function.bicep and the functions-flexconsumption.bicep modules; httpsOnly as the AVM
# web/site module of Azure-Samples/functions-quickstart-python-http-azd sends it).
FLEX_SAMPLE_SITE_PROPERTIES = {"serverFarmId", "functionAppConfig", "virtualNetworkSubnetId", "siteConfig", "httpsOnly"}
FLEX_SAMPLE_SITE_CONFIG = {"appSettings"}


# ---------- evaluation helpers ----------


def deploy(**overrides: str) -> Deployment:
    params = azd_parameters(MAIN, PARAMETERS, AZD_ENV | overrides)
    return Deployment(MAIN, params, Scope(None, AZD_ENV["AZURE_LOCATION"]))


def created(deployment: Deployment, resource_type: str) -> list[ResourceRef]:
    return [resource for _, resource in deployment.walk() if resource.type == resource_type]


def site_of(deployment: Deployment) -> ResourceRef:
    (site,) = created(deployment, "Microsoft.Web/sites")
    return site


def app_settings(deployment: Deployment) -> dict[str, str]:
    pairs = site_of(deployment).properties()["siteConfig"]["appSettings"]
    return {pair["name"]: pair["value"] for pair in pairs}


def settings_from(app: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The settings model exactly as the worker builds it: from these app settings and nothing else."""
    for name in list(os.environ):
        monkeypatch.delenv(name)
    for name, value in app.items():
        assert isinstance(value, str), name
        monkeypatch.setenv(name, value)
    return load_settings()


def deployed_containers(deployment: Deployment) -> dict[str, dict[str, Any]]:
    deployed = {}
    for container in created(deployment, "Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers"):
        resource = container.properties()["resource"]
        deployed[resource["id"]] = {
            "partitionKey": resource["partitionKey"]["paths"],
            "defaultTtl": resource.get("defaultTtl"),
            "indexingPolicy": resource.get("indexingPolicy"),
        }
    return deployed


def declared_containers(settings: Settings) -> dict[str, dict[str, Any]]:
    """What `ensure_resources` creates for these settings, read from the declaration at call time."""
    return {
        spec.name: {
            "partitionKey": [resources.PARTITION_KEY_PATH],
            "defaultTtl": spec.default_ttl(settings),
            "indexingPolicy": spec.indexing_policy(),
        }
        for spec in resources.CONTAINERS
    }


def drift(declared: dict[str, Any], deployed: dict[str, Any]) -> list[str]:
    problems = [f"{name}: declared in the code, missing from the Bicep" for name in declared.keys() - deployed.keys()]
    problems += [f"{name}: in the Bicep, not declared in the code" for name in deployed.keys() - declared.keys()]
    for name in sorted(declared.keys() & deployed.keys()):
        for key, value in declared[name].items():
            if deployed[name].get(key) != value:
                problems.append(f"{name}.{key}: code {value!r}, Bicep {deployed[name].get(key)!r}")
    return sorted(problems)


def deployed_queues(deployment: Deployment) -> set[str]:
    return {queue.name for queue in created(deployment, "Microsoft.Storage/storageAccounts/queueServices/queues")}


def declared_queues() -> set[str]:
    return {name for queue in resources.QUEUES for name in (queue, resources.poison_queue(queue))}


def flex_rejections(properties: dict[str, Any]) -> list[str]:
    site_config = properties.get("siteConfig") or {}
    paths = {*properties, *(f"siteConfig.{key}" for key in site_config)}
    lowered = {path.lower(): path for path in paths}
    rejected = [
        f"{lowered[p.lower()]}: {why}" for p, why in FLEX_REJECTED_SITE_PROPERTIES.items() if p.lower() in lowered
    ]
    rejected += [f"{key}: not set by the Flex samples" for key in set(properties) - FLEX_SAMPLE_SITE_PROPERTIES]
    rejected += [f"siteConfig.{key}: not set by the Flex samples" for key in set(site_config) - FLEX_SAMPLE_SITE_CONFIG]
    return sorted(set(rejected))


def service_hosts(tagged: Iterable[ResourceRef]) -> list[tuple[str, str, str]]:
    return sorted((r.type, r.name, str(r.tags()["azd-service-name"])) for r in tagged if "azd-service-name" in r.tags())


@pytest.fixture(scope="module")
def default_deployment() -> Deployment:
    return deploy()


# ---------- the app starts ----------


def test_azd_prompts_for_the_api_audience_and_nothing_else() -> None:
    without = {name: value for name, value in AZD_ENV.items() if name != "AUTH_AUDIENCE"}
    with pytest.raises(AzdWouldPrompt, match="authAudience"):
        azd_parameters(MAIN, PARAMETERS, without)
    assert azd_parameters(MAIN, PARAMETERS, AZD_ENV)["authAudience"] == AUDIENCE


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_the_app_starts_with_the_settings_the_deployment_writes(variant: str, monkeypatch: pytest.MonkeyPatch) -> None:
    deployment = deploy(**VARIANTS[variant])
    settings = settings_from(app_settings(deployment), monkeypatch)
    (issuer,) = settings.auth_issuers
    assert issuer.issuer == f"https://login.microsoftonline.com/{TENANT_ID}/v2.0"
    assert issuer.audience == AUDIENCE
    assert issuer.allowed_tenants == [TENANT_ID]
    outputs = deployment.outputs()
    assert settings.cosmos_account_endpoint == outputs["AZURE_COSMOS_ENDPOINT"]
    assert settings.queue_service_uri == outputs["AZURE_STORAGE_QUEUE_ENDPOINT"]
    assert settings.cosmos_database == outputs["AZURE_COSMOS_DATABASE"]
    assert [(b.endpoint, b.deployment, b.auth) for b in settings.openai_backends] == [
        (outputs["AZURE_OPENAI_ENDPOINT"], outputs["AZURE_OPENAI_CHAT_DEPLOYMENT"], "managed_identity")
    ]
    assert settings.moderation_provider == outputs["MODERATION_PROVIDER"]
    assert (settings.content_safety_endpoint or "") == outputs["AZURE_CONTENT_SAFETY_ENDPOINT"]
    assert settings.storage_client_id == settings.cosmos_client_id == settings.azure_client_id


# What the Python worker does at start-up: index the function app, then (first invocation) load settings.
WORKER_START = """
import json, function_app
from shared.settings import load_settings
functions = function_app.app.get_functions()
load_settings()
bindings = [b for f in functions for b in f.get_bindings()]
triggers = [(b.type, b.connection, b.queue_name) for b in bindings if b.type == "queueTrigger"]
print(json.dumps({"functions": len(functions), "queue_triggers": triggers}))
"""


def test_the_worker_indexes_the_app_and_its_queue_triggers_find_their_queues(default_deployment: Deployment) -> None:
    app = app_settings(default_deployment)
    result = subprocess.run(
        [sys.executable, "-c", WORKER_START],
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **app},
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    started = json.loads(result.stdout.strip().splitlines()[-1])
    assert started["functions"] > 0
    assert {queue for _, _, queue in started["queue_triggers"]} == set(resources.QUEUES)
    queues = deployed_queues(default_deployment)
    for _, connection, queue in started["queue_triggers"]:
        assert queue in queues and resources.poison_queue(queue) in queues
        assert app[f"{connection}__queueServiceUri"] == default_deployment.outputs()["AZURE_STORAGE_QUEUE_ENDPOINT"]
        assert app[f"{connection}__credential"] == "managedidentity"


def test_the_settings_check_is_real_an_empty_issuer_list_does_not_start(
    default_deployment: Deployment, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = app_settings(default_deployment) | {"AUTH_ISSUERS": "[]"}
    with pytest.raises(SettingsError, match="AUTH_ISSUERS"):
        settings_from(app, monkeypatch)


# ---------- containers, TTLs, indexing, queues: from the code ----------


@pytest.mark.parametrize("variant", ["defaults", "keep-until-deleted", "autoscale"])
def test_cosmos_containers_are_the_ones_the_code_declares(variant: str, monkeypatch: pytest.MonkeyPatch) -> None:
    deployment = deploy(**VARIANTS[variant])
    settings = settings_from(app_settings(deployment), monkeypatch)
    assert drift(declared_containers(settings), deployed_containers(deployment)) == []


def test_moderation_records_and_jobs_expire_with_the_conversation_ttl(
    default_deployment: Deployment, monkeypatch: pytest.MonkeyPatch
) -> None:
    deployed = deployed_containers(default_deployment)
    assert deployed["moderation"]["defaultTtl"] == deployed["jobs"]["defaultTtl"] == 90 * 86_400
    excluded = {entry["path"] for entry in deployed["moderation"]["indexingPolicy"]["excludedPaths"]}
    assert "/result/*" in excluded


def test_a_container_added_to_the_code_alone_is_reported(
    default_deployment: Deployment, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = settings_from(app_settings(default_deployment), monkeypatch)
    ledger = resources.ContainerSpec("ledger", excluded_paths=("/payload/*",), fixed_ttl=-1)
    monkeypatch.setattr(resources, "CONTAINERS", (*resources.CONTAINERS, ledger))
    assert drift(declared_containers(settings), deployed_containers(default_deployment)) == [
        "ledger: declared in the code, missing from the Bicep"
    ]
    assert json.loads((INFRA / "resources.json").read_text()) != resources.infra_declaration()


def test_a_changed_index_or_ttl_in_the_code_is_reported(
    default_deployment: Deployment, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = settings_from(app_settings(default_deployment), monkeypatch)
    changed = tuple(
        replace(spec, excluded_paths=()) if spec.name == "moderation" else
        replace(spec, fixed_ttl=3600) if spec.name == "usage" else spec
        for spec in resources.CONTAINERS
    )  # fmt: skip
    monkeypatch.setattr(resources, "CONTAINERS", changed)
    problems = drift(declared_containers(settings), deployed_containers(default_deployment))
    assert [p.split(":")[0] for p in problems] == ["moderation.indexingPolicy", "usage.defaultTtl"]


def test_resources_json_is_written_from_the_code() -> None:
    written = json.loads((INFRA / "resources.json").read_text())
    assert written == resources.infra_declaration(), "run: python -m shared.resources > infra/resources.json"


def test_queues_are_the_ones_the_code_declares(default_deployment: Deployment, monkeypatch: pytest.MonkeyPatch) -> None:
    assert deployed_queues(default_deployment) == declared_queues()
    monkeypatch.setattr(resources, "QUEUES", (*resources.QUEUES, "audit-events"))
    assert declared_queues() - deployed_queues(default_deployment) == {"audit-events", "audit-events-poison"}


# ---------- Flex Consumption and azd ----------


@pytest.mark.parametrize("variant", ["defaults", "vnet"])
def test_the_site_sets_nothing_flex_consumption_rejects(variant: str) -> None:
    assert flex_rejections(site_of(deploy(**VARIANTS[variant])).properties()) == []


def test_a_rejected_site_property_is_reported(default_deployment: Deployment) -> None:
    properties = site_of(default_deployment).properties()
    with_ftps = properties | {"siteConfig": {**properties["siteConfig"], "ftpsState": "Disabled"}}
    assert flex_rejections(with_ftps) == [
        "siteConfig.ftpsState: no FTP on Flex; error 51021",
        "siteConfig.ftpsState: not set by the Flex samples",
    ]
    assert flex_rejections(properties | {"containerSize": 1536}) == [
        "containerSize: not set by the Flex samples",
        "containerSize: replaced by functionAppConfig.scaleAndConcurrency.instanceMemoryMB",
    ]


def test_only_the_site_carries_azd_service_name(default_deployment: Deployment) -> None:
    every = [resource for _, resource in default_deployment.walk()]
    assert service_hosts(every) == [("Microsoft.Web/sites", site_of(default_deployment).name, "api")]
    (plan,) = created(default_deployment, "Microsoft.Web/serverfarms")
    tagged_plan = replace(plan, config=plan.config | {"tags": {"azd-service-name": "api"}})
    assert len(service_hosts([*every, tagged_plan])) == 2


# ---------- roles, diagnostics, network ----------


def _role_assignments(deployment: Deployment) -> list[tuple[str, str]]:
    """(scope resource id, role definition GUID) of every Azure RBAC assignment."""
    pairs = []
    for assignment in created(deployment, "Microsoft.Authorization/roleAssignments"):
        scope = assignment.value("scope")
        role = str(assignment.properties()["roleDefinitionId"]).rsplit("/", 1)[1]
        pairs.append((scope.id, role))
    return pairs


def test_existing_ai_accounts_get_their_roles_in_a_valid_scope() -> None:
    openai_user, cognitive_user = "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd", "a97b65f3-24c7-4388-baec-2e87135dc908"
    deployment = deploy(**VARIANTS["existing-openai-no-group"], **VARIANTS["existing-content-safety"])
    rg = deployment.outputs()["AZURE_RESOURCE_GROUP"]
    assignments = _role_assignments(deployment)
    openai_id = f"resourceGroups/{rg}/providers/Microsoft.CognitiveServices/accounts/shared-oai"
    safety_id = "resourceGroups/rg-shared-ai/providers/Microsoft.CognitiveServices/accounts/shared-cs"
    assert any(scope.endswith(openai_id) and role == openai_user for scope, role in assignments)
    assert any(scope.endswith(safety_id) and role == cognitive_user for scope, role in assignments)


def test_role_module_scopes_name_a_group_even_when_skipped(default_deployment: Deployment) -> None:
    rbac = default_deployment.module("rbac")
    for symbol in ("appExistingOpenAiUser", "appExistingContentSafetyUser"):
        declaration = rbac.tree["modules"][symbol]["config"]
        assert not rbac.evaluate(declaration["condition"])
        assert (
            rbac.evaluate(declaration["config"]["scope"])["name"]
            == default_deployment.outputs()["AZURE_RESOURCE_GROUP"]
        )


@pytest.mark.parametrize("variant", ["defaults", "content-safety"])
def test_site_cosmos_storage_and_ai_accounts_send_diagnostics_to_log_analytics(variant: str) -> None:
    deployment = deploy(**VARIANTS[variant])
    (workspace,) = created(deployment, "Microsoft.OperationalInsights/workspaces")
    covered = []
    for setting in created(deployment, "Microsoft.Insights/diagnosticSettings"):
        assert setting.properties()["workspaceId"] == workspace.id
        covered.append(setting.value("scope").id)
    sources = [
        *created(deployment, "Microsoft.Web/sites"),
        *created(deployment, "Microsoft.DocumentDB/databaseAccounts"),
        *created(deployment, "Microsoft.Storage/storageAccounts/blobServices"),
        *created(deployment, "Microsoft.Storage/storageAccounts/queueServices"),
        *created(deployment, "Microsoft.CognitiveServices/accounts"),
    ]
    assert len(created(deployment, "Microsoft.CognitiveServices/accounts")) == (2 if variant == "content-safety" else 1)
    assert {source.id for source in sources} <= set(covered)


def test_vnet_enabled_reaches_data_services_through_private_endpoints_only() -> None:
    deployment = deploy(**VARIANTS["vnet"])
    groups = sorted(
        group
        for endpoint in created(deployment, "Microsoft.Network/privateEndpoints")
        for connection in endpoint.properties()["privateLinkServiceConnections"]
        for group in connection["properties"]["groupIds"]
    )
    assert groups == ["Sql", "account", "account", "blob", "queue"]
    for kind in ("Microsoft.Storage/storageAccounts", "Microsoft.DocumentDB/databaseAccounts",
                 "Microsoft.CognitiveServices/accounts"):  # fmt: skip
        for resource in created(deployment, kind):
            assert resource.properties()["publicNetworkAccess"] == "Disabled", resource.name
    (network,) = created(deployment, "Microsoft.Network/virtualNetworks")
    subnet = site_of(deployment).properties()["virtualNetworkSubnetId"]
    (app_subnet,) = [s for s in network.properties()["subnets"] if subnet.endswith(f"/subnets/{s['name']}")]
    assert app_subnet["properties"]["delegations"][0]["properties"]["serviceName"] == "Microsoft.App/environments"


def test_without_vnet_nothing_is_private(default_deployment: Deployment) -> None:
    assert created(default_deployment, "Microsoft.Network/privateEndpoints") == []
    assert created(default_deployment, "Microsoft.Network/virtualNetworks") == []
    assert site_of(default_deployment).properties()["virtualNetworkSubnetId"] is None
    for resource in created(default_deployment, "Microsoft.Storage/storageAccounts"):
        assert resource.properties()["publicNetworkAccess"] == "Enabled"


# ---------- docs ----------


def test_docs_list_every_parameter_and_no_stale_one() -> None:
    docs = DOCS.read_text()
    supplied = json.loads(PARAMETERS.read_text())["parameters"]
    for name, entry in supplied.items():
        variable = re.match(r"\$\{([A-Z0-9_]+)", entry["value"])
        assert variable is not None
        assert f"`{name}`" in docs, name
        assert variable.group(1) in docs, variable.group(1)
    table = docs.split("## Parameters", 1)[1].split("\n## ", 1)[0]
    rows = [line.split("|") for line in table.splitlines() if line.startswith("| `")]
    documented = {name for row in rows for name in re.findall(r"`(\w+)`", row[2])}
    variables = {name for row in rows for name in re.findall(r"`(\w+)`", row[1])}
    assert documented == set(parse(MAIN)["parameters"]), documented ^ set(parse(MAIN)["parameters"])
    supplied_variables = {re.findall(r"[A-Z][A-Z0-9_]+", entry["value"])[0] for entry in supplied.values()}
    assert variables == supplied_variables, variables ^ supplied_variables


def test_docs_name_every_container_and_queue_the_code_declares() -> None:
    docs = DOCS.read_text()
    for name in [spec.name for spec in resources.CONTAINERS] + sorted(declared_queues()):
        assert f"`{name}`" in docs, name
