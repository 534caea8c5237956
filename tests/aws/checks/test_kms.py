"""KMS key checks through the real scan path on moto, with AWS's answers where moto differs."""

from __future__ import annotations

import json
from typing import Any

import boto3

from ..conftest import ACCOUNT
from ..fakes import deny
from .kms_answers import answer_for_keys, aws_managed, refuse_for_keys

ROTATION = "aws-kms-key-rotation-enabled"
EVIDENCE = "aws-kms-key-rotation-evidence"


def key(alias: str, **params: Any) -> dict[str, Any]:
    """A moto key named by ``alias`` (the resource name the scan reports)."""
    kms = boto3.client("kms")
    meta: dict[str, Any] = kms.create_key(**params)["KeyMetadata"]
    kms.create_alias(AliasName=f"alias/{alias}", TargetKeyId=meta["KeyId"])
    return meta


def rotation(meta: dict[str, Any], days: int) -> dict[str, Any]:
    """GetKeyRotationStatus as AWS answers it for a key with automatic rotation on."""
    return {
        "KeyId": meta["Arn"],
        "KeyRotationEnabled": True,
        "RotationPeriodInDays": days,
        "NextRotationDate": 1893456000.0,
    }


def by_alias(verdicts: dict[str, str]) -> dict[str, str]:
    """Verdicts keyed by alias without the ``alias/`` prefix."""
    return {name.removeprefix("alias/"): v for name, v in verdicts.items()}


# -- ENC-02 automatic rotation ----------------------------------------------------------------------


def test_rotation_within_the_profile_period_passes_longer_or_off_fails(aws: Any, scan: Any) -> None:
    yearly = key("yearly")
    every_two_years = key("every-two-years")
    key("never-rotated")
    answers = {yearly["KeyId"]: rotation(yearly, 365), every_two_years["KeyId"]: rotation(every_two_years, 730)}
    with answer_for_keys("GetKeyRotationStatus", answers):
        result = scan(checks=[ROTATION], services=("kms",))
    assert by_alias(result.verdicts(ROTATION)) == {
        "yearly": "PASS",
        "every-two-years": "FAIL",
        "never-rotated": "FAIL",
    }
    failed = result.finding(ROTATION, "alias/every-two-years")
    assert "730" in failed["reason"] and "365" in failed["reason"]


def test_rotation_enabled_without_a_reported_period_is_error(aws: Any, scan: Any) -> None:
    meta = key("period-unknown")
    boto3.client("kms").enable_key_rotation(KeyId=meta["KeyId"])  # moto omits RotationPeriodInDays
    result = scan(checks=[ROTATION], services=("kms",))
    assert by_alias(result.verdicts(ROTATION)) == {"period-unknown": "ERROR"}
    assert "RotationPeriodInDays is absent" in result.finding(ROTATION, "alias/period-unknown")["reason"]


