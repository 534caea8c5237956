"""The fixture builders produce what ARM produces: every key of every body is a field of the
azure-mgmt model for that resource, checked recursively (the SDKs silently ignore misspelled
keys, so a typo in a fixture would otherwise test nothing)."""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from typing import Any

import pytest

from clearance.fakes import arm_builders as b

_SPLIT = re.compile(r"(?<!\\)\.")


def hybrid_unknown(model: Any, data: Any, where: str) -> list[str]:
    """Keys of ``data`` that the new-style (hybrid) model ``model`` (an instance) does not define."""
    fields = {rf._rest_name: attr for attr, rf in type(model)._attr_to_rest_field.items()}
    problems: list[str] = []
    for key, value in data.items():
        if key not in fields:
            problems.append(f"{where}.{key}")
            continue
        problems += _hybrid_value(getattr(model, fields[key]), value, f"{where}.{key}")
    return problems


def _hybrid_value(parsed: Any, value: Any, where: str) -> list[str]:
    if hasattr(type(parsed), "_attr_to_rest_field") and isinstance(value, dict):
        return hybrid_unknown(parsed, value, where)
    if isinstance(parsed, list) and isinstance(value, list):
        return [
            p for i, (x, v) in enumerate(zip(parsed, value, strict=True)) for p in _hybrid_value(x, v, f"{where}[{i}]")
        ]
    return []


def msrest_unknown(cls: Any, data: Any, models: Any, where: str) -> list[str]:
    """Keys of ``data`` that the msrest model class ``cls`` does not define (flattened keys followed)."""
    tree: dict[str, Any] = {}
    for spec in cls._attribute_map.values():
        parts = [p.replace("\\.", ".") for p in _SPLIT.split(spec["key"])]
        node = tree
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = spec["type"]
    return _msrest_walk(tree, data, models, where)


def _msrest_walk(tree: dict[str, Any], data: dict[str, Any], models: Any, where: str) -> list[str]:
    problems: list[str] = []
    for key, value in data.items():
        if key not in tree:
            problems.append(f"{where}.{key}")
        elif isinstance(tree[key], dict):
            problems += _msrest_walk(tree[key], value, models, f"{where}.{key}")
        elif value is not None:
            problems += _msrest_typed(tree[key], value, models, f"{where}.{key}")
    return problems


def _msrest_typed(kind: str, value: Any, models: Any, where: str) -> list[str]:
    if kind.startswith("[") and isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _msrest_typed(kind[1:-1], v, models, f"{where}[{i}]")]
    target = getattr(models, kind, None)
    if isinstance(target, type) and hasattr(target, "_attribute_map") and isinstance(value, dict):
        return msrest_unknown(target, value, models, where)
    return []


RESOURCE = "azure.mgmt.resource.subscriptions"
MONITOR = "azure.mgmt.monitor.v2021_05_01_preview"
STORAGE_ID = b.arm_id("Microsoft.Storage/storageAccounts", "stapp")
CASES: list[tuple[str, str, Callable[[], dict[str, Any]]]] = [
    ("azure.mgmt.storage", "StorageAccount", lambda: b.storage_account("stapp")),
    ("azure.mgmt.storage", "BlobServiceProperties", lambda: b.blob_service("stapp")),
    ("azure.mgmt.storage", "ListContainerItem", lambda: b.blob_container("stapp", "data")),
    ("azure.mgmt.keyvault", "Vault", lambda: b.key_vault("kv-app")),
    ("azure.mgmt.keyvault", "Key", lambda: b.vault_key("kv-app", "cmk")),
    ("azure.mgmt.sql", "Server", lambda: b.sql_server("sql-app")),
    ("azure.mgmt.sql", "Database", lambda: b.sql_database("sql-app", "db")),
    ("azure.mgmt.sql", "EncryptionProtector", lambda: b.encryption_protector("sql-app")),
    (
        "azure.mgmt.sql",
        "EncryptionProtector",
        lambda: b.encryption_protector("sql-app", server_key_type="ServiceManaged"),
    ),
    ("azure.mgmt.sql", "LogicalDatabaseTransparentDataEncryption", lambda: b.transparent_data_encryption("s", "db")),
    ("azure.mgmt.sql", "ServerBlobAuditingPolicy", lambda: b.server_auditing("sql-app")),
    ("azure.mgmt.sql", "FirewallRule", lambda: b.sql_firewall_rule("sql-app", "office", "203.0.113.1", "203.0.113.9")),
    ("azure.mgmt.network", "NetworkSecurityGroup", lambda: b.nsg("nsg", [b.security_rule("ssh", 100, source=["*"])])),
    ("azure.mgmt.network", "VirtualNetwork", lambda: b.vnet("vnet", [b.subnet("vnet", "snet", nsg_id="x")])),
    ("azure.mgmt.network", "Subnet", lambda: b.subnet("vnet", "snet", nsg_id="n", route_table_id="r")),
    ("azure.mgmt.network", "RouteTable", lambda: b.route_table("rt")),
    ("azure.mgmt.network", "PrivateEndpoint", lambda: b.private_endpoint("pe", STORAGE_ID, ["blob"])),
    ("azure.mgmt.network", "PrivateEndpoint", lambda: b.private_endpoint("pe", STORAGE_ID, ["blob"], manual=True)),
    ("azure.mgmt.network", "NetworkWatcher", b.network_watcher),
    ("azure.mgmt.network", "FlowLog", lambda: b.flow_log("fl", b.arm_id("Microsoft.Network/virtualNetworks", "v"))),
    (MONITOR, "DiagnosticSettingsResource", lambda: b.diagnostic_setting(STORAGE_ID, categories=("StorageRead",))),
    (MONITOR, "DiagnosticSettingsResource", lambda: b.diagnostic_setting(b.sub_id(), categories=("Administrative",))),
    ("azure.mgmt.loganalytics", "Workspace", lambda: b.log_analytics_workspace("law")),
    (RESOURCE, "Subscription", b.subscription),
    ("azure.mgmt.resource.resources", "ResourceGroup", b.resource_group),
    ("azure.mgmt.cognitiveservices", "Account", lambda: b.cognitive_account("oai")),
    ("azure.mgmt.cognitiveservices", "Deployment", lambda: b.deployment("oai", "gpt")),
    ("azure.mgmt.cognitiveservices", "RaiPolicy", lambda: b.rai_policy("oai")),
    ("azure.mgmt.web", "Site", lambda: b.web_app("app")),
    ("azure.mgmt.web", "SiteConfigResource", lambda: b.web_app_config("app")),
    ("azure.mgmt.compute", "Disk", lambda: b.managed_disk("disk")),
    ("azure.mgmt.compute", "Disk", lambda: b.managed_disk("disk", encryption_type="EncryptionAtRestWithPlatformKey")),
    ("azure.mgmt.authorization", "RoleAssignment", lambda: b.role_assignment("p", b.OWNER_ROLE)),
    ("azure.mgmt.authorization", "RoleDefinition", lambda: b.role_definition("admin", ["*"])),
]


