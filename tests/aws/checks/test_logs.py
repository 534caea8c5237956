"""CloudWatch Logs checks (LOG-05 retention, LOG-06 encryption) through the real scan path on moto."""

from __future__ import annotations

from typing import Any

import boto3

from ..fakes import deny

RETENTION = "aws-logs-log-group-retention"
CMK = "aws-logs-log-group-cmk-encryption"


def group(name: str, days: int | None = None, **tags: str) -> None:
    logs = boto3.client("logs")
    logs.create_log_group(logGroupName=name, tags=tags)
    if days is not None:
        logs.put_retention_policy(logGroupName=name, retentionInDays=days)


def test_retention_against_one_or_two_years_by_data_class(aws: Any, scan: Any) -> None:
    group("never-expires")
    group("two-years", 731)
    group("ninety-days", 90)
    group("between-untagged", 400)
    group("between-small-personal", 400, **{"data-class": "personal", "pi-subjects": "1200"})
    group("between-unique-id", 400, **{"data-class": "unique-id"})
    result = scan(checks=[RETENTION], services=("logs",))
    assert result.verdicts(RETENTION) == {
        "never-expires": "PASS",
        "two-years": "PASS",
        "ninety-days": "FAIL",
        "between-untagged": "NEEDS_CONTEXT",
        "between-small-personal": "PASS",
        "between-unique-id": "FAIL",
    }
    assert "never expire" in result.finding(RETENTION, "never-expires")["reason"]
    assert "90" in result.finding(RETENTION, "ninety-days")["reason"]


def test_log_group_with_a_customer_key_passes_without_fails(aws: Any, scan: Any) -> None:
    key = boto3.client("kms").create_key()["KeyMetadata"]["Arn"]
    boto3.client("logs").create_log_group(logGroupName="encrypted", kmsKeyId=key)
    group("service-key")
    result = scan(checks=[CMK], services=("logs", "kms"))
    assert result.verdicts(CMK) == {"encrypted": "PASS", "service-key": "FAIL"}


def test_denied_log_group_listing_leaves_the_checks_not_evaluated(aws: Any, scan: Any) -> None:
    group("hidden", 90)
    with deny("logs", "DescribeLogGroups"):
        result = scan(checks=[RETENTION], services=("logs",))
    assert result.verdicts(RETENTION) == {}
    [entry] = [c for c in result.coverage if c["check_id"] == RETENTION]
    assert entry["status"] == "not_evaluated"
    assert entry["error"]["permission"] == "logs:DescribeLogGroups"
