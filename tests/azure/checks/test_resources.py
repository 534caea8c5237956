"""Subscription-level checks (activity-log export, Owner count, managing tenants) and the Log
Analytics workspace retention, through the real scan path (fake ARM -> collect -> evaluate)."""

from __future__ import annotations

from typing import Any

from clearance.fakes import arm_builders as b
from clearance.fakes.arm import FakeArm

RESOURCES = ("resources",)
SUBSCRIPTION = "clearance-prod"
ACTIVITY = "azure-resources-subscription-activity-log-exported"
OWNERS = "azure-resources-subscription-owner-count"
TENANTS = "azure-resources-subscription-no-foreign-tenant-management"
ASSIGNMENTS = f"{b.sub_id()}/providers/Microsoft.Authorization/roleAssignments"


def activity_setting(name: str, **kw: Any) -> dict[str, Any]:
    return b.diagnostic_setting(b.sub_id(), name, **kw)


def test_activity_log_export_needs_administrative_security_and_policy(fake_arm: FakeArm, azure_scan: Any) -> None:
    fake_arm.put(b.sub_id(), b.subscription())
    fake_arm.add(activity_setting("partial", categories=("Administrative", "Security"), disabled=("Policy",)))
    assert azure_scan(checks=[ACTIVITY], services=RESOURCES).verdicts(ACTIVITY) == {SUBSCRIPTION: "FAIL"}
    fake_arm.add(activity_setting("to-law", categories=("Administrative", "Security", "Policy", "Alert")))
    assert azure_scan(checks=[ACTIVITY], services=RESOURCES).verdicts(ACTIVITY) == {SUBSCRIPTION: "PASS"}


def test_activity_log_setting_without_destination_or_none_at_all_fails(fake_arm: FakeArm, azure_scan: Any) -> None:
    fake_arm.put(b.sub_id(), b.subscription())
    finding = azure_scan(checks=[ACTIVITY], services=RESOURCES).finding(ACTIVITY, SUBSCRIPTION)
    assert finding["verdict"] == "FAIL" and finding["reason"].startswith("The activity log is not exported")
    fake_arm.add(activity_setting("nowhere", categories=("Administrative", "Security", "Policy"), workspace=None))
    assert azure_scan(checks=[ACTIVITY], services=RESOURCES).verdicts(ACTIVITY) == {SUBSCRIPTION: "FAIL"}


def test_denied_activity_log_settings_are_error(fake_arm: FakeArm, azure_scan: Any) -> None:
    fake_arm.put(b.sub_id(), b.subscription())
    fake_arm.fail("*/providers/microsoft.insights/diagnosticSettings", status=403)
    finding = azure_scan(checks=[ACTIVITY], services=RESOURCES).finding(ACTIVITY, SUBSCRIPTION)
    assert finding["verdict"] == "ERROR"
    assert finding["error"]["permission"] == "Microsoft.Insights/diagnosticSettings/read"


def owner(principal: str, scope: str | None = None) -> dict[str, Any]:
    return b.role_assignment(principal, b.OWNER_ROLE, scope=scope, principal_type="User")


def test_owner_count_counts_owners_at_the_subscription_only(fake_arm: FakeArm, azure_scan: Any) -> None:
    fake_arm.put(b.sub_id(), b.subscription())
    listed = [owner(f"user-{i}") for i in range(4)]
    listed.append(b.role_assignment("user-9", b.CONTRIBUTOR_ROLE))
    listed.append(owner("user-rg", scope=b.rg_id()))
    listed.append(owner("user-root", scope="/"))
    for item in listed:  # ARM lists inherited and narrower assignments for the subscription too
        fake_arm.put(f"{ASSIGNMENTS}/{item['name']}", item)
    assert azure_scan(checks=[OWNERS], services=RESOURCES).verdicts(OWNERS) == {SUBSCRIPTION: "PASS"}
    fake_arm.add(owner("user-5"))
    finding = azure_scan(checks=[OWNERS], services=RESOURCES).finding(OWNERS, SUBSCRIPTION)
    assert finding["verdict"] == "FAIL"
    assert "5 principal(s)" in finding["reason"]


def test_subscription_managed_by_another_tenant(fake_arm: FakeArm, azure_scan: Any) -> None:
    fake_arm.put(b.sub_id(), b.subscription())
    assert azure_scan(checks=[TENANTS], services=RESOURCES).verdicts(TENANTS) == {SUBSCRIPTION: "PASS"}
    fake_arm.put(b.sub_id(), b.subscription(managedByTenants=[{"tenantId": b.FOREIGN_TENANT}]))
    assert azure_scan(checks=[TENANTS], services=RESOURCES).verdicts(TENANTS) == {SUBSCRIPTION: "FAIL"}