def test_rotation_not_applicable_where_aws_cannot_rotate(aws: Any, scan: Any) -> None:
    signing = key("signing", KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")
    mac = key("mac", KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")
    imported = key("imported", Origin="EXTERNAL")
    managed = key("aws-managed")
    retiring = key("retiring")
    boto3.client("kms").schedule_key_deletion(KeyId=retiring["KeyId"], PendingWindowInDays=7)
    disabled = key("disabled")
    boto3.client("kms").disable_key(KeyId=disabled["KeyId"])
    unsupported = {signing["KeyId"], mac["KeyId"], imported["KeyId"]}
    with (
        refuse_for_keys("GetKeyRotationStatus", "UnsupportedOperationException", unsupported),
        answer_for_keys("DescribeKey", {managed["KeyId"]: aws_managed(managed["KeyId"])}),
    ):
        result = scan(checks=[ROTATION, EVIDENCE], services=("kms",))
    rotation_verdicts = by_alias(result.verdicts(ROTATION))
    assert set(rotation_verdicts.values()) == {"NOT_APPLICABLE"}
    assert len(rotation_verdicts) == 6
    assert "Asymmetric" in result.finding(ROTATION, "alias/signing")["reason"]
    assert "AWS-managed" in result.finding(ROTATION, "alias/aws-managed")["reason"]
    assert "Imported" in result.finding(ROTATION, "alias/imported")["reason"]
    assert "scheduled for deletion" in result.finding(ROTATION, "alias/retiring")["reason"]
    # Imported material needs the custodian's evidence; the others need nothing from this check.
    evidence = by_alias(result.verdicts(EVIDENCE))
    assert evidence == {
        "signing": "NOT_APPLICABLE",
        "mac": "NOT_APPLICABLE",
        "imported": "MANUAL",
        "aws-managed": "NOT_APPLICABLE",
        "retiring": "NOT_APPLICABLE",
        "disabled": "NOT_APPLICABLE",
    }


def test_rotation_evidence_is_error_when_the_key_cannot_be_described(aws: Any, scan: Any) -> None:
    key("opaque", Origin="EXTERNAL")
    with deny("kms", "DescribeKey"):
        result = scan(checks=[EVIDENCE, ROTATION], services=("kms",))
    for check in (EVIDENCE, ROTATION):
        finding = result.finding(check, "alias/opaque")
        assert finding["verdict"] == "ERROR", check
    assert result.finding(EVIDENCE, "alias/opaque")["error"]["permission"] == "kms:DescribeKey"


def test_list_keys_denied_is_not_evaluated_with_the_error(aws: Any, scan: Any) -> None:
    key("hidden")
    with deny("kms", "ListKeys"):
        result = scan(checks=[ROTATION], services=("kms",))
    assert result.findings == []
    (entry,) = result.coverage
    assert entry["status"] == "not_evaluated"
    assert entry["list_call"] == "ListKeys"
    assert entry["error"]["permission"] == "kms:ListKeys" and entry["error"]["denied"] is True


# -- ENC-03 key protection ---------------------------------------------------------------------------


def _policy(*statements: dict[str, Any]) -> str:
    root = {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "kms:*", "Resource": "*"}
    return json.dumps({"Version": "2012-10-17", "Statement": [root, *statements]})


def test_key_policy_open_to_everyone_fails_confined_wildcard_passes(aws: Any, scan: Any) -> None:
    key("default-policy")
    key("open", Policy=_policy({"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"}))
    key(
        "confined",
        Policy=_policy(
            {
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
                "Resource": "*",
                "Condition": {
                    "StringEquals": {"kms:CallerAccount": ACCOUNT, "kms:ViaService": "s3.ap-northeast-2.amazonaws.com"}
                },
            }
        ),
    )
    result = scan(checks=["aws-kms-key-policy-not-public"], services=("kms",))
    assert by_alias(result.verdicts("aws-kms-key-policy-not-public")) == {
        "default-policy": "PASS",
        "open": "FAIL",
        "confined": "PASS",
    }
    assert "kms:Decrypt" in result.finding("aws-kms-key-policy-not-public", "alias/open")["reason"]


def test_key_scheduled_for_deletion_fails(aws: Any, scan: Any) -> None:
    key("in-use")
    doomed = key("doomed")
    boto3.client("kms").schedule_key_deletion(KeyId=doomed["KeyId"], PendingWindowInDays=30)
    result = scan(checks=["aws-kms-key-not-pending-deletion"], services=("kms",))
    assert by_alias(result.verdicts("aws-kms-key-not-pending-deletion")) == {"in-use": "PASS", "doomed": "FAIL"}


def test_aws_managed_keys_are_not_applicable_to_customer_key_checks(aws: Any, scan: Any) -> None:
    managed = key("ebs-default")
    with answer_for_keys("DescribeKey", {managed["KeyId"]: aws_managed(managed["KeyId"])}):
        result = scan(checks=["aws-kms-key-policy-not-public", "aws-kms-key-not-pending-deletion"], services=("kms",))
    assert {f["verdict"] for f in result.findings} == {"NOT_APPLICABLE"}
    assert len(result.findings) == 2
