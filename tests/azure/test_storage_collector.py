"""Storage collector over real HTTP against the fake ARM server."""

from __future__ import annotations

from typing import Any

from clearance.fakes import arm_builders as b
from clearance.fakes.arm import FakeArm
from clearance.inventory import TypeStatus

ACCOUNT = "azure.storage.account"


def _seed(fake: FakeArm, *accounts: dict[str, Any]) -> None:
    fake.add(b.subscription(), *accounts)


def test_account_keeps_raw_arm_json_and_blob_details(fake_arm: FakeArm, azure_collect: Any) -> None:
    acct = b.storage_account("stcrm", tags={"workload": "crm"}, futureField={"nested": 1})
    acct_id = acct["id"]
    blob = {"id": f"{acct_id}/blobServices/default", "name": "default", "properties": {"isVersioningEnabled": True}}
    _seed(fake_arm, acct, blob, b.blob_container("stcrm", "docs", public_access="Container"))
    fake_arm.add(b.diagnostic_setting(f"{acct_id}/blobServices/default", categories=("StorageRead",)))

    got = azure_collect().record(ACCOUNT, "stcrm")

    assert got["id"] == acct_id and got["region"] == "koreacentral" and got["tags"] == {"workload": "crm"}
    listed = got["data"]["StorageAccounts_List"]
    assert listed["properties"]["encryption"]["keySource"] == "Microsoft.Keyvault"  # ARM camelCase, as received
    assert listed["properties"]["futureField"] == {"nested": 1}  # unknown fields survive (no SDK model round trip)
    assert got["data"]["BlobServices_GetServiceProperties"]["properties"] == {"isVersioningEnabled": True}
    assert [c["properties"]["publicAccess"] for c in got["data"]["BlobContainers_List"]] == ["Container"]
    setting = got["data"]["BlobDiagnosticSettings_List"][0]
    assert setting["properties"]["logs"][0]["category"] == "StorageRead"
    assert got["links"]["resource_group"] == [b.rg_id()]
    assert got["links"]["private_endpoints"] == [b.arm_id("Microsoft.Network/privateEndpoints", "pe-stcrm")]
    assert got["links"]["workspaces"] == [b.arm_id("Microsoft.OperationalInsights/workspaces", "law-security")]
    # The key is not collected here: the link keeps the key URI the account names.
    assert got["links"]["key_vault_key"] == ["https://kv-clearance.vault.azure.net/keys/storage-cmk"]
    assert got["errors"] == {}


def test_lists_are_paged_through_next_link_on_the_fake_host(fake_arm: FakeArm, azure_collect: Any) -> None:
    fake_arm.page_size = 2
    _seed(fake_arm, *(b.storage_account(f"st{i}") for i in range(5)))

    got = azure_collect(services=("storage",))

    assert sorted(got.records(ACCOUNT)) == [f"st{i}" for i in range(5)]
    pages = [r for r in fake_arm.calls("/providers/Microsoft.Storage/storageAccounts") if r.path.endswith("Accounts")]
    assert len(pages) == 3
    assert [("$skiptoken" in r.query) for r in pages] == [False, True, True]
    assert {r.query["api-version"] for r in pages} == {"2026-09-01"}  # pinned SDK: notice API-version changes
    assert [(x.region, x.status, x.listed) for x in got.listings(ACCOUNT)] == [("koreacentral", TypeStatus.LISTED, 5)]


def test_odd_long_ids_reach_diagnostic_settings(fake_arm: FakeArm, azure_collect: Any) -> None:
    rg = "rg-prod(eu).01_data ünïcode with space"
    name = "st" + "x" * 22
    acct = b.storage_account(name)
    acct["id"] = b.arm_id("Microsoft.Storage/storageAccounts", name, rg=rg)
    _seed(fake_arm, acct)
    # ARM answers with the insights namespace in lower case; matching is case-insensitive.
    fake_arm.add(b.diagnostic_setting(f"{acct['id']}/blobServices/default", categories=("StorageWrite",)))

    got = azure_collect(services=("storage",)).record(ACCOUNT, name)

    assert got["data"]["BlobDiagnosticSettings_List"][0]["properties"]["logs"][0]["category"] == "StorageWrite"
    diag = fake_arm.calls("/diagnosticSettings")[0]
    assert rg in diag.path and len(diag.path) > 200


def test_file_storage_accounts_have_no_blob_calls(fake_arm: FakeArm, azure_collect: Any) -> None:
    acct = b.storage_account("stfiles")
    acct["kind"] = "FileStorage"
    _seed(fake_arm, acct)

    got = azure_collect(services=("storage",)).record(ACCOUNT, "stfiles")

    assert set(got["data"]) == {"StorageAccounts_List"}
    assert not fake_arm.calls("/blobServices")


def test_denied_list_is_a_failed_listing_naming_the_rbac_action(fake_arm: FakeArm, azure_collect: Any) -> None:
    _seed(fake_arm, b.storage_account("stcrm"))
    fake_arm.fail("*/providers/microsoft.storage/storageaccounts")

    got = azure_collect(services=("storage",))

    assert got.records(ACCOUNT) == {}
    (listing,) = got.listings(ACCOUNT)
    assert listing.status is TypeStatus.FAILED and listing.region == "*"
    assert listing.error is not None
    assert (listing.error.code, listing.error.denied) == ("AuthorizationFailed", True)
    assert listing.error.permission == "Microsoft.Storage/storageAccounts/read"


def test_denied_detail_call_is_an_error_on_the_resource(fake_arm: FakeArm, azure_collect: Any) -> None:
    _seed(fake_arm, b.storage_account("stcrm"))
    fake_arm.fail("*/blobservices/default/containers")

    got = azure_collect(services=("storage",)).record(ACCOUNT, "stcrm")

    error = got["errors"]["BlobContainers_List"]
    assert error["denied"] is True
    assert error["permission"] == "Microsoft.Storage/storageAccounts/blobServices/containers/read"
    assert "BlobContainers_List" not in got["data"]


def test_customer_key_without_uri_is_not_linked_as_no_key(fake_arm: FakeArm, azure_collect: Any) -> None:
    acct = b.storage_account("stcrm")
    acct["properties"]["encryption"]["keyvaultproperties"] = {}
    _seed(fake_arm, acct)

    got = azure_collect(services=("storage",)).record(ACCOUNT, "stcrm")

    assert "key_vault_key" not in got["links"]
