"""IAM collector on moto: one authorization-details listing, per-user MFA/keys/report row, denied calls."""

from __future__ import annotations

import json
from typing import Any

from clearance.providers.aws.collectors.iam import IamCollector

from ..checks.test_iam import ALLOW_ALL, assume, iam, role
from ..conftest import ACCOUNT
from ..fakes import deny
from .test_ec2_collector import calls, records

IAM = f"arn:aws:iam::{ACCOUNT}"
MFA = "aws-iam-user-console-mfa"
KEY_AGE = "aws-iam-user-access-keys-rotated"


def test_users_roles_groups_and_policies_from_one_listing(aws: Any, scan: Any) -> None:
    policy = iam().create_policy(PolicyName="ops", PolicyDocument=json.dumps(ALLOW_ALL))["Policy"]["Arn"]
    iam().create_group(GroupName="ops")
    iam().attach_group_policy(GroupName="ops", PolicyArn=policy)
    for name in ("alice", "bob"):
        iam().create_user(UserName=name, Tags=[{"Key": "team", "Value": "ops"}])
    iam().add_user_to_group(GroupName="ops", UserName="alice")
    iam().attach_user_policy(UserName="alice", PolicyArn=policy)
    key = iam().create_access_key(UserName="alice")["AccessKey"]["AccessKeyId"]
    role("deployer", assume({"Service": "codebuild.amazonaws.com"}))
    out = scan(checks=[MFA], services=("iam",)).out
    found = records(out)
    alice = found[f"{IAM}:user/alice"]
    assert alice["region"] == "global" and alice["tags"] == {"team": "ops"}
    assert set(alice["data"]) == {
        "GetAccountAuthorizationDetails",
        "ListMFADevices",
        "ListAccessKeys",
        "GetCredentialReport",
    }
    assert alice["links"]["groups"] == [f"{IAM}:group/ops"] and alice["links"]["policies"] == [policy]
    assert [k["AccessKeyId"] for k in alice["data"]["ListAccessKeys"]["AccessKeyMetadata"]] == [key]
    report = alice["data"]["GetCredentialReport"]
    assert [row["user"] for row in report["Rows"]] == ["alice"] and "GeneratedTime" in report
    assert found[f"{IAM}:group/ops"]["links"]["policies"] == [policy]
    assert found[f"{IAM}:role/deployer"]["data"]["GetAccountAuthorizationDetails"]["AssumeRolePolicyDocument"]
    assert found[policy]["type"] == "aws.iam.policy" and found[policy]["name"] == "ops"
    assert len(calls(out, "GetAccountAuthorizationDetails")) == 1
    assert len(calls(out, "ListMFADevices")) == 2


def test_denied_credential_report_makes_user_checks_error_naming_the_permission(aws: Any, scan: Any) -> None:
    iam().create_user(UserName="alice")
    with deny("iam", "GetCredentialReport"):
        result = scan(checks=[MFA, KEY_AGE], services=("iam",))
    for check in (MFA, KEY_AGE):
        finding = result.finding(check, "alice")
        assert finding["verdict"] == "ERROR", check
        assert finding["error"]["permission"] == "iam:GetCredentialReport"


def test_denied_mfa_listing_is_error_not_fail(aws: Any, scan: Any) -> None:
    iam().create_user(UserName="alice")
    iam().create_login_profile(UserName="alice", Password="Fixture-Passw0rd!")
    with deny("iam", "ListMFADevices"):
        finding = scan(checks=[MFA], services=("iam",)).finding(MFA, "alice")
    assert finding["verdict"] == "ERROR" and finding["error"]["permission"] == "iam:ListMFADevices"


def test_denied_authorization_details_leave_every_iam_type_not_evaluated(aws: Any, scan: Any) -> None:
    iam().create_user(UserName="alice")
    checks = [MFA, "aws-iam-role-inline-no-full-admin", "aws-iam-group-inline-no-full-admin"]
    with deny("iam", "GetAccountAuthorizationDetails"):
        result = scan(checks=[*checks, "aws-iam-policy-no-full-admin"], services=("iam",))
    assert result.findings == []
    assert len(result.coverage) == 4
    for entry in result.coverage:
        assert entry["status"] == "not_evaluated"
        assert entry["error"]["permission"] == "iam:GetAccountAuthorizationDetails"


def test_declared_operations_are_the_exact_iam_actions() -> None:
    assert {(op.name, op.permission) for op in IamCollector.operations} == {
        ("GetAccountAuthorizationDetails", "iam:GetAccountAuthorizationDetails"),
        ("ListMFADevices", "iam:ListMFADevices"),
        ("ListAccessKeys", "iam:ListAccessKeys"),
        ("GetCredentialReport", "iam:GetCredentialReport"),
        ("GenerateCredentialReport", "iam:GenerateCredentialReport"),
    }
