"""Key Vault and key checks through the real scan path (fake ARM over HTTP -> collect -> evaluate)."""

from __future__ import annotations

from typing import Any

from clearance.fakes import arm_builders as b
from clearance.fakes.arm import FakeArm

KEYVAULT = ("keyvault",)


def vault_id(name: str) -> str:
    return b.arm_id("Microsoft.KeyVault/vaults", name)


def test_purge_protection_soft_delete_and_rbac(arm: FakeArm, azure_scan: Any) -> None:
    arm.add(
        b.key_vault("kv-hardened"),
        b.key_vault("kv-nopurge", enablePurgeProtection=b.ABSENT),
        b.key_vault("kv-nosoft", enableSoftDelete=False, enablePurgeProtection=False),
        b.key_vault("kv-policies", enableRbacAuthorization=b.ABSENT, accessPolicies=[]),
        b.key_vault("kv-unknownsoft", enableSoftDelete=b.ABSENT),
    )
    checks = [
        "azure-keyvault-vault-purge-protection",
        "azure-keyvault-vault-soft-delete",
        "azure-keyvault-vault-rbac-authorization",
    ]
    result = azure_scan(checks=checks, services=KEYVAULT)
    assert result.verdicts(checks[0]) == {
        "kv-hardened": "PASS",
        "kv-nopurge": "FAIL",  # ARM omits the property until it is enabled
        "kv-nosoft": "FAIL",
        "kv-policies": "PASS",
        "kv-unknownsoft": "PASS",
    }
    assert result.verdicts(checks[1]) == {
        "kv-hardened": "PASS",
        "kv-nopurge": "PASS",
        "kv-nosoft": "FAIL",
        "kv-policies": "PASS",
        "kv-unknownsoft": "ERROR",  # not reported: never assumed
    }
    assert result.verdicts(checks[2]) == {
        "kv-hardened": "PASS",
        "kv-nopurge": "PASS",
        "kv-nosoft": "PASS",
        "kv-policies": "FAIL",
        "kv-unknownsoft": "PASS",
    }


def test_private_access_needs_disabled_public_access_or_default_deny_with_approved_endpoint(
    arm: FakeArm, azure_scan: Any
) -> None:
    pending = b.private_endpoint_connection(
        vault_id("kv-pending"), "pe-x", "Pending", actions_key="actionsRequired", named=False
    )
    open_acls = {"bypass": "AzureServices", "defaultAction": "Allow", "ipRules": [], "virtualNetworkRules": []}
    arm.add(
        b.key_vault("kv-private"),
        b.key_vault("kv-endpoint", publicNetworkAccess="Enabled"),  # default deny + approved endpoint
        b.key_vault("kv-pending", publicNetworkAccess="Enabled", privateEndpointConnections=[pending]),
        b.key_vault("kv-open", publicNetworkAccess="Enabled", networkAcls=open_acls),
    )
    result = azure_scan(checks=["azure-keyvault-vault-private-access"], services=KEYVAULT)
    assert result.verdicts("azure-keyvault-vault-private-access") == {
        "kv-private": "PASS",
        "kv-endpoint": "PASS",
        "kv-pending": "FAIL",
        "kv-open": "FAIL",
    }


def test_audit_logging_needs_audit_events_sent_somewhere(arm: FakeArm, azure_scan: Any) -> None:
    for name in ("kv-audited", "kv-group", "kv-metrics-only", "kv-silent"):
        arm.add(b.key_vault(name))
    arm.add(
        b.diagnostic_setting(vault_id("kv-audited"), categories=("AuditEvent",)),
        b.diagnostic_setting(vault_id("kv-group"), category_groups=("audit",), workspace=None, storage="stlogs"),
        b.diagnostic_setting(vault_id("kv-metrics-only"), disabled=("AuditEvent",)),
    )
    result = azure_scan(checks=["azure-keyvault-vault-audit-logging"], services=KEYVAULT)
    assert result.verdicts("azure-keyvault-vault-audit-logging") == {
        "kv-audited": "PASS",
        "kv-group": "PASS",
        "kv-metrics-only": "FAIL",
        "kv-silent": "FAIL",
    }


def test_key_rotation_policy_within_the_profile_period(arm: FakeArm, azure_scan: Any) -> None:
    arm.add(
        b.key_vault("kv-keys"),
        b.vault_key("kv-keys", "cmk-90d"),
        b.vault_key("kv-keys", "cmk-2y", rotationPolicy=b.rotation_policy("P2Y", expiry="P3Y")),
        b.vault_key("kv-keys", "cmk-before-expiry", rotationPolicy=b.rotation_policy(None, "P30D", "P1Y")),
        b.vault_key("kv-keys", "cmk-notify", rotationPolicy=b.rotation_policy(None, "P30D", action="notify")),
        b.vault_key("kv-keys", "cmk-nopolicy", rotationPolicy=b.ABSENT),
    )
    result = azure_scan(checks=["azure-keyvault-key-rotation-policy"], services=KEYVAULT)
    assert result.verdicts("azure-keyvault-key-rotation-policy") == {
        "cmk-90d": "PASS",
        "cmk-2y": "FAIL",
        "cmk-before-expiry": "PASS",
        "cmk-notify": "FAIL",
        "cmk-nopolicy": "FAIL",  # ARM returns no rotationPolicy when none is set
    }
    assert "730 days" in result.finding("azure-keyvault-key-rotation-policy", "cmk-2y")["reason"]
    assert "no rotation policy" in result.finding("azure-keyvault-key-rotation-policy", "cmk-nopolicy")["reason"]


def test_key_rotation_with_an_explicit_null_policy_fails(arm: FakeArm, azure_scan: Any) -> None:
    arm.add(b.key_vault("kv-keys"), b.vault_key("kv-keys", "cmk-null", rotationPolicy=None))
    finding = azure_scan(checks=["azure-keyvault-key-rotation-policy"], services=KEYVAULT).finding(
        "azure-keyvault-key-rotation-policy", "cmk-null"
    )
    assert finding["verdict"] == "FAIL"
    assert "no rotation policy" in finding["reason"]


def test_key_expiry_must_be_set(arm: FakeArm, azure_scan: Any) -> None:
    arm.add(
        b.key_vault("kv-keys"),
        b.vault_key("kv-keys", "cmk-expiring"),
        b.vault_key("kv-keys", "cmk-forever", expires=None),
    )
    result = azure_scan(checks=["azure-keyvault-key-expiry-set"], services=KEYVAULT)
    assert result.verdicts("azure-keyvault-key-expiry-set") == {"cmk-expiring": "PASS", "cmk-forever": "FAIL"}


def test_denied_key_read_is_error_naming_the_permission(arm: FakeArm, azure_scan: Any) -> None:
    arm.add(b.key_vault("kv-keys"), b.vault_key("kv-keys", "cmk"))
    arm.fail("*/vaults/kv-keys/keys/cmk", status=403)
    finding = azure_scan(checks=["azure-keyvault-key-expiry-set"], services=KEYVAULT).finding(
        "azure-keyvault-key-expiry-set", "cmk"
    )
    assert finding["verdict"] == "ERROR"
    assert finding["error"]["permission"] == "Microsoft.KeyVault/vaults/keys/read"
