"""Account-level checks (root user, password policy, account S3 block) through the real scan path."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import pytest

from ..conftest import ACCOUNT
from ..fakes import deny, intercept

IAM_XMLNS = "https://iam.amazonaws.com/doc/2010-05-08/"
REPORT_COLUMNS = (
    "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
    "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
    "access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
    "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
    "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,"
    "cert_2_active,cert_2_last_rotated"
)
GENERATED = "2026-11-24T00:00:00Z"
ROOT_RECENT = "aws-account-root-not-recently-used"


def verdict(scan: Any, check: str) -> str:
    return str(scan(checks=[check], services=("account",)).finding(check, ACCOUNT)["verdict"])


def _xml(operation: str, result: str) -> tuple[int, bytes, dict[str, str]]:
    body = (
        f'<{operation}Response xmlns="{IAM_XMLNS}"><{operation}Result>{result}</{operation}Result>'
        f"<ResponseMetadata><RequestId>fixture</RequestId></ResponseMetadata></{operation}Response>"
    )
    return 200, body.encode(), {"content-type": "text/xml"}


@contextmanager
def account_summary(**entries: int) -> Iterator[list[Any]]:
    """GetAccountSummary answering the given SummaryMap entries, as IAM's query API does."""
    items = "".join(f"<entry><key>{k}</key><value>{v}</value></entry>" for k, v in entries.items())
    answer = _xml("GetAccountSummary", f"<SummaryMap>{items}</SummaryMap>")
    with intercept("iam", "GetAccountSummary", lambda _request: answer) as seen:
        yield seen


def root_row(password_last_used: str, key_1_last_used: str = "N/A", key_2_last_used: str = "N/A") -> str:
    return (
        f"<root_account>,arn:aws:iam::{ACCOUNT}:root,2019-03-01T09:00:00+00:00,not_supported,"
        f"{password_last_used},not_supported,not_supported,true,false,N/A,{key_1_last_used},N/A,N/A,"
        f"false,N/A,{key_2_last_used},N/A,N/A,false,N/A,false,N/A"
    )


@contextmanager
def credential_report(*rows: str) -> Iterator[list[Any]]:
    """GetCredentialReport answering a CSV report with ``rows`` (base64 in XML, as IAM sends it)."""
    content = base64.b64encode("\n".join((REPORT_COLUMNS, *rows)).encode()).decode()
    answer = _xml(
        "GetCredentialReport",
        f"<Content>{content}</Content><ReportFormat>text/csv</ReportFormat><GeneratedTime>{GENERATED}</GeneratedTime>",
    )
    with intercept("iam", "GetCredentialReport", lambda _request: answer) as seen:
        yield seen


# -- ISO-09 root user -------------------------------------------------------------------------------


def test_root_mfa(aws: Any, scan: Any) -> None:
    assert verdict(scan, "aws-account-root-mfa-enabled") == "FAIL"  # moto's summary: AccountMFAEnabled 0
    with account_summary(AccountMFAEnabled=1, AccountAccessKeysPresent=0, Users=3):
        assert verdict(scan, "aws-account-root-mfa-enabled") == "PASS"


def test_root_access_keys(aws: Any, scan: Any) -> None:
    assert verdict(scan, "aws-account-root-no-access-keys") == "PASS"  # moto's summary: AccountAccessKeysPresent 0
    with account_summary(AccountMFAEnabled=1, AccountAccessKeysPresent=1):
        assert verdict(scan, "aws-account-root-no-access-keys") == "FAIL"


def test_root_checks_error_when_the_summary_lacks_the_field(aws: Any, scan: Any) -> None:
    with account_summary(Users=3):
        finding = scan(checks=["aws-account-root-mfa-enabled"], services=("account",)).finding(
            "aws-account-root-mfa-enabled", ACCOUNT
        )
    assert finding["verdict"] == "ERROR"
    assert "AccountMFAEnabled is absent" in finding["reason"]


def test_account_summary_denied_leaves_account_checks_not_evaluated(aws: Any, scan: Any) -> None:
    with deny("iam", "GetAccountSummary"):
        result = scan(checks=["aws-account-root-mfa-enabled"], services=("account",))
    assert result.findings == []
    (entry,) = result.coverage
    assert entry["status"] == "not_evaluated" and entry["error"]["permission"] == "iam:GetAccountSummary"


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (root_row("2026-11-20T08:15:00+00:00"), "FAIL"),  # console sign-in 4 days before the report
        (root_row("no_information", key_1_last_used="2026-10-01T00:00:00+00:00"), "FAIL"),
        (root_row("2026-05-01T08:15:00+00:00"), "PASS"),  # 207 days before the report
        (root_row("no_information"), "PASS"),
        (root_row("last tuesday"), "ERROR"),
    ],
)
def test_root_recent_use_from_the_credential_report(aws: Any, scan: Any, row: str, expected: str) -> None:
    user = "alice,arn:aws:iam::123456789012:user/alice,2024-01-01T00:00:00+00:00,true,2026-11-23T00:00:00+00:00,"
    user += "2024-01-01T00:00:00+00:00,N/A,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A"
    with credential_report(row, user):
        finding = scan(checks=[ROOT_RECENT], services=("account",)).finding(ROOT_RECENT, ACCOUNT)
    assert finding["verdict"] == expected, finding["reason"]
    assert any(o["path"].endswith("password_last_used") for o in finding["observed"])


def test_root_recent_use_without_a_root_row_is_error_not_pass(aws: Any, scan: Any) -> None:
    finding = scan(checks=[ROOT_RECENT], services=("account",)).finding(ROOT_RECENT, ACCOUNT)
    assert finding["verdict"] == "ERROR"  # moto's credential report has no <root_account> row
    assert "absent" in finding["reason"]


# -- password policy --------------------------------------------------------------------------------


def test_password_minimum_length(aws: Any, scan: Any) -> None:
    check = "aws-account-password-min-length"
    finding = scan(checks=[check], services=("account",)).finding(check, ACCOUNT)
    assert finding["verdict"] == "FAIL" and "NoSuchEntity" in finding["reason"]
    iam = boto3.client("iam")
    iam.update_account_password_policy(MinimumPasswordLength=8)
    assert verdict(scan, check) == "FAIL"
    iam.update_account_password_policy(MinimumPasswordLength=14)
    assert verdict(scan, check) == "PASS"


def test_password_policy_denied_is_error_naming_the_permission(aws: Any, scan: Any) -> None:
    with deny("iam", "GetAccountPasswordPolicy"):
        finding = scan(checks=["aws-account-password-min-length"], services=("account",)).finding(
            "aws-account-password-min-length", ACCOUNT
        )
    assert finding["verdict"] == "ERROR"
    assert finding["error"]["permission"] == "iam:GetAccountPasswordPolicy"


# -- ISO-02 account-level S3 block -------------------------------------------------------------------


def test_account_public_access_block(aws: Any, scan: Any) -> None:
    check = "aws-account-s3-public-access-block"
    finding = scan(checks=[check], services=("account",)).finding(check, ACCOUNT)
    assert finding["verdict"] == "FAIL" and "NoSuchPublicAccessBlockConfiguration" in finding["reason"]
    flags = {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": False,
    }
    s3control = boto3.client("s3control")
    s3control.put_public_access_block(AccountId=ACCOUNT, PublicAccessBlockConfiguration=flags)
    assert verdict(scan, check) == "FAIL"
    s3control.put_public_access_block(
        AccountId=ACCOUNT, PublicAccessBlockConfiguration=dict(flags, RestrictPublicBuckets=True)
    )
    assert verdict(scan, check) == "PASS"
