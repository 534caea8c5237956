"""Key Vault collector (vaults and their keys through ARM) over real HTTP against the fake ARM server."""

from __future__ import annotations

from typing import Any

from clearance.fakes import arm_builders as b
from clearance.fakes.arm import FakeArm
from clearance.inventory import TypeStatus

VAULT = "azure.keyvault.vault"
KEY = "azure.keyvault.key"


def test_vault_and_keys_with_rotation_policy(fake_arm: FakeArm, azure_collect: Any) -> None:
    vault = b.key_vault("kv-clearance")
    fake_arm.add(b.subscription(), vault, b.vault_key("kv-clearance", "storage-cmk"), b.vault_key("kv-clearance", "k2"))
    fake_arm.add(b.diagnostic_setting(vault["id"], categories=("AuditEvent",)))

    got = azure_collect(services=("keyvault",))

    kv = got.record(VAULT, "kv-clearance")
    assert kv["data"]["Vaults_ListBySubscription"]["properties"]["enablePurgeProtection"] is True
    assert kv["data"]["DiagnosticSettings_List"][0]["properties"]["logs"][0]["category"] == "AuditEvent"
    assert "Keys_List" not in kv["data"]  # the list answer lives on the keys
    key = got.record(KEY, "storage-cmk")
    assert key["data"]["Keys_Get"]["properties"]["rotationPolicy"]["lifetimeActions"][0]["action"]["type"] == "rotate"
    assert key["data"]["Keys_Get"]["properties"]["attributes"]["exp"] == 1803949964
    assert key["data"]["Keys_List"]["id"] == key["id"]
    assert key["links"]["vault"] == [kv["id"]]
    assert "keys" not in kv["links"]  # a shared vault must not pull every key into a workload's scope
    assert key["tags"] == {}  # the vault has no tags to inherit
    assert [(x.region, x.listed) for x in got.listings(KEY)] == [("koreacentral", 2)]


def test_denied_key_listing_fails_the_key_type_in_that_region(fake_arm: FakeArm, azure_collect: Any) -> None:
    fake_arm.add(b.subscription(), b.key_vault("kv-clearance"), b.vault_key("kv-clearance", "k1"))
    fake_arm.fail("*/vaults/kv-clearance/keys")

    got = azure_collect(services=("keyvault",))

    kv = got.record(VAULT, "kv-clearance")
    assert kv["errors"]["Keys_List"]["permission"] == "Microsoft.KeyVault/vaults/keys/read"
    (listing,) = got.listings(KEY)
    assert (listing.region, listing.status) == ("koreacentral", TypeStatus.FAILED)
    assert got.records(KEY) == {}


def test_denied_vault_listing_fails_vaults_and_keys(fake_arm: FakeArm, azure_collect: Any) -> None:
    fake_arm.add(b.subscription(), b.key_vault("kv-clearance"))
    fake_arm.fail("*/providers/microsoft.keyvault/vaults")

    got = azure_collect(services=("keyvault",))

    for rtype in (VAULT, KEY):
        (listing,) = got.listings(rtype)
        assert listing.status is TypeStatus.FAILED and listing.error is not None
        assert listing.error.permission == "Microsoft.KeyVault/vaults/read"


def test_storage_cmk_link_resolves_to_the_collected_key(fake_arm: FakeArm, azure_collect: Any) -> None:
    fake_arm.add(
        b.subscription(),
        b.storage_account("stcrm"),
        b.key_vault("kv-clearance"),
        b.vault_key("kv-clearance", "storage-cmk"),
    )

    got = azure_collect(services=("keyvault", "storage"))

    key = got.record(KEY, "storage-cmk")
    assert got.record("azure.storage.account", "stcrm")["links"]["key_vault_key"] == [key["id"]]
