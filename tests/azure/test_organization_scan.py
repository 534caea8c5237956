"""A management group's subscriptions: one that cannot be read is not evaluated, and the others are scanned."""

from __future__ import annotations

from typing import Any

from clearance.fakes import arm_builders as b
from clearance.fakes.arm import FakeArm

MG = "/providers/Microsoft.Management/managementGroups"
BROKEN = "11111111-2222-4333-8444-555555555555"
CMK = "azure-storage-account-cmk-encryption"


def _descendant(sub: str) -> dict[str, Any]:
    return {
        "id": f"/subscriptions/{sub}",
        "name": sub,
        "type": "Microsoft.Management/managementGroups/subscriptions",
        "properties": {},
    }


def test_a_failing_subscription_under_a_management_group_is_not_evaluated_and_the_rest_is_scanned(
    fake_arm: FakeArm, azure_scan: Any
) -> None:
    fake_arm.add(b.subscription(), b.subscription(BROKEN, name="clearance-broken"))
    fake_arm.add(b.storage_account("stledger"), b.blob_service("stledger"))
    for sub in (b.SUB, BROKEN):
        fake_arm.put(f"{MG}/mg-bank/descendants/{sub}", _descendant(sub))
    fake_arm.fail(f"/subscriptions/{BROKEN}/*")  # e.g. the role assignment is missing in that subscription

    got = azure_scan(checks=[CMK], subscriptions=(), management_groups=("mg-bank",), services=("storage",))

    assert got.verdicts(CMK) == {"stledger": "PASS"}
    broken = [c for c in got.coverage if c["account"] == BROKEN]
    assert broken and all(c["status"] == "not_evaluated" for c in broken)
    assert all(c["error"]["denied"] and c["error"]["permission"].startswith("Microsoft.Storage/") for c in broken)
    assert {c["status"] for c in got.coverage if c["account"] == b.SUB} == {"evaluated"}
