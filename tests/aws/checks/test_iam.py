"""IAM checks (ISO-06 trust, ISO-08 least privilege and credential hygiene, ISO-09 MFA, AI-06) on moto."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from ..conftest import ACCOUNT
from .test_account import REPORT_COLUMNS, credential_report

TRUST = "aws-iam-role-trust-no-external-principals"
POLICY_ADMIN = "aws-iam-policy-no-full-admin"
USER_ADMIN = "aws-iam-user-no-admin-policies"
ROLE_INLINE = "aws-iam-role-inline-no-full-admin"
GROUP_INLINE = "aws-iam-group-inline-no-full-admin"
KEY_AGE = "aws-iam-user-access-keys-rotated"
UNUSED = "aws-iam-user-credentials-unused"
MFA = "aws-iam-user-console-mfa"
USER_BEDROCK = "aws-iam-user-no-bedrock-full-access"
ROLE_BEDROCK = "aws-iam-role-no-bedrock-full-access"

ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
READ_BUCKET = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::ledger/*"}],
}


def aws_policy(name: str) -> str:
    return f"arn:aws:iam::aws:policy/{name}"


@pytest.fixture
def managed_policies(aws: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """moto's IAM with AWS-managed policies (AdministratorAccess...), loaded when IAM is first used."""
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")


def iam() -> Any:
    return boto3.client("iam")


def role(name: str, *statements: dict[str, Any]) -> None:
    trust = {"Version": "2012-10-17", "Statement": list(statements)}
    iam().create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))


def assume(principal: Any, **condition: Any) -> dict[str, Any]:
    stmt: dict[str, Any] = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
    if condition:
        stmt["Condition"] = condition
    return stmt


# -- ISO-06 trust policies ---------------------------------------------------------------------------


def test_trust_policies_admitting_other_accounts_or_anyone_fail(aws: Any, scan: Any) -> None:
    vendor = "arn:aws:iam::999999999999:role/vendor-scanner"
    role("own-account", assume({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}))
    role("service", assume({"Service": "ec2.amazonaws.com"}))
    role(
        "federated",
        {**assume({"Federated": f"arn:aws:iam::{ACCOUNT}:saml-provider/corp"}), "Action": "sts:AssumeRoleWithSAML"},
    )
    role("org-confined", assume("*", StringEquals={"aws:PrincipalOrgID": "o-abc123"}))
    role("vendor", assume({"AWS": vendor}, StringEquals={"sts:ExternalId": "contract-42"}))
    role("anyone", assume({"AWS": "*"}))
    role("everyone-but-us", assume("*", StringNotEquals={"aws:PrincipalAccount": ACCOUNT}))
    role("other-account-by-condition", assume("*", StringEquals={"aws:PrincipalAccount": "888888888888"}))
    result = scan(checks=[TRUST], services=("iam",))
    assert result.verdicts(TRUST) == {
        "own-account": "PASS",
        "service": "PASS",
        "federated": "PASS",
        "org-confined": "PASS",
        "vendor": "FAIL",
        "anyone": "FAIL",
        "everyone-but-us": "FAIL",
        "other-account-by-condition": "FAIL",
    }
    assert vendor in result.finding(TRUST, "vendor")["reason"]
    assert "888888888888" in result.finding(TRUST, "other-account-by-condition")["reason"]


# -- ISO-08 administrator policies -------------------------------------------------------------------


def test_customer_policy_whose_default_version_grants_everything_fails(aws: Any, scan: Any) -> None:
    admin = iam().create_policy(PolicyName="admin-now", PolicyDocument=json.dumps(READ_BUCKET))["Policy"]["Arn"]
    iam().create_policy_version(PolicyArn=admin, PolicyDocument=json.dumps(ALLOW_ALL), SetAsDefault=True)
    former = iam().create_policy(PolicyName="admin-before", PolicyDocument=json.dumps(ALLOW_ALL))["Policy"]["Arn"]
    iam().create_policy_version(PolicyArn=former, PolicyDocument=json.dumps(READ_BUCKET), SetAsDefault=True)
    result = scan(checks=[POLICY_ADMIN], services=("iam",))
    assert result.verdicts(POLICY_ADMIN) == {"admin-now": "FAIL", "admin-before": "PASS"}
    assert "'v2'" in result.finding(POLICY_ADMIN, "admin-now")["reason"]


def test_user_with_administrator_access_or_inline_admin_fails(managed_policies: None, scan: Any) -> None:
    for name in ("direct-admin", "inline-admin", "reader"):
        iam().create_user(UserName=name)
    iam().attach_user_policy(UserName="direct-admin", PolicyArn=aws_policy("AdministratorAccess"))
    iam().put_user_policy(UserName="inline-admin", PolicyName="everything", PolicyDocument=json.dumps(ALLOW_ALL))
    iam().attach_user_policy(UserName="reader", PolicyArn=aws_policy("ReadOnlyAccess"))
    iam().put_user_policy(UserName="reader", PolicyName="bucket", PolicyDocument=json.dumps(READ_BUCKET))
    result = scan(checks=[USER_ADMIN], services=("iam",))
    assert result.verdicts(USER_ADMIN) == {"direct-admin": "FAIL", "inline-admin": "FAIL", "reader": "PASS"}
    assert "'everything'" in result.finding(USER_ADMIN, "inline-admin")["reason"]