def test_subscription_without_managed_by_tenants_field_is_error(fake_arm: FakeArm, azure_scan: Any) -> None:
    body = b.subscription()
    del body["managedByTenants"]
    fake_arm.put(b.sub_id(), body)
    assert azure_scan(checks=[TENANTS], services=RESOURCES).verdicts(TENANTS) == {SUBSCRIPTION: "ERROR"}


def test_log_analytics_retention_follows_the_data_class(arm: FakeArm, azure_scan: Any) -> None:
    arm.add(
        b.log_analytics_workspace("law-2y", retention_days=730),
        b.log_analytics_workspace("law-default", retention_days=30),
        b.log_analytics_workspace("law-1y", retention_days=365),
        b.log_analytics_workspace("law-1y-ids", retention_days=365, tags={"data-class": "unique-id"}),
    )
    check = "azure-monitor-log-analytics-workspace-retention"
    result = azure_scan(checks=[check], services=("monitor",))
    assert result.verdicts(check) == {
        "law-2y": "PASS",
        "law-default": "FAIL",
        "law-1y": "NEEDS_CONTEXT",
        "law-1y-ids": "FAIL",
    }


LOG_CMK = "azure-resources-subscription-activity-log-storage-cmk"
LOG_WORM = "azure-resources-subscription-activity-log-immutable"
LOG_STORE = ("resources", "storage")


def _activity_to_storage(fake_arm: FakeArm, **account: Any) -> None:
    fake_arm.put(b.sub_id(), b.subscription())
    fake_arm.add(activity_setting("to-storage", categories=("Administrative",), storage="stactivity"))
    fake_arm.add(b.storage_account("stactivity", **account))


def test_activity_log_storage_must_use_a_customer_managed_key(fake_arm: FakeArm, azure_scan: Any) -> None:
    _activity_to_storage(fake_arm)
    assert azure_scan(checks=[LOG_CMK], services=LOG_STORE).verdicts(LOG_CMK) == {SUBSCRIPTION: "PASS"}
    fake_arm.add(
        b.storage_account("stactivity", encryption={"keySource": "Microsoft.Storage", "keyvaultproperties": None})
    )
    finding = azure_scan(checks=[LOG_CMK], services=LOG_STORE).finding(LOG_CMK, SUBSCRIPTION)
    assert finding["verdict"] == "FAIL" and "Microsoft.Storage" in finding["reason"]


def test_activity_log_storage_checks_do_not_apply_without_storage_and_error_when_uncollected(
    fake_arm: FakeArm, azure_scan: Any
) -> None:
    fake_arm.put(b.sub_id(), b.subscription())
    fake_arm.add(activity_setting("to-law", categories=("Administrative",)))
    result = azure_scan(checks=[LOG_CMK, LOG_WORM], services=LOG_STORE)
    assert result.verdicts(LOG_CMK) == result.verdicts(LOG_WORM) == {SUBSCRIPTION: "NOT_APPLICABLE"}
    fake_arm.add(activity_setting("to-storage", categories=("Administrative",), storage="stelsewhere"))
    result = azure_scan(checks=[LOG_CMK, LOG_WORM], services=LOG_STORE)
    assert result.verdicts(LOG_CMK) == result.verdicts(LOG_WORM) == {SUBSCRIPTION: "ERROR"}


def test_activity_log_storage_must_be_locked_immutable(fake_arm: FakeArm, azure_scan: Any) -> None:
    _activity_to_storage(fake_arm)
    unlocked = {
        "immutabilityPolicy": {"properties": {"immutabilityPeriodSinceCreationInDays": 730, "state": "Unlocked"}}
    }
    fake_arm.add(b.blob_container("stactivity", "insights-activity-logs", **unlocked))
    assert azure_scan(checks=[LOG_WORM], services=LOG_STORE).verdicts(LOG_WORM) == {SUBSCRIPTION: "FAIL"}
    locked = {"immutabilityPolicy": {"properties": {"immutabilityPeriodSinceCreationInDays": 730, "state": "Locked"}}}
    fake_arm.add(b.blob_container("stactivity", "insights-activity-logs", **locked))
    assert azure_scan(checks=[LOG_WORM], services=LOG_STORE).verdicts(LOG_WORM) == {SUBSCRIPTION: "PASS"}


def test_account_level_locked_immutability_counts(fake_arm: FakeArm, azure_scan: Any) -> None:
    worm = {"enabled": True, "immutabilityPolicy": {"immutabilityPeriodSinceCreationInDays": 730, "state": "Locked"}}
    _activity_to_storage(fake_arm, immutableStorageWithVersioning=worm)
    assert azure_scan(checks=[LOG_WORM], services=LOG_STORE).verdicts(LOG_WORM) == {SUBSCRIPTION: "PASS"}
