"""The CloudWatch Logs collector on moto: each log group carries its own filters and the alarms on them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3

from ..conftest import ACCOUNT, REGION
from ..fakes import deny

CHECK = "aws-logs-log-group-retention"


def groups(out: Path) -> dict[str, dict[str, Any]]:
    path = out / "raw" / "aws" / ACCOUNT / REGION / "logs" / "aws.logs.log-group.jsonl"
    return {r["name"]: r for r in map(json.loads, path.read_text().splitlines())}


def metric_filter(group: str, name: str, metric: str) -> None:
    boto3.client("logs").put_metric_filter(
        logGroupName=group,
        filterName=name,
        filterPattern='{ $.userIdentity.type = "Root" }',
        metricTransformations=[{"metricName": metric, "metricNamespace": "Security", "metricValue": "1"}],
    )


def alarm(name: str, metric: str) -> None:
    boto3.client("cloudwatch").put_metric_alarm(
        AlarmName=name,
        MetricName=metric,
        Namespace="Security",
        Statistic="Sum",
        Period=300,
        EvaluationPeriods=1,
        Threshold=1.0,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
    )


def test_group_record_holds_its_filters_the_alarms_on_them_tags_and_key(aws: Any, scan: Any) -> None:
    logs = boto3.client("logs")
    key = boto3.client("kms").create_key()["KeyMetadata"]["Arn"]
    logs.create_log_group(logGroupName="trail", kmsKeyId=key, tags={"data-class": "personal"})
    logs.create_log_group(logGroupName="app")
    metric_filter("trail", "root-use", "RootUse")
    metric_filter("app", "app-errors", "AppErrors")
    alarm("root-use-alarm", "RootUse")
    alarm("unrelated", "CPUUtilization")
    records = groups(scan(checks=[CHECK], services=("logs",)).out)
    trail = records["trail"]
    assert trail["id"] == f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:trail"
    assert trail["links"] == {"kms_key": [key]}
    assert trail["tags"] == {"data-class": "personal"}
    assert [f["filterName"] for f in trail["data"]["DescribeMetricFilters"]["metricFilters"]] == ["root-use"]
    assert [a["AlarmName"] for a in trail["data"]["DescribeAlarms"]["MetricAlarms"]] == ["root-use-alarm"]
    assert records["app"]["data"]["DescribeAlarms"] == {"MetricAlarms": []}
    assert trail["errors"] == {} and "retentionInDays" not in trail["data"]["DescribeLogGroups"]


def test_no_metric_filters_means_no_alarm_listing_call(aws: Any, scan: Any) -> None:
    boto3.client("logs").create_log_group(logGroupName="plain")
    with deny("cloudwatch", "DescribeAlarms") as calls:
        rec = groups(scan(checks=[CHECK], services=("logs",)).out)["plain"]
    assert calls == []
    assert rec["data"]["DescribeMetricFilters"] == {"metricFilters": []}
    assert rec["data"]["DescribeAlarms"] == {"MetricAlarms": []}


def test_denied_filter_listing_is_an_error_on_every_group(aws: Any, scan: Any) -> None:
    boto3.client("logs").create_log_group(logGroupName="trail")
    metric_filter("trail", "root-use", "RootUse")
    with deny("logs", "DescribeMetricFilters"):
        rec = groups(scan(checks=[CHECK], services=("logs",)).out)["trail"]
    assert rec["errors"]["DescribeMetricFilters"]["permission"] == "logs:DescribeMetricFilters"
    assert "DescribeMetricFilters" not in rec["data"] and "DescribeAlarms" not in rec["data"]
