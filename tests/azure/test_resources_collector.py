"""Subscription record (activity-log export, role assignments) and resource groups."""

from __future__ import annotations

from typing import Any

from clearance.fakes import arm_builders as b
from clearance.fakes.arm import FakeArm
from clearance.inventory import TypeStatus

SUBSCRIPTION = "azure.resources.subscription"
RESOURCE_GROUP = "azure.resources.resource-group"


def test_subscription_record_carries_activity_log_export_and_assignments(fake_arm: FakeArm, azure_collect: Any) -> None:
    owner = b.role_assignment("0a1b2c3d-0000-4000-8000-000000000001", b.OWNER_ROLE)
    inherited = b.role_assignment(
        "0a1b2c3d-0000-4000-8000-000000000002",
        b.OWNER_ROLE,
        scope="/providers/Microsoft.Management/managementGroups/mg-fin",
    )
    fake_arm.add(b.subscription(), b.diagnostic_setting(b.sub_id(), categories=("Administrative", "Security")))
    fake_arm.put(f"{b.sub_id()}/providers/Microsoft.Authorization/roleAssignments/{owner['name']}", owner)
    fake_arm.put(f"{b.sub_id()}/providers/Microsoft.Authorization/roleAssignments/{inherited['name']}", inherited)

    got = azure_collect(services=("resources",))

    sub = got.record(SUBSCRIPTION, "clearance-prod")
    assert (sub["id"], sub["region"], sub["account"]) == (b.sub_id(), "global", b.SUB)
    assert sub["data"]["Subscriptions_Get"]["state"] == "Enabled"
    export = sub["data"]["SubscriptionDiagnosticSettings_List"][0]["properties"]
    assert [entry["category"] for entry in export["logs"]] == ["Administrative", "Security"]
    assert sub["links"]["workspaces"] == [b.arm_id("Microsoft.OperationalInsights/workspaces", "law-security")]
    scopes = sorted(a["properties"]["scope"] for a in sub["data"]["RoleAssignments_ListForSubscription"])
    assert scopes == ["/providers/Microsoft.Management/managementGroups/mg-fin", b.sub_id()]
    assert [(x.region, x.listed) for x in got.listings(SUBSCRIPTION)] == [("global", 1)]


def test_resource_groups_with_odd_names_and_tags(fake_arm: FakeArm, azure_collect: Any) -> None:
    names = ["rg-prod(eu).01_data", "rg-ünïcode", "rg with space"]
    fake_arm.page_size = 2
    fake_arm.add(b.subscription())
    for i, name in enumerate(names):
        fake_arm.put(b.rg_id(name), {"location": "Korea Central", "tags": {"n": str(i)}, "properties": {}})

    got = azure_collect(services=("resources",))

    groups = got.records(RESOURCE_GROUP)
    assert sorted(groups) == sorted(names)
    assert {g["region"] for g in groups.values()} == {"koreacentral"}  # "Korea Central" normalised
    assert groups["rg with space"]["tags"] == {"n": "2"}
    assert groups["rg with space"]["data"]["ResourceGroups_List"]["location"] == "Korea Central"  # raw kept


def test_denied_activity_log_settings_are_an_error_on_the_subscription(fake_arm: FakeArm, azure_collect: Any) -> None:
    fake_arm.add(b.subscription())
    fake_arm.fail(f"/subscriptions/{b.SUB}/providers/microsoft.insights/diagnosticsettings")

    sub = azure_collect(services=("resources",)).record(SUBSCRIPTION, "clearance-prod")

    error = sub["errors"]["SubscriptionDiagnosticSettings_List"]
    assert (error["denied"], error["permission"]) == (True, "Microsoft.Insights/diagnosticSettings/read")


def test_denied_resource_group_listing(fake_arm: FakeArm, azure_collect: Any) -> None:
    fake_arm.add(b.subscription())
    fake_arm.fail(f"/subscriptions/{b.SUB}/resourcegroups")

    (listing,) = azure_collect(services=("resources",)).listings(RESOURCE_GROUP)

    assert listing.status is TypeStatus.FAILED and listing.error is not None
    assert listing.error.permission == "Microsoft.Resources/subscriptions/resourceGroups/read"
