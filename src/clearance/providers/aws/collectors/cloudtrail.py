"""AWS CloudTrail (regional): trails with their logging status, event selectors and tags.

Each trail is collected once, in its home region, with every detail call made there by ARN.
DescribeTrails is asked for shadow trails too and filtered to ``HomeRegion == region``: for
the account's own trails that is exactly the ``includeShadowTrails=False`` answer, and it also
keeps an organization trail owned by the management account, which a member account only
ever sees as a shadow trail (without it, an account covered by an organization trail would
look unaudited).

Besides the trails, one ``aws.cloudtrail.region-settings`` record per region holds that
region's DescribeTrails answer, or the error it got, and links to the trails found there.
Account-wide checks ("some trail logs everything") follow account -> ``cloudtrail_regions``
-> ``trails``: a region whose trails could not be listed makes them ERROR naming
``cloudtrail:DescribeTrails`` instead of FAIL for "no trail".
"""

from __future__ import annotations

from typing import Any

from ...interface import Operation, ResourceType
from ..unit import AwsUnit, tags_from_list
from .base import AwsCollector

TRAIL = "aws.cloudtrail.trail"
REGION_SETTINGS = "aws.cloudtrail.region-settings"


def log_group_id(arn: str | None) -> str | None:
    """A log group ARN as CloudTrail and DescribeLogGroups ``arn`` give it (``...:log-group:NAME:*``)
    reduced to the id of the ``aws.logs.log-group`` record (no trailing ``:*``)."""
    return arn.removesuffix(":*") if arn else None


def _home_region(trail: dict[str, Any]) -> str | None:
    home = trail.get("HomeRegion")
    if home:
        return str(home)
    parts = str(trail.get("TrailARN", "")).split(":")
    return parts[3] if len(parts) > 3 else None


class CloudTrailCollector(AwsCollector):
    service = "cloudtrail"
    resource_types = (
        ResourceType(
            TRAIL,
            "cloudtrail",
            "DescribeTrails",
            "CloudTrail trail (in its home region) with logging status, event selectors and tags",
            account_level=True,
        ),
        ResourceType(
            REGION_SETTINGS,
            "cloudtrail",
            "DescribeTrails",
            "The trails whose home is one region (DescribeTrails answer), or why they could not be listed",
            account_level=True,
        ),
    )
    operations = (
        Operation("cloudtrail", "DescribeTrails", "cloudtrail:DescribeTrails"),
        Operation("cloudtrail", "GetTrailStatus", "cloudtrail:GetTrailStatus"),
        Operation("cloudtrail", "GetEventSelectors", "cloudtrail:GetEventSelectors"),
        Operation("cloudtrail", "ListTags", "cloudtrail:ListTags"),
    )

    def collect(self, unit: AwsUnit) -> None:
        listing = unit.fetch("cloudtrail", "DescribeTrails", includeShadowTrails=True)
        region = unit.builder(REGION_SETTINGS, unit.arn("cloudtrail", "region-settings"), unit.region)
        region.attach(listing)
        if listing.error is not None:
            unit.list_failed(TRAIL, "DescribeTrails", listing.error)
        else:
            found = (listing.value.get("trailList") if isinstance(listing.value, dict) else None) or []
            trails = [t for t in found if _home_region(t) == unit.region]
            region.link("trails", *(str(t["TrailARN"]) for t in trails))
            unit.parallel(lambda trail: self._trail(unit, trail), trails)
            unit.listed(TRAIL, "DescribeTrails", len(trails))
        unit.emit(region)
        unit.listed(REGION_SETTINGS, "DescribeTrails", 1)

    def _trail(self, unit: AwsUnit, item: dict[str, Any]) -> None:
        arn = str(item["TrailARN"])
        builder = unit.builder(TRAIL, arn, str(item.get("Name") or arn.rsplit("/", 1)[-1]))
        builder.data["DescribeTrails"] = item
        builder.attach(unit.fetch("cloudtrail", "GetTrailStatus", Name=arn))
        builder.attach(unit.fetch("cloudtrail", "GetEventSelectors", TrailName=arn))
        tags = builder.attach(unit.fetch("cloudtrail", "ListTags", ResourceIdList=[arn]))
        if isinstance(tags.value, dict):
            for entry in tags.value.get("ResourceTagList") or []:
                builder.tags.update(tags_from_list(entry.get("TagsList")))
        builder.link("kms_key", item.get("KmsKeyId"))
        if item.get("S3BucketName"):
            builder.link("log_bucket", f"arn:{unit.partition}:s3:::{item['S3BucketName']}")
        builder.link("log_group", log_group_id(item.get("CloudWatchLogsLogGroupArn")))
        unit.emit(builder)


COLLECTORS = (CloudTrailCollector,)
