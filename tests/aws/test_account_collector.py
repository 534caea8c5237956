from __future__ import annotations

import json
from typing import Any

import boto3


def _account_record(out: Any) -> dict[str, Any]:
    path = next((out / "raw" / "aws").rglob("aws.account.jsonl"))
    return json.loads(path.read_text().splitlines()[0])


def test_account_record_has_summary_password_policy_and_credential_report(aws: Any, scan: Any) -> None:
    boto3.client("iam").update_account_password_policy(MinimumPasswordLength=14)
    result = scan(services=("account",))
    rec = _account_record(result.out)
    assert rec["type"] == "aws.account" and rec["id"] == "arn:aws:iam::123456789012:root"
    assert rec["data"]["GetAccountPasswordPolicy"]["PasswordPolicy"]["MinimumPasswordLength"] == 14
    rows = rec["data"]["GetCredentialReport"]["Rows"]
    assert isinstance(rows, list)  # moto omits the <root_account> row; real IAM includes it
    assert rec["absent"]["GetPublicAccessBlock"] == "NoSuchPublicAccessBlockConfiguration"


def test_missing_password_policy_is_recorded_as_absent_not_error(aws: Any, scan: Any) -> None:
    rec = _account_record(scan(services=("account",)).out)
    assert rec["absent"].get("GetAccountPasswordPolicy") == "NoSuchEntity"
    assert "GetAccountPasswordPolicy" not in rec["errors"]
