"""An organization's projects: one that cannot be read is not evaluated, and the others are scanned."""

from __future__ import annotations

from typing import Any

from clearance.fakes import gcp_builders as b
from clearance.fakes.gcp import FakeGcp

ORG = f"organizations/{b.ORG_ID}"
BROKEN = "clearance-broken"
AUDIT = "gcp-resourcemanager-project-audit-logs-all-services"


def test_a_failing_project_under_an_organization_is_not_evaluated_and_the_rest_is_scanned(
    fake_gcp: FakeGcp, gcp_scan: Any
) -> None:
    fake_gcp.add_folder({"name": "folders/11", "parent": ORG, "displayName": "retail", "state": "ACTIVE"})
    fake_gcp.add_project(b.project(BROKEN, number="222222222222", parent="folders/11"))
    fake_gcp.fail(f"*/projects/{BROKEN}*")  # e.g. the scanner's role is not granted on that project

    got = gcp_scan(checks=[AUDIT], projects=(), management_groups=(ORG,), services=("resourcemanager",))

    assert set(got.verdicts(AUDIT)) == {b.PROJECT}
    broken = [c for c in got.coverage if c["account"] == BROKEN]
    assert broken and all(c["status"] == "not_evaluated" for c in broken)
    assert all(c["error"]["denied"] and c["error"]["permission"].startswith("resourcemanager.") for c in broken)
    assert {c["status"] for c in got.coverage if c["account"] == b.PROJECT} == {"evaluated"}
