"""Custom role definitions and role assignments through the real scan path (fake ARM -> collect -> evaluate)."""

from __future__ import annotations

from typing import Any

from clearance.fakes import arm_builders as b
from clearance.fakes.arm import FakeArm

AUTH = ("authorization",)
ADMIN = "azure-authorization-role-definition-no-subscription-admin"
FOREIGN = "azure-authorization-role-assignment-no-foreign-principal"


def test_custom_roles_granting_everything_at_subscription_scope(arm: FakeArm, azure_scan: Any) -> None:
    rg_scope = b.rg_id()
    arm.add(
        b.role_definition("sub-admin", ["*"], guid="11111111-1111-4111-8111-111111111111"),
        b.role_definition("root-admin", ["*"], assignable_scopes=["/"], guid="22222222-2222-4222-8222-222222222222"),
        b.role_definition("rg-admin", ["*"], assignable_scopes=[rg_scope], guid="33333333-3333-4333-8333-333333333333"),
        b.role_definition(
            "vm-operator",
            ["Microsoft.Compute/virtualMachines/start/action", "Microsoft.Compute/virtualMachines/read"],
            guid="44444444-4444-4444-8444-444444444444",
        ),
        b.role_definition(
            "admin-minus-auth",
            ["*"],
            not_actions=["Microsoft.Authorization/*/write"],
            guid="55555555-5555-4555-8555-555555555555",
        ),
    )
    result = azure_scan(checks=[ADMIN], services=AUTH)
    assert result.verdicts(ADMIN) == {
        "11111111-1111-4111-8111-111111111111": "FAIL",
        "22222222-2222-4222-8222-222222222222": "FAIL",
        "33333333-3333-4333-8333-333333333333": "PASS",
        "44444444-4444-4444-8444-444444444444": "PASS",
        "55555555-5555-4555-8555-555555555555": "FAIL",
    }
    assert "'sub-admin'" in result.finding(ADMIN, "11111111-1111-4111-8111-111111111111")["reason"]


def test_foreign_principals_in_role_assignments(arm: FakeArm, azure_scan: Any) -> None:
    member = b.role_assignment("7c0d1e2f-0000-4000-8000-000000000001", principal_type="User")
    app = b.role_assignment(
        "7c0d1e2f-0000-4000-8000-000000000002", b.CONTRIBUTOR_ROLE, principal_type="ServicePrincipal"
    )
    foreign = b.role_assignment("7c0d1e2f-0000-4000-8000-000000000003", principal_type="ForeignGroup")
    delegated = b.role_assignment(
        "7c0d1e2f-0000-4000-8000-000000000004",
        principal_type="ServicePrincipal",
        delegatedManagedIdentityResourceId=b.arm_id("Microsoft.ManagedIdentity/userAssignedIdentities", "id-partner"),
    )
    arm.add(member, app, foreign, delegated)
    result = azure_scan(checks=[FOREIGN], services=AUTH)
    assert result.verdicts(FOREIGN) == {
        member["name"]: "PASS",
        app["name"]: "PASS",
        foreign["name"]: "FAIL",
        delegated["name"]: "FAIL",
    }
    assert "'ForeignGroup'" in result.finding(FOREIGN, foreign["name"])["reason"]
