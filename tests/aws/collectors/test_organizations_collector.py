"""Organizations collector on moto: organization record, policies, absence, denied calls."""

from __future__ import annotations

from typing import Any

from clearance.providers.aws.collectors.organizations import OrganizationsCollector

from ..checks.test_organizations import LOCKED_OPT_OUT, opt_out_policy, organization
from ..conftest import ACCOUNT
from ..fakes import deny
from .test_ec2_collector import calls, records

CHECK = "aws-organizations-all-features"


def test_organization_record_links_its_opt_out_and_service_control_policies(aws: Any, scan: Any) -> None:
    org_id = organization()
    opt_out_policy(LOCKED_OPT_OUT)
    found = records(scan(checks=[CHECK], services=("organizations",)).out)
    [org] = [r for r in found.values() if r["type"] == "aws.organizations.organization"]
    assert org["name"] == org_id and org["region"] == "global"
    assert set(org["data"]) == {"DescribeOrganization", "ListRoots", "ListPolicies"}
    [ai_arn] = org["links"]["ai_opt_out_policies"]
    [scp_arn] = org["links"]["service_control_policies"]
    assert [p["Arn"] for p in org["data"]["ListPolicies"]["Policies"]] == [ai_arn]
    ai = found[ai_arn]
    assert ai["type"] == "aws.organizations.policy"
    assert set(ai["data"]) == {"ListPolicies", "DescribePolicy", "ListTargetsForPolicy"}
    assert '"optOut"' in ai["data"]["DescribePolicy"]["Policy"]["Content"]
    assert [t["Type"] for t in ai["data"]["ListTargetsForPolicy"]["Targets"]] == ["ROOT"]
    assert found[scp_arn]["name"] == "FullAWSAccess"


def test_account_outside_any_organization_is_recorded_as_not_configured(aws: Any, scan: Any) -> None:
    out = scan(checks=[CHECK], services=("organizations",)).out
    [org] = records(out).values()
    assert org["id"] == f"arn:aws:organizations::{ACCOUNT}:organization/none"
    assert org["absent"] == {"DescribeOrganization": "AWSOrganizationsNotInUseException"}
    assert calls(out, "ListPolicies") == []


def test_denied_describe_organization_leaves_the_checks_not_evaluated(aws: Any, scan: Any) -> None:
    organization()
    with deny("organizations", "DescribeOrganization"):
        result = scan(checks=[CHECK], services=("organizations",))
    assert result.findings == []
    [entry] = result.coverage
    assert entry["status"] == "not_evaluated"
    assert entry["error"]["permission"] == "organizations:DescribeOrganization"


def test_declared_operations_are_the_exact_read_only_organizations_actions() -> None:
    assert {(op.name, op.permission) for op in OrganizationsCollector.operations} == {
        ("DescribeOrganization", "organizations:DescribeOrganization"),
        ("ListRoots", "organizations:ListRoots"),
        ("ListPolicies", "organizations:ListPolicies"),
        ("DescribePolicy", "organizations:DescribePolicy"),
        ("ListTargetsForPolicy", "organizations:ListTargetsForPolicy"),
    }