def test_inline_admin_policies_on_roles_and_groups_fail(aws: Any, scan: Any) -> None:
    service = assume({"Service": "lambda.amazonaws.com"})
    role("break-glass", service)
    role("app", service)
    iam().put_role_policy(RoleName="break-glass", PolicyName="all", PolicyDocument=json.dumps(ALLOW_ALL))
    iam().put_role_policy(RoleName="app", PolicyName="bucket", PolicyDocument=json.dumps(READ_BUCKET))
    iam().create_group(GroupName="admins")
    iam().create_group(GroupName="readers")
    iam().put_group_policy(GroupName="admins", PolicyName="all", PolicyDocument=json.dumps(ALLOW_ALL))
    result = scan(checks=[ROLE_INLINE, GROUP_INLINE], services=("iam",))
    assert result.verdicts(ROLE_INLINE) == {"break-glass": "FAIL", "app": "PASS"}
    assert result.verdicts(GROUP_INLINE) == {"admins": "FAIL", "readers": "PASS"}


# -- AI-06 ---------------------------------------------------------------------------------------------


def test_bedrock_full_access_on_users_groups_and_roles_fails(managed_policies: None, scan: Any) -> None:
    full = aws_policy("AmazonBedrockFullAccess")
    for name in ("ml-direct", "ml-member", "analyst"):
        iam().create_user(UserName=name)
    iam().attach_user_policy(UserName="ml-direct", PolicyArn=full)
    iam().create_group(GroupName="ml")
    iam().attach_group_policy(GroupName="ml", PolicyArn=full)
    iam().add_user_to_group(GroupName="ml", UserName="ml-member")
    iam().create_group(GroupName="analysts")
    iam().add_user_to_group(GroupName="analysts", UserName="analyst")
    iam().attach_user_policy(UserName="analyst", PolicyArn=aws_policy("AmazonBedrockReadOnly"))
    service = assume({"Service": "lambda.amazonaws.com"})
    role("chatbot", service)
    role("reports", service)
    iam().attach_role_policy(RoleName="chatbot", PolicyArn=full)
    result = scan(checks=[USER_BEDROCK, ROLE_BEDROCK], services=("iam",))
    assert result.verdicts(USER_BEDROCK) == {"ml-direct": "FAIL", "ml-member": "FAIL", "analyst": "PASS"}
    assert result.verdicts(ROLE_BEDROCK) == {"chatbot": "FAIL", "reports": "PASS"}
    assert "group/ml" in result.finding(USER_BEDROCK, "ml-member")["reason"]


# -- ISO-09 console MFA --------------------------------------------------------------------------------


def test_console_users_need_an_mfa_device(aws: Any, scan: Any) -> None:
    for name in ("with-mfa", "password-only", "api-only"):
        iam().create_user(UserName=name)
    for name in ("with-mfa", "password-only"):
        iam().create_login_profile(UserName=name, Password="Fixture-Passw0rd!")
    device = iam().create_virtual_mfa_device(VirtualMFADeviceName="with-mfa")["VirtualMFADevice"]["SerialNumber"]
    iam().enable_mfa_device(
        UserName="with-mfa", SerialNumber=device, AuthenticationCode1="123456", AuthenticationCode2="654321"
    )
    result = scan(checks=[MFA], services=("iam",))
    assert result.verdicts(MFA) == {"with-mfa": "PASS", "password-only": "FAIL", "api-only": "NOT_APPLICABLE"}


# -- ISO-08 credential hygiene, from the credential report ---------------------------------------------


def report_row(user: str, **cells: str) -> str:
    """A credential-report CSV row for moto user ``user``: no password, no keys unless ``cells`` say so."""
    row = dict.fromkeys(REPORT_COLUMNS.split(","), "N/A")
    row.update(
        user=user,
        arn=f"arn:aws:iam::{ACCOUNT}:user/{user}",
        user_creation_time="2024-01-01T00:00:00+00:00",
        password_enabled="false",
        mfa_active="false",
        access_key_1_active="false",
        access_key_2_active="false",
        cert_1_active="false",
        cert_2_active="false",
    )
    row.update(cells)
    return ",".join(row.values())


def test_access_key_age_and_unused_credentials_count_back_from_the_report(aws: Any, scan: Any) -> None:
    for name in ("fresh", "stale-key", "dormant-console", "new-console", "not-in-report"):
        iam().create_user(UserName=name)
    rows = (
        report_row(  # key rotated 54 days and used 4 days before the report (2026-11-24)
            "fresh",
            access_key_1_active="true",
            access_key_1_last_rotated="2026-10-01T00:00:00+00:00",
            access_key_1_last_used_date="2026-11-20T00:00:00+00:00",
        ),
        report_row(  # active key from 2025, never used
            "stale-key", access_key_1_active="true", access_key_1_last_rotated="2025-01-01T00:00:00+00:00"
        ),
        report_row(  # console password last used 84 days before; an old key that is inactive
            "dormant-console",
            password_enabled="true",
            password_last_used="2026-09-01T00:00:00+00:00",
            password_last_changed="2024-01-01T00:00:00+00:00",
            access_key_2_active="false",
            access_key_2_last_rotated="2020-01-01T00:00:00+00:00",
        ),
        report_row(  # password set 4 days before the report and not used yet
            "new-console",
            password_enabled="true",
            password_last_used="no_information",
            password_last_changed="2026-11-20T00:00:00+00:00",
        ),
    )
    with credential_report(*rows):
        result = scan(checks=[KEY_AGE, UNUSED], services=("iam",))
    assert result.verdicts(KEY_AGE) == {
        "fresh": "PASS",
        "stale-key": "FAIL",
        "dormant-console": "PASS",
        "new-console": "PASS",
        "not-in-report": "ERROR",
    }
    assert result.verdicts(UNUSED) == {
        "fresh": "PASS",
        "stale-key": "FAIL",
        "dormant-console": "FAIL",
        "new-console": "PASS",
        "not-in-report": "ERROR",
    }
    assert "2025-01-01" in result.finding(KEY_AGE, "stale-key")["reason"]
    assert "Console password was last used 2026-09-01" in result.finding(UNUSED, "dormant-console")["reason"]
