"""Building CloudTrail trails, log buckets and log groups on moto for the logging checks."""

from __future__ import annotations

from typing import Any

import boto3

from ..conftest import ACCOUNT, REGION

ALL_MANAGEMENT = [{"ReadWriteType": "All", "IncludeManagementEvents": True}]


def bucket(name: str, **params: Any) -> str:
    """A bucket in the scan region; returns its name."""
    location: Any = {"LocationConstraint": REGION}
    boto3.client("s3").create_bucket(Bucket=name, CreateBucketConfiguration=location, **params)
    return name


def log_group(name: str, **params: Any) -> str:
    """A log group; returns the ARN a trail names it by (with the trailing ``:*``)."""
    boto3.client("logs").create_log_group(logGroupName=name, **params)
    return f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{name}:*"


def trail(
    name: str,
    *,
    logging: bool = True,
    selectors: list[dict[str, Any]] | None = None,
    advanced: list[dict[str, Any]] | None = None,
    **params: Any,
) -> str:
    """A multi-region trail (unless overridden) delivering to its own new bucket; returns its ARN.

    ``selectors`` defaults to all management events, as AWS sets on a new trail (moto sets none).
    """
    ct = boto3.client("cloudtrail")
    params.setdefault("IsMultiRegionTrail", True)
    if "S3BucketName" not in params:
        params["S3BucketName"] = bucket(f"{name}-logs")
    if "CloudWatchLogsLogGroupArn" in params:
        params.setdefault("CloudWatchLogsRoleArn", f"arn:aws:iam::{ACCOUNT}:role/cloudtrail-to-logs")
    arn = str(ct.create_trail(Name=name, **params)["TrailARN"])
    if advanced is not None:
        ct.put_event_selectors(TrailName=name, AdvancedEventSelectors=advanced)
    else:
        ct.put_event_selectors(TrailName=name, EventSelectors=ALL_MANAGEMENT if selectors is None else selectors)
    if logging:
        ct.start_logging(Name=name)
    return arn
