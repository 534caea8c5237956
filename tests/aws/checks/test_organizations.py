"""Organizations checks (ISO-06 all features, AI-05 AI services opt-out) on moto."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from ..fakes import deny

ALL_FEATURES = "aws-organizations-all-features"
OPT_OUT = "aws-organizations-ai-opt-out-policy"
AI_POLICY = "AISERVICES_OPT_OUT_POLICY"
LOCKED_OPT_OUT = {
    "services": {
        "default": {"opt_out_policy": {"@@assign": "optOut", "@@operators_allowed_for_child_policies": ["@@none"]}}
    }
}


def org() -> Any:
    return boto3.client("organizations", region_name="us-east-1")


def organization(feature_set: str = "ALL") -> str:
    """Create the organization; return its id (the resource name findings report)."""
    return str(org().create_organization(FeatureSet=feature_set)["Organization"]["Id"])


def opt_out_policy(content: dict[str, Any], *, attach: bool = True, enable: bool = True) -> None:
    root = org().list_roots()["Roots"][0]["Id"]
    if enable:
        org().enable_policy_type(RootId=root, PolicyType=AI_POLICY)
    policy = org().create_policy(Name="ai-opt-out", Description="fixture", Type=AI_POLICY, Content=json.dumps(content))
    if attach:
        org().attach_policy(PolicyId=policy["Policy"]["PolicySummary"]["Id"], TargetId=root)


def verdict(scan: Any, check: str, name: str) -> dict[str, Any]:
    result = scan(checks=[check], services=("organizations",))
    finding: dict[str, Any] = result.finding(check, name)
    return finding


def test_all_features_pass_and_no_organization_fails(aws: Any, scan: Any) -> None:
    outside = verdict(scan, ALL_FEATURES, "no organization")
    assert outside["verdict"] == "FAIL" and "AWSOrganizationsNotInUseException" in outside["reason"]
    org_id = organization()
    assert verdict(scan, ALL_FEATURES, org_id)["verdict"] == "PASS"


def test_consolidated_billing_only_fails(aws: Any, scan: Any) -> None:
    org_id = organization("CONSOLIDATED_BILLING")
    assert verdict(scan, ALL_FEATURES, org_id)["verdict"] == "FAIL"


def test_locked_opt_out_policy_on_the_root_passes(aws: Any, scan: Any) -> None:
    org_id = organization()
    opt_out_policy(LOCKED_OPT_OUT)
    finding = verdict(scan, OPT_OUT, org_id)
    assert finding["verdict"] == "PASS", finding["reason"]


@pytest.mark.parametrize(
    ("content", "options", "reason"),
    [
        ({"services": {"default": {"opt_out_policy": {"@@assign": "optOut"}}}}, {}, "child policies may change"),
        (
            {
                "services": {
                    **LOCKED_OPT_OUT["services"],
                    "rekognition": {"opt_out_policy": {"@@assign": "optIn"}},
                }
            },
            {},
            "'rekognition' assigns 'optIn'",
        ),
        (LOCKED_OPT_OUT, {"attach": False}, "policy targets"),
        (LOCKED_OPT_OUT, {"enable": False}, "enabled on the root"),
    ],
    ids=["children-may-opt-in", "one-service-opted-in", "not-attached", "type-disabled"],
)
def test_opt_out_policy_that_does_not_bind_every_service_fails(
    aws: Any, scan: Any, content: dict[str, Any], options: dict[str, bool], reason: str
) -> None:
    org_id = organization()
    opt_out_policy(content, **options)
    finding = verdict(scan, OPT_OUT, org_id)
    assert finding["verdict"] == "FAIL"
    assert reason in finding["reason"]


def test_no_opt_out_policy_or_no_organization_fails(aws: Any, scan: Any) -> None:
    assert verdict(scan, OPT_OUT, "no organization")["verdict"] == "FAIL"
    org_id = organization()
    org().enable_policy_type(RootId=org().list_roots()["Roots"][0]["Id"], PolicyType=AI_POLICY)
    finding = verdict(scan, OPT_OUT, org_id)
    assert finding["verdict"] == "FAIL" and "AI services opt-out policies in the organization" in finding["reason"]


def test_member_account_refused_the_policies_is_error_naming_the_permission(aws: Any, scan: Any) -> None:
    org_id = organization()
    opt_out_policy(LOCKED_OPT_OUT)
    with deny("organizations", "ListRoots"), deny("organizations", "ListPolicies"):
        finding = verdict(scan, OPT_OUT, org_id)
    assert finding["verdict"] == "ERROR"
    assert finding["error"]["permission"] in ("organizations:ListRoots", "organizations:ListPolicies")
