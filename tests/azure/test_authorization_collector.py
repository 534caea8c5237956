"""Role assignments and custom role definitions."""

from __future__ import annotations

from typing import Any

from clearance.fakes import arm_builders as b
from clearance.fakes.arm import FakeArm
from clearance.inventory import TypeStatus

ASSIGNMENT = "azure.authorization.role-assignment"
DEFINITION = "azure.authorization.role-definition"


def _put_assignment(fake: FakeArm, body: dict[str, Any]) -> None:
    fake.put(f"{b.sub_id()}/providers/Microsoft.Authorization/roleAssignments/{body['name']}", body)


def test_assignments_and_custom_roles(fake_arm: FakeArm, azure_collect: Any) -> None:
    custom = b.role_definition("ops-admin", ["*"])
    foreign = b.role_assignment("7c6b5a49-0000-4000-8000-000000000003", custom["name"], principal_type="ForeignGroup")
    fake_arm.add(b.subscription(), custom)
    _put_assignment(fake_arm, foreign)

    got = azure_collect(services=("authorization", "resources"))

    assignment = got.record(ASSIGNMENT, foreign["name"])
    assert assignment["data"]["RoleAssignments_ListForSubscription"]["properties"]["principalType"] == "ForeignGroup"
    assert assignment["region"] == "global"
    assert assignment["links"]["role_definition"] == [custom["id"]]
    role = got.record(DEFINITION, custom["name"])
    assert role["data"]["RoleDefinitions_List"]["properties"]["permissions"][0]["actions"] == ["*"]
    # Only custom roles are requested; built-in ones are Microsoft's.
    (call,) = fake_arm.calls("/providers/Microsoft.Authorization/roleDefinitions")
    assert call.query["$filter"] == "type eq 'CustomRole'"
    sub = got.record("azure.resources.subscription", "clearance-prod")
    assert sub["links"]["role_assignments"] == [assignment["id"]]
    assert sub["links"]["custom_roles"] == [role["id"]]


def test_denied_role_assignments(fake_arm: FakeArm, azure_collect: Any) -> None:
    fake_arm.add(b.subscription())
    fake_arm.fail("*/providers/microsoft.authorization/roleassignments")

    got = azure_collect(services=("authorization",))

    (listing,) = got.listings(ASSIGNMENT)
    assert (listing.region, listing.status) == ("*", TypeStatus.FAILED)
    assert listing.error is not None and listing.error.permission == "Microsoft.Authorization/roleAssignments/read"
    assert [x.status for x in got.listings(DEFINITION)] == [TypeStatus.LISTED]
