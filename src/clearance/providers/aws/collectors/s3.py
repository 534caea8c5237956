"""Amazon S3 buckets: encryption, policy, public access, ownership, logging, versioning, lock, lifecycle.

Each bucket links to its KMS key (``kms_key``), its access-log target (``log_bucket``) and its
account record (``account``, for the account-level public access block).

ListBuckets is global, so buckets in every region are collected (a regulated bucket outside
the residency region must be seen); the scope's region list is applied by exclusion only.
"""

from __future__ import annotations

from typing import Any

from ...interface import Operation, ResourceType
from ..unit import AwsUnit, CallFailed, Fetched
from .account import account_arn
from .base import AwsCollector

BUCKET = "aws.s3.bucket"

_DETAIL = (
    Operation("s3", "GetBucketTagging", "s3:GetBucketTagging", ("NoSuchTagSet",)),
    Operation(
        "s3",
        "GetBucketEncryption",
        "s3:GetEncryptionConfiguration",
        ("ServerSideEncryptionConfigurationNotFoundError",),
    ),
    Operation("s3", "GetBucketPolicy", "s3:GetBucketPolicy", ("NoSuchBucketPolicy",)),
    Operation("s3", "GetBucketPolicyStatus", "s3:GetBucketPolicyStatus", ("NoSuchBucketPolicy",)),
    Operation(
        "s3",
        "GetPublicAccessBlock",
        "s3:GetBucketPublicAccessBlock",
        ("NoSuchPublicAccessBlockConfiguration",),
    ),
    Operation("s3", "GetBucketAcl", "s3:GetBucketAcl"),
    Operation(
        "s3",
        "GetBucketOwnershipControls",
        "s3:GetBucketOwnershipControls",
        ("OwnershipControlsNotFoundError",),
    ),
    Operation("s3", "GetBucketLogging", "s3:GetBucketLogging"),
    Operation("s3", "GetBucketVersioning", "s3:GetBucketVersioning"),
    Operation(
        "s3",
        "GetObjectLockConfiguration",
        "s3:GetBucketObjectLockConfiguration",
        ("ObjectLockConfigurationNotFoundError",),
    ),
    Operation(
        "s3",
        "GetBucketLifecycleConfiguration",
        "s3:GetLifecycleConfiguration",
        ("NoSuchLifecycleConfiguration",),
    ),
)


def bucket_region(location: Fetched) -> str | None:
    """GetBucketLocation's answer as a region name (``None``/empty is us-east-1, ``EU`` is eu-west-1)."""
    if location.error is not None or not isinstance(location.value, dict):
        return None
    constraint = location.value.get("LocationConstraint")
    if not constraint:
        return "us-east-1"
    return "eu-west-1" if constraint == "EU" else str(constraint)


class S3Collector(AwsCollector):
    service = "s3"
    global_service = True
    resource_types = (ResourceType(BUCKET, "s3", "ListBuckets", "S3 bucket with its configuration"),)
    operations = (
        Operation("s3", "ListBuckets", "s3:ListAllMyBuckets"),
        Operation("s3", "GetBucketLocation", "s3:GetBucketLocation"),
        *_DETAIL,
    )

    def collect(self, unit: AwsUnit) -> None:
        try:
            buckets = unit.items("s3", "ListBuckets", "Buckets")
        except CallFailed as failed:
            unit.list_failed(BUCKET, "ListBuckets", failed.error)
            return
        counts: dict[str, int] = dict.fromkeys(unit.scan_regions, 0)
        for region in unit.parallel(lambda b: self._bucket(unit, b), buckets):
            if region is not None:
                counts[region] = counts.get(region, 0) + 1
        for region, count in sorted(counts.items()):
            unit.listed(BUCKET, "ListBuckets", count, region=region)

    def _bucket(self, unit: AwsUnit, item: dict[str, Any]) -> str | None:
        name = item["Name"]
        location = unit.fetch("s3", "GetBucketLocation", Bucket=name)
        region = bucket_region(location) or str(item.get("BucketRegion") or unit.session.default_region)
        builder = unit.builder(BUCKET, f"arn:{unit.partition}:s3:::{name}", name, region=region)
        builder.data["ListBuckets"] = item
        builder.attach(location)
        # The account-level public access block governs every bucket: checks follow this link to it.
        builder.link("account", account_arn(unit))
        for spec in _DETAIL:
            fetched = builder.attach(unit.fetch("s3", spec.name, region=region, Bucket=name))
            if spec.name == "GetBucketTagging" and isinstance(fetched.value, dict):
                builder.tags = {t["Key"]: t["Value"] for t in fetched.value.get("TagSet", [])}
            if spec.name == "GetBucketEncryption" and isinstance(fetched.value, dict):
                for rule in fetched.value.get("ServerSideEncryptionConfiguration", {}).get("Rules", []):
                    key = (rule.get("ApplyServerSideEncryptionByDefault") or {}).get("KMSMasterKeyID")
                    builder.link("kms_key", key)
            if spec.name == "GetBucketLogging" and isinstance(fetched.value, dict):
                target = (fetched.value.get("LoggingEnabled") or {}).get("TargetBucket")
                if target:
                    builder.link("log_bucket", f"arn:{unit.partition}:s3:::{target}")
        unit.emit(builder)
        return region


COLLECTORS = (S3Collector,)
