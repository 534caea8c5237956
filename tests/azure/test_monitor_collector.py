"""Log Analytics workspaces."""

from __future__ import annotations

from typing import Any

from clearance.fakes import arm_builders as b
from clearance.fakes.arm import FakeArm
from clearance.fakes.arm_client import EmulatorCredential
from clearance.inventory import TypeStatus

WORKSPACE = "azure.monitor.log-analytics-workspace"


def test_workspace_retention_is_kept_raw(fake_arm: FakeArm, azure_collect: Any) -> None:
    fake_arm.add(b.subscription(), b.log_analytics_workspace("law-security", retention_days=90))

    got = azure_collect(services=("monitor",))

    law = got.record(WORKSPACE, "law-security")
    assert law["data"]["Workspaces_List"]["properties"]["retentionInDays"] == 90
    assert law["service"] == "monitor"
    call = fake_arm.calls("/providers/Microsoft.OperationalInsights/workspaces")[0]
    assert call.headers["authorization"] == f"Bearer {EmulatorCredential.token}"


def test_denied_workspaces(fake_arm: FakeArm, azure_collect: Any) -> None:
    fake_arm.add(b.subscription())
    fake_arm.fail("*/microsoft.operationalinsights/workspaces")

    (listing,) = azure_collect(services=("monitor",)).listings(WORKSPACE)

    assert listing.status is TypeStatus.FAILED and listing.error is not None
    assert listing.error.permission == "Microsoft.OperationalInsights/workspaces/read"
