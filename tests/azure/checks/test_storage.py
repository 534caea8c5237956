"""Storage account checks through the real scan path (fake ARM over HTTP -> collect -> evaluate)."""

from __future__ import annotations

from typing import Any

from clearance.fakes import arm_builders as b
from clearance.fakes.arm import FakeArm

STORAGE = ("storage",)


def account(fake: FakeArm, name: str, *containers: dict[str, Any], **props: Any) -> dict[str, Any]:
    """A storage account with its blob service and ``containers``, served by the fake."""
    body = b.storage_account(name, **props)
    fake.add(body, b.blob_service(name), *containers)
    return body


def blob_logging(name: str, **kw: Any) -> dict[str, Any]:
    return b.diagnostic_setting(f"{b.arm_id('Microsoft.Storage/storageAccounts', name)}/blobServices/default", **kw)


def test_cmk_passes_and_microsoft_managed_key_fails(arm: FakeArm, azure_scan: Any) -> None:
    account(arm, "stcmk")
    account(arm, "stmsft", encryption={"keySource": "Microsoft.Storage", "services": {"blob": {"enabled": True}}})
    result = azure_scan(checks=["azure-storage-account-cmk-encryption"], services=STORAGE)
    assert result.verdicts("azure-storage-account-cmk-encryption") == {"stcmk": "PASS", "stmsft": "FAIL"}
    assert "'Microsoft.Storage'" in result.finding("azure-storage-account-cmk-encryption", "stmsft")["reason"]


def test_https_only_and_minimum_tls(arm: FakeArm, azure_scan: Any) -> None:
    account(arm, "stgood")
    account(arm, "sthttp", supportsHttpsTrafficOnly=False)
    account(arm, "sttls10", minimumTlsVersion="TLS1_0")
    account(arm, "stnotls", minimumTlsVersion=b.ABSENT)
    result = azure_scan(checks=["azure-storage-account-https-only", "azure-storage-account-min-tls"], services=STORAGE)
    assert result.verdicts("azure-storage-account-https-only") == {
        "stgood": "PASS",
        "sthttp": "FAIL",
        "sttls10": "PASS",
        "stnotls": "PASS",
    }
    assert result.verdicts("azure-storage-account-min-tls") == {
        "stgood": "PASS",
        "sthttp": "PASS",
        "sttls10": "FAIL",
        "stnotls": "ERROR",  # not reported: never assumed safe
    }


def test_public_access_setting_and_effective_exposure_are_distinct_findings(arm: FakeArm, azure_scan: Any) -> None:
    # Setting allows public access, and a container uses it: both findings fail.
    account(arm, "stexposed", b.blob_container("stexposed", "web", public_access="Blob"), allowBlobPublicAccess=True)
    # Setting allows it but no container is public: setting FAIL, exposure PASS.
    account(arm, "stlatent", b.blob_container("stlatent", "data"), allowBlobPublicAccess=True)
    # A container asks for public access but the account forbids it: setting PASS, exposure PASS.
    account(arm, "stblocked", b.blob_container("stblocked", "web", public_access="Container"))
    # Property never set on an old account: anonymous access is allowed.
    account(
        arm,
        "stunset",
        b.blob_container("stunset", "pub", public_access="Container"),
        allowBlobPublicAccess=b.ABSENT,
    )
    checks = ["azure-storage-account-blob-public-access-disabled", "azure-storage-account-no-public-containers"]
    result = azure_scan(checks=checks, services=STORAGE)
    assert result.verdicts(checks[0]) == {
        "stexposed": "FAIL",
        "stlatent": "FAIL",
        "stblocked": "PASS",
        "stunset": "FAIL",
    }
    assert result.verdicts(checks[1]) == {
        "stexposed": "FAIL",
        "stlatent": "PASS",
        "stblocked": "PASS",
        "stunset": "FAIL",
    }
    exposed = result.finding(checks[1], "stexposed")
    assert exposed["reason"].startswith("A container is publicly readable")
    assert "'Blob'" in exposed["reason"]


def test_file_storage_accounts_have_no_blob_service(arm: FakeArm, azure_scan: Any) -> None:
    arm.add(b.storage_account("stfiles", kind="FileStorage", allowBlobPublicAccess=True))
    checks = ["azure-storage-account-no-public-containers", "azure-storage-account-blob-access-logging"]
    result = azure_scan(checks=checks, services=STORAGE)
    assert [result.finding(c, "stfiles")["verdict"] for c in checks] == ["NOT_APPLICABLE", "NOT_APPLICABLE"]


