"""The CloudTrail collector on moto: one record per trail in its home region, region listings, links."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3

from clearance.providers.aws.provider import AwsProvider

from ..checks.trail_setup import log_group, trail
from ..conftest import ACCOUNT, REGION
from ..fakes import deny, respond_json

CHECK = "aws-cloudtrail-log-file-validation"
OTHER_REGION = "us-east-1"


def records(out: Path, region: str, rtype: str) -> list[dict[str, Any]]:
    path = out / "raw" / "aws" / ACCOUNT / region / "cloudtrail" / f"{rtype}.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_multi_region_trail_is_one_record_in_its_home_region_with_its_links(aws: Any, scan: Any) -> None:
    key = boto3.client("kms").create_key()["KeyMetadata"]["Arn"]
    arn = trail(
        "audit",
        KmsKeyId=key,
        CloudWatchLogsLogGroupArn=log_group("cloudtrail/audit"),
        TagsList=[{"Key": "data-class", "Value": "personal-credit"}],
    )
    out = scan(checks=[CHECK], regions=(REGION, OTHER_REGION), services=("cloudtrail",)).out
    [rec] = records(out, REGION, "aws.cloudtrail.trail")
    assert records(out, OTHER_REGION, "aws.cloudtrail.trail") == []
    assert rec["id"] == arn and rec["name"] == "audit" and rec["tags"] == {"data-class": "personal-credit"}
    assert rec["links"] == {
        "kms_key": [key],
        "log_bucket": ["arn:aws:s3:::audit-logs"],
        "log_group": [f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:cloudtrail/audit"],
    }
    assert rec["data"]["GetTrailStatus"]["IsLogging"] is True
    assert rec["data"]["GetEventSelectors"]["EventSelectors"][0]["ReadWriteType"] == "All"
    assert set(rec["data"]) == {"DescribeTrails", "GetTrailStatus", "GetEventSelectors", "ListTags"}
    [home] = records(out, REGION, "aws.cloudtrail.region-settings")
    [away] = records(out, OTHER_REGION, "aws.cloudtrail.region-settings")
    assert home["links"] == {"trails": [arn]}
    assert away["links"] == {"trails": []}  # the shadow copy of the trail is listed there but not collected twice
    assert [t["TrailARN"] for t in away["data"]["DescribeTrails"]["trailList"]] == [arn]


def test_organization_trail_seen_as_a_shadow_is_kept_in_its_home_region(aws: Any, scan: Any) -> None:
    org_arn = f"arn:aws:cloudtrail:{REGION}:999999999999:trail/org-trail"
    listing = {
        "trailList": [
            {
                "Name": "org-trail",
                "TrailARN": org_arn,
                "HomeRegion": REGION,
                "IsOrganizationTrail": True,
                "IsMultiRegionTrail": True,
                "S3BucketName": "org-log-archive",
            },
            {"Name": "elsewhere", "TrailARN": f"arn:aws:cloudtrail:{OTHER_REGION}:{ACCOUNT}:trail/elsewhere"},
        ]
    }
    with respond_json("cloudtrail", "DescribeTrails", listing):
        out = scan(checks=[CHECK], services=("cloudtrail",)).out
    [rec] = records(out, REGION, "aws.cloudtrail.trail")
    assert rec["id"] == org_arn and rec["account"] == ACCOUNT
    assert rec["links"]["log_bucket"] == ["arn:aws:s3:::org-log-archive"]
    # moto does not know the other account's trail: the refusals are recorded, not swallowed
    assert rec["errors"]["GetTrailStatus"]["operation"] == "GetTrailStatus"


def test_denied_listing_is_recorded_on_the_region_and_as_a_failed_listing(aws: Any, scan: Any) -> None:
    trail("audit")
    with deny("cloudtrail", "DescribeTrails"):
        result = scan(checks=[CHECK], services=("cloudtrail",))
    [region] = records(result.out, REGION, "aws.cloudtrail.region-settings")
    assert region["errors"]["DescribeTrails"]["permission"] == "cloudtrail:DescribeTrails"
    assert records(result.out, REGION, "aws.cloudtrail.trail") == []
    [entry] = [c for c in result.coverage if c["check_id"] == CHECK]
    assert entry["status"] == "not_evaluated" and entry["error"]["permission"] == "cloudtrail:DescribeTrails"


def test_permissions_policy_lists_every_cloudtrail_call() -> None:
    actions = {op.permission for op in AwsProvider().operations() if op.service == "cloudtrail"}
    assert actions == {
        "cloudtrail:DescribeTrails",
        "cloudtrail:GetTrailStatus",
        "cloudtrail:GetEventSelectors",
        "cloudtrail:ListTags",
    }