@pytest.mark.parametrize(("package", "model", "build"), CASES, ids=[f"{m}-{i}" for i, (_, m, _) in enumerate(CASES)])
def test_builder_output_only_uses_fields_of_the_sdk_model(
    package: str, model: str, build: Callable[[], dict[str, Any]]
) -> None:
    models = importlib.import_module(f"{package}.models")
    cls = getattr(models, model)
    body = build()
    if hasattr(cls, "_attribute_map"):
        parsed = cls.deserialize(body)
        problems = msrest_unknown(cls, body, models, model)
    else:
        parsed = cls(body)
        problems = hybrid_unknown(parsed, body, model)
    assert problems == []
    assert parsed.id == body["id"]


def test_the_validator_catches_a_misspelled_key() -> None:
    from azure.mgmt.cognitiveservices import models as cs
    from azure.mgmt.storage import models as st

    body = b.storage_account("stapp", minimumTLSVersion="TLS1_2")
    assert hybrid_unknown(st.StorageAccount(body), body, "StorageAccount") == [
        "StorageAccount.properties.minimumTLSVersion"
    ]
    account = b.cognitive_account("oai", disableLocalAuthentication=True)
    assert msrest_unknown(cs.Account, account, cs, "Account") == ["Account.properties.disableLocalAuthentication"]


def test_absent_removes_a_property() -> None:
    assert "allowBlobPublicAccess" not in b.storage_account("stapp", allowBlobPublicAccess=b.ABSENT)["properties"]


def _strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []


ELSEWHERE: list[Callable[[str], dict[str, Any]]] = [
    lambda rg: b.storage_account("stapp", rg=rg),
    lambda rg: b.blob_service("stapp", rg=rg),
    lambda rg: b.blob_container("stapp", "data", rg=rg),
    lambda rg: b.key_vault("kv-app", rg=rg),
    lambda rg: b.vault_key("kv-app", "cmk", rg=rg),
    lambda rg: b.sql_server("sql-app", rg=rg),
    lambda rg: b.sql_database("sql-app", "db", rg=rg),
    lambda rg: b.encryption_protector("sql-app", rg=rg),
    lambda rg: b.transparent_data_encryption("sql-app", "db", rg=rg),
    lambda rg: b.server_auditing("sql-app", rg=rg),
    lambda rg: b.sql_firewall_rule("sql-app", "office", "203.0.113.1", "203.0.113.9", rg=rg),
    lambda rg: b.nsg("nsg", [b.security_rule("ssh", 100, nsg="nsg", rg=rg)], rg=rg),
    lambda rg: b.vnet("vnet", [b.subnet("vnet", "snet", rg=rg)], rg=rg),
    lambda rg: b.route_table("rt", rg=rg),
    lambda rg: b.private_endpoint("pe", b.arm_id("Microsoft.Storage/storageAccounts", "stapp", rg=rg), ["blob"], rg=rg),
    lambda rg: b.diagnostic_setting(b.rg_id(rg), storage="stlogs", destination_rg=rg),
    lambda rg: b.log_analytics_workspace("law", rg=rg),
    lambda rg: b.cognitive_account("oai", rg=rg),
    lambda rg: b.deployment("oai", "gpt", rg=rg),
    lambda rg: b.rai_policy("oai", rg=rg),
    lambda rg: b.web_app("app", rg=rg),
    lambda rg: b.web_app_config("app", rg=rg),
    lambda rg: b.managed_disk("disk", rg=rg),
    b.resource_group,
]


@pytest.mark.parametrize("build", ELSEWHERE, ids=range(len(ELSEWHERE)))
def test_rg_moves_every_id_of_a_body_into_that_resource_group(build: Callable[[str], dict[str, Any]]) -> None:
    body = build("rg-elsewhere")
    assert body["id"].startswith(b.rg_id("rg-elsewhere"))
    assert [s for s in _strings(body) if f"/resourceGroups/{b.RG}" in s] == []
