"""S3 bucket checks through the real scan path on moto (collect -> link -> evaluate)."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from ..conftest import ACCOUNT, REGION
from ..fakes import deny
from .kms_answers import answer_for_keys, aws_managed

WITH_KEYS = ("s3", "kms")
WITH_ACCOUNT = ("s3", "account")
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
PAB_FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")


def make_bucket(name: str, region: str = REGION, tags: dict[str, str] | None = None) -> Any:
    s3 = boto3.client("s3", region_name=region)
    if region == "us-east-1":
        s3.create_bucket(Bucket=name)
    else:
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
    if tags:
        s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": [{"Key": k, "Value": v} for k, v in tags.items()]})
    return s3


def encrypt(name: str, algorithm: str, key: str | None = None) -> None:
    default: dict[str, str] = {"SSEAlgorithm": algorithm}
    if key is not None:
        default["KMSMasterKeyID"] = key
    boto3.client("s3").put_bucket_encryption(
        Bucket=name, ServerSideEncryptionConfiguration={"Rules": [{"ApplyServerSideEncryptionByDefault": default}]}
    )


def put_policy(name: str, *statements: dict[str, Any]) -> None:
    doc = {"Version": "2012-10-17", "Statement": list(statements)}
    boto3.client("s3").put_bucket_policy(Bucket=name, Policy=json.dumps(doc))


def public_read(name: str) -> dict[str, Any]:
    return {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{name}/*"}


def bucket_block(name: str, **flags: bool) -> None:
    config = {f: flags.get(f, True) for f in PAB_FLAGS}
    boto3.client("s3").put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=config)


def account_block(**flags: bool) -> None:
    config = {f: flags.get(f, True) for f in PAB_FLAGS}
    boto3.client("s3control").put_public_access_block(AccountId=ACCOUNT, PublicAccessBlockConfiguration=config)


# -- ENC-01 customer-managed key ---------------------------------------------------------------------


def test_cmk_by_alias_or_arn_passes_and_aws_managed_or_sse_s3_fails(aws: Any, scan: Any) -> None:
    kms = boto3.client("kms")
    key = kms.create_key(Description="app data")["KeyMetadata"]
    kms.create_alias(AliasName="alias/app-data", TargetKeyId=key["KeyId"])
    for name, algorithm, ref in (
        ("by-alias", "aws:kms", "alias/app-data"),
        ("by-alias-arn", "aws:kms", f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/app-data"),
        ("by-key-arn", "aws:kms:dsse", key["Arn"]),
        ("aws-s3-alias", "aws:kms", "alias/aws/s3"),
        ("no-key-named", "aws:kms", None),
        ("sse-s3", "AES256", None),
    ):
        make_bucket(name)
        encrypt(name, algorithm, ref)
    result = scan(checks=["aws-s3-bucket-cmk-encryption"], services=WITH_KEYS)
    assert result.verdicts("aws-s3-bucket-cmk-encryption") == {
        "by-alias": "PASS",
        "by-alias-arn": "PASS",
        "by-key-arn": "PASS",
        "aws-s3-alias": "FAIL",
        "no-key-named": "FAIL",
        "sse-s3": "FAIL",
    }
    passed = result.finding("aws-s3-bucket-cmk-encryption", "by-alias")
    assert any(o.get("resource_id") == key["Arn"] and o["value"] == "CUSTOMER" for o in passed["observed"])
    assert "absent" in result.finding("aws-s3-bucket-cmk-encryption", "no-key-named")["reason"]


def test_bucket_on_an_aws_managed_key_arn_fails(aws: Any, scan: Any) -> None:
    managed = boto3.client("kms").create_key()["KeyMetadata"]
    make_bucket("managed-key")
    encrypt("managed-key", "aws:kms", managed["Arn"])
    with answer_for_keys("DescribeKey", {managed["KeyId"]: aws_managed(managed["KeyId"])}):
        result = scan(checks=["aws-s3-bucket-cmk-encryption"], services=WITH_KEYS)
    finding = result.finding("aws-s3-bucket-cmk-encryption", "managed-key")
    assert finding["verdict"] == "FAIL"
    assert "'AWS'" in finding["reason"]


def test_cmk_unresolvable_when_keys_were_not_collected_is_error(aws: Any, scan: Any) -> None:
    key = boto3.client("kms").create_key()["KeyMetadata"]
    make_bucket("orphan-key")
    encrypt("orphan-key", "aws:kms", key["Arn"])
    finding = scan(checks=["aws-s3-bucket-cmk-encryption"], services=("s3",)).finding(
        "aws-s3-bucket-cmk-encryption", "orphan-key"
    )
    assert finding["verdict"] == "ERROR"
    assert "not in the inventory" in finding["reason"]


def test_denied_bucket_call_is_error_naming_the_permission(aws: Any, scan: Any) -> None:
    make_bucket("denied-enc")
    with deny("s3", "GetBucketEncryption"):
        result = scan(checks=["aws-s3-bucket-cmk-encryption", "aws-s3-bucket-access-logging"], services=WITH_KEYS)
    finding = result.finding("aws-s3-bucket-cmk-encryption", "denied-enc")
    assert finding["verdict"] == "ERROR"
    assert finding["error"]["permission"] == "s3:GetEncryptionConfiguration"
    assert "s3:GetEncryptionConfiguration" in finding["reason"]
    # Other checks on the same bucket are still evaluated from what was collected.
    assert result.verdicts("aws-s3-bucket-access-logging") == {"denied-enc": "FAIL"}
    entry = next(c for c in result.coverage if c["check_id"] == "aws-s3-bucket-cmk-encryption")
    assert entry["status"] == "evaluated" and entry["errors"] == 1


def test_list_buckets_denied_leaves_s3_checks_not_evaluated(aws: Any, scan: Any) -> None:
    make_bucket("invisible")
    with deny("s3", "ListBuckets"):
        result = scan(checks=["aws-s3-bucket-versioning-enabled"], services=("s3",))
    assert result.findings == []
    entry = result.coverage[0]
    assert entry["status"] == "not_evaluated"
    assert entry["error"]["permission"] == "s3:ListAllMyBuckets"


# -- ENC-04 TLS only --------------------------------------------------------------------------------


def test_secure_transport_deny_passes_and_missing_or_allow_only_policy_fails(aws: Any, scan: Any) -> None:
    for name in ("tls-only", "no-policy", "allow-only"):
        make_bucket(name)
    put_policy(
        "tls-only",
        {
            "Sid": "DenyPlainHttp",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": ["arn:aws:s3:::tls-only", "arn:aws:s3:::tls-only/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
    )
    put_policy(
        "allow-only",
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::allow-only/*",
        },
    )
    result = scan(checks=["aws-s3-bucket-secure-transport"], services=("s3",))
    assert result.verdicts("aws-s3-bucket-secure-transport") == {
        "tls-only": "PASS",
        "no-policy": "FAIL",
        "allow-only": "FAIL",
    }


# -- ISO-02 public access -------------------------------------------------------------------------


def test_public_access_block_counts_bucket_or_account_flags(aws: Any, scan: Any) -> None:
    make_bucket("bucket-blocked")
    bucket_block("bucket-blocked")
    make_bucket("half-blocked")
    bucket_block("half-blocked", BlockPublicPolicy=False, RestrictPublicBuckets=False)
    make_bucket("unblocked")
    check = "aws-s3-bucket-public-access-block"
    before = scan(checks=[check], services=WITH_ACCOUNT).verdicts(check)
    assert before == {"bucket-blocked": "PASS", "half-blocked": "FAIL", "unblocked": "FAIL"}
    # The account block supplies the two missing flags of half-blocked: S3 combines both levels.
    account_block(BlockPublicAcls=False, IgnorePublicAcls=False)
    after = scan(checks=[check], services=WITH_ACCOUNT).verdicts(check)
    assert after == {"bucket-blocked": "PASS", "half-blocked": "PASS", "unblocked": "FAIL"}
    account_block()
    assert set(scan(checks=[check], services=WITH_ACCOUNT).verdicts(check).values()) == {"PASS"}


def test_public_access_block_without_the_account_record_is_error_not_pass(aws: Any, scan: Any) -> None:
    account_block()
    make_bucket("relies-on-account")
    make_bucket("own-block")
    bucket_block("own-block")
    result = scan(checks=["aws-s3-bucket-public-access-block"], services=("s3",))
    assert result.verdicts("aws-s3-bucket-public-access-block") == {"relies-on-account": "ERROR", "own-block": "PASS"}
    assert "not in the inventory" in result.finding("aws-s3-bucket-public-access-block", "relies-on-account")["reason"]


def test_policy_status_public_fails_private_or_absent_passes(aws: Any, scan: Any) -> None:
    for name in ("public-policy", "private-policy", "no-policy"):
        make_bucket(name)
    put_policy("public-policy", public_read("public-policy"))
    put_policy(
        "private-policy",
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::private-policy/*",
        },
    )
    result = scan(checks=["aws-s3-bucket-policy-not-public"], services=("s3",))
    assert result.verdicts("aws-s3-bucket-policy-not-public") == {
        "public-policy": "FAIL",
        "private-policy": "PASS",
        "no-policy": "PASS",
    }
    assert "NoSuchBucketPolicy" in result.finding("aws-s3-bucket-policy-not-public", "no-policy")["reason"]


def test_acl_grant_to_all_users_fails(aws: Any, scan: Any) -> None:
    s3 = make_bucket("public-acl")
    s3.put_bucket_acl(Bucket="public-acl", ACL="public-read")
    make_bucket("authenticated-acl").put_bucket_acl(Bucket="authenticated-acl", ACL="authenticated-read")
    make_bucket("private-acl")
    result = scan(checks=["aws-s3-bucket-acl-not-public"], services=("s3",))
    assert result.verdicts("aws-s3-bucket-acl-not-public") == {
        "public-acl": "FAIL",
        "authenticated-acl": "FAIL",
        "private-acl": "PASS",
    }
    assert ALL_USERS in json.dumps(result.finding("aws-s3-bucket-acl-not-public", "public-acl")["observed"])


def test_acls_disabled_requires_bucket_owner_enforced(aws: Any, scan: Any) -> None:
    make_bucket("enforced").put_bucket_ownership_controls(
        Bucket="enforced", OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    )
    make_bucket("preferred").put_bucket_ownership_controls(
        Bucket="preferred", OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerPreferred"}]}
    )
    make_bucket("no-controls")
    result = scan(checks=["aws-s3-bucket-acls-disabled"], services=("s3",))
    assert result.verdicts("aws-s3-bucket-acls-disabled") == {
        "enforced": "PASS",
        "preferred": "FAIL",
        "no-controls": "FAIL",
    }
    assert "OwnershipControlsNotFoundError" in result.finding("aws-s3-bucket-acls-disabled", "no-controls")["reason"]


def test_effective_exposure_combines_policy_acl_and_blocks(aws: Any, scan: Any) -> None:
    make_bucket("open-policy")
    put_policy("open-policy", public_read("open-policy"))
    make_bucket("open-acl").put_bucket_acl(Bucket="open-acl", ACL="public-read")
    make_bucket("closed")
    make_bucket("policy-restricted")
    put_policy("policy-restricted", public_read("policy-restricted"))
    bucket_block("policy-restricted", BlockPublicAcls=False, IgnorePublicAcls=False, BlockPublicPolicy=False)
    check = "aws-s3-bucket-not-publicly-accessible"
    result = scan(checks=[check, "aws-s3-bucket-policy-not-public"], services=WITH_ACCOUNT)
    assert result.verdicts(check) == {
        "open-policy": "FAIL",
        "open-acl": "FAIL",
        "closed": "PASS",
        "policy-restricted": "PASS",
    }
    # The setting-level finding still reports the public policy that the block neutralises.
    assert result.verdicts("aws-s3-bucket-policy-not-public")["policy-restricted"] == "FAIL"
    account_block(BlockPublicAcls=False, BlockPublicPolicy=False)
    assert set(scan(checks=[check], services=WITH_ACCOUNT).verdicts(check).values()) == {"PASS"}


# -- LOG-02 / LOG-04 --------------------------------------------------------------------------------


def test_server_access_logging(aws: Any, scan: Any) -> None:
    make_bucket("access-logs")
    put_policy(
        "access-logs",
        {
            "Effect": "Allow",
            "Principal": {"Service": "logging.s3.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": "arn:aws:s3:::access-logs/*",
        },
    )
    make_bucket("logged").put_bucket_logging(
        Bucket="logged", BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": "access-logs", "TargetPrefix": "l/"}}
    )
    result = scan(checks=["aws-s3-bucket-access-logging"], services=("s3",))
    assert result.verdicts("aws-s3-bucket-access-logging") == {"logged": "PASS", "access-logs": "FAIL"}


def test_versioning_enabled_passes_suspended_or_never_fails(aws: Any, scan: Any) -> None:
    make_bucket("versioned").put_bucket_versioning(Bucket="versioned", VersioningConfiguration={"Status": "Enabled"})
    make_bucket("suspended").put_bucket_versioning(Bucket="suspended", VersioningConfiguration={"Status": "Suspended"})
    make_bucket("never")
    result = scan(checks=["aws-s3-bucket-versioning-enabled"], services=("s3",))
    assert result.verdicts("aws-s3-bucket-versioning-enabled") == {
        "versioned": "PASS",
        "suspended": "FAIL",
        "never": "FAIL",
    }


def test_versioning_denied_is_error_not_the_never_enabled_default(aws: Any, scan: Any) -> None:
    make_bucket("versioning-denied")
    with deny("s3", "GetBucketVersioning"):
        finding = scan(checks=["aws-s3-bucket-versioning-enabled"], services=("s3",)).finding(
            "aws-s3-bucket-versioning-enabled", "versioning-denied"
        )
    assert finding["verdict"] == "ERROR"
    assert finding["error"]["permission"] == "s3:GetBucketVersioning"


# -- ISO-07 residency ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("region", "data_class", "verdict"),
    [
        (REGION, "personal-credit", "PASS"),
        ("us-east-1", "personal-credit", "FAIL"),
        ("eu-west-1", "unique-id,personal", "FAIL"),
        ("us-east-1", None, "NEEDS_CONTEXT"),
        (REGION, None, "PASS"),
        ("us-east-1", "public", "NOT_APPLICABLE"),
    ],
)
def test_data_residency(aws: Any, scan: Any, region: str, data_class: str | None, verdict: str) -> None:
    make_bucket("residency-subject", region, {"data-class": data_class} if data_class else None)
    finding = scan(checks=["aws-s3-bucket-data-residency"], services=("s3",)).finding(
        "aws-s3-bucket-data-residency", "residency-subject"
    )
    assert finding["verdict"] == verdict
    assert finding["resource"]["region"] == region
    if verdict == "NEEDS_CONTEXT":
        assert "data-class" in finding["reason"]


def test_residency_never_passes_on_an_assumed_region(aws: Any, scan: Any) -> None:
    make_bucket("where-is-it", tags={"data-class": "unique-id"})
    with deny("s3", "GetBucketLocation"):  # moto's ListBuckets has no BucketRegion either
        finding = scan(checks=["aws-s3-bucket-data-residency"], services=("s3",)).finding(
            "aws-s3-bucket-data-residency", "where-is-it"
        )
    assert finding["verdict"] == "ERROR"
    assert finding["error"]["permission"] == "s3:GetBucketLocation"