def test_denied_container_listing_is_error_not_pass(arm: FakeArm, azure_scan: Any) -> None:
    account(arm, "stdenied", allowBlobPublicAccess=True)
    arm.fail("*/storageAccounts/stdenied/blobServices/default/containers", status=403)
    finding = azure_scan(checks=["azure-storage-account-no-public-containers"], services=STORAGE).finding(
        "azure-storage-account-no-public-containers", "stdenied"
    )
    assert finding["verdict"] == "ERROR"
    assert finding["error"]["permission"] == "Microsoft.Storage/storageAccounts/blobServices/containers/read"


def test_network_restriction_shared_key_and_cross_tenant(arm: FakeArm, azure_scan: Any) -> None:
    open_acls = {"bypass": "AzureServices", "defaultAction": "Allow", "ipRules": [], "virtualNetworkRules": []}
    account(arm, "stlocked")
    account(arm, "stfirewalled", publicNetworkAccess="Enabled")  # default action Deny
    account(arm, "stopen", publicNetworkAccess="Enabled", networkAcls=open_acls, allowSharedKeyAccess=True)
    account(
        arm,
        "stlegacy",
        publicNetworkAccess=b.ABSENT,
        networkAcls=open_acls,
        allowSharedKeyAccess=b.ABSENT,
        allowCrossTenantReplication=b.ABSENT,
    )
    account(arm, "stxtenant", allowCrossTenantReplication=True)
    checks = [
        "azure-storage-account-network-restricted",
        "azure-storage-account-shared-key-disabled",
        "azure-storage-account-no-cross-tenant-replication",
    ]
    result = azure_scan(checks=checks, services=STORAGE)
    assert result.verdicts(checks[0]) == {
        "stlocked": "PASS",
        "stfirewalled": "PASS",
        "stopen": "FAIL",
        "stlegacy": "FAIL",
        "stxtenant": "PASS",
    }
    assert result.verdicts(checks[1]) == {
        "stlocked": "PASS",
        "stfirewalled": "PASS",
        "stopen": "FAIL",
        "stlegacy": "FAIL",  # unset means Shared Key is allowed
        "stxtenant": "PASS",
    }
    assert result.verdicts(checks[2]) == {
        "stlocked": "PASS",
        "stfirewalled": "PASS",
        "stopen": "PASS",
        "stlegacy": "FAIL",
        "stxtenant": "FAIL",
    }


def test_private_endpoint_must_be_approved(arm: FakeArm, azure_scan: Any) -> None:
    acct_id = b.arm_id("Microsoft.Storage/storageAccounts", "stpending")
    account(arm, "stprivate")
    account(arm, "stpending", privateEndpointConnections=[b.private_endpoint_connection(acct_id, "pe-x", "Pending")])
    account(arm, "stnone", privateEndpointConnections=[])
    result = azure_scan(checks=["azure-storage-account-private-endpoint"], services=STORAGE)
    assert result.verdicts("azure-storage-account-private-endpoint") == {
        "stprivate": "PASS",
        "stpending": "FAIL",
        "stnone": "FAIL",
    }


def test_data_residency_by_region_and_data_class(arm: FakeArm, azure_scan: Any) -> None:
    account(arm, "stkrcredit", tags={"data-class": "personal-credit"})
    account(arm, "stuscredit", location="eastus", tags={"data-class": "personal-credit"})
    account(arm, "stuspublic", location="eastus", tags={"data-class": "public"})
    account(arm, "stkrunknown", location="koreasouth")
    account(arm, "stusunknown", location="westeurope")
    result = azure_scan(checks=["azure-storage-account-data-residency"], services=STORAGE)
    assert result.verdicts("azure-storage-account-data-residency") == {
        "stkrcredit": "PASS",
        "stuscredit": "FAIL",
        "stuspublic": "NOT_APPLICABLE",
        "stkrunknown": "PASS",
        "stusunknown": "NEEDS_CONTEXT",
    }


def test_blob_access_logging_needs_read_write_and_delete(arm: FakeArm, azure_scan: Any) -> None:
    all_three = ("StorageRead", "StorageWrite", "StorageDelete")
    account(arm, "stlogged")
    arm.add(blob_logging("stlogged", categories=all_three))
    account(arm, "stgroup")
    arm.add(blob_logging("stgroup", category_groups=("allLogs",)))
    account(arm, "stwriteonly")
    arm.add(blob_logging("stwriteonly", categories=("StorageWrite", "StorageDelete"), disabled=("StorageRead",)))
    account(arm, "stnowhere")
    arm.add(blob_logging("stnowhere", categories=all_three, workspace=None))
    account(arm, "stnolog")
    result = azure_scan(checks=["azure-storage-account-blob-access-logging"], services=STORAGE)
    assert result.verdicts("azure-storage-account-blob-access-logging") == {
        "stlogged": "PASS",
        "stgroup": "PASS",
        "stwriteonly": "FAIL",
        "stnowhere": "FAIL",
        "stnolog": "FAIL",
    }
    assert "StorageRead logged" in result.finding("azure-storage-account-blob-access-logging", "stwriteonly")["reason"]
