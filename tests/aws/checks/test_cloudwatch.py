"""CIS-style alerting checks (LOG-07): metric filter on the trail's log group -> metric -> alarm."""

from __future__ import annotations

from typing import Any

import boto3

from ..conftest import ACCOUNT, REGION
from ..fakes import deny
from .trail_setup import log_group, trail

ROOT = "aws-cloudwatch-alarm-root-usage"
IAM = "aws-cloudwatch-alarm-iam-policy-changes"
TRAIL = "aws-cloudwatch-alarm-cloudtrail-changes"
SG = "aws-cloudwatch-alarm-security-group-changes"
KMS = "aws-cloudwatch-alarm-kms-key-disable-deletion"
ALL = [ROOT, IAM, TRAIL, SG, KMS]
SERVICES = ("account", "cloudtrail", "logs")
GROUP = "cloudtrail/audit"
TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:security-alerts"

PATTERNS = {
    "root": '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS '
    '&& $.eventType != "AwsServiceEvent" }',
    "iam": "{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||($.eventName=DeleteUserPolicy)||"
    "($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||"
    "($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||($.eventName=CreatePolicyVersion)||"
    "($.eventName=DeletePolicyVersion)||($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||"
    "($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||($.eventName=AttachGroupPolicy)||"
    "($.eventName=DetachGroupPolicy)}",
    "trail": '{ ($.eventName = "CreateTrail") || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) '
    "|| ($.eventName = StartLogging) }",
    "sg": "{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || "
    "($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || "
    "($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }",
    "kms": "{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion))}",
}


def metric_filter(name: str, pattern: str | None = None) -> None:
    boto3.client("logs").put_metric_filter(
        logGroupName=GROUP,
        filterName=name,
        filterPattern=pattern or PATTERNS[name],
        metricTransformations=[{"metricName": f"{name}-events", "metricNamespace": "CISBenchmark", "metricValue": "1"}],
    )


def alarm(metric: str, *, actions: bool = True, math: bool = False) -> None:
    cw = boto3.client("cloudwatch")
    common: dict[str, Any] = {
        "AlarmName": f"{metric}-alarm",
        "EvaluationPeriods": 1,
        "Threshold": 1.0,
        "ComparisonOperator": "GreaterThanOrEqualToThreshold",
        "AlarmActions": [TOPIC] if actions else [],
    }
    if math:
        stat = {"Metric": {"Namespace": "CISBenchmark", "MetricName": metric}, "Period": 300, "Stat": "Sum"}
        cw.put_metric_alarm(**common, Metrics=[{"Id": "m1", "MetricStat": stat, "ReturnData": True}])
    else:
        cw.put_metric_alarm(**common, MetricName=metric, Namespace="CISBenchmark", Statistic="Sum", Period=300)


def test_filters_with_alarms_pass_missing_filter_or_actionless_alarm_fails(aws: Any, scan: Any) -> None:
    trail("audit", CloudWatchLogsLogGroupArn=log_group(GROUP))
    for name in ("root", "iam", "trail", "sg", "kms"):
        metric_filter(name)
    alarm("root-events")
    alarm("iam-events")
    alarm("trail-events")  # the pattern omits StopLogging: the filter does not count
    alarm("sg-events", math=True)
    alarm("kms-events", actions=False)
    result = scan(checks=ALL, services=SERVICES)
    assert {check: result.verdicts(check)[ACCOUNT] for check in ALL} == {
        ROOT: "PASS",
        IAM: "PASS",
        TRAIL: "FAIL",
        SG: "PASS",
        KMS: "FAIL",
    }
    assert "mentions all of" in result.finding(TRAIL, ACCOUNT)["reason"]
    assert "no alarm with enabled actions" in result.finding(KMS, ACCOUNT)["reason"]

    logs = boto3.client("logs")
    metric_filter("trail", PATTERNS["trail"].replace("}", "|| ($.eventName = StopLogging) }"))
    alarm("kms-events")
    logs.delete_metric_filter(logGroupName=GROUP, filterName="iam")
    logs.delete_metric_filter(logGroupName=GROUP, filterName="sg")
    fixed = scan(checks=ALL, services=SERVICES)
    assert {check: fixed.verdicts(check)[ACCOUNT] for check in ALL} == {
        ROOT: "PASS",
        IAM: "FAIL",
        TRAIL: "PASS",
        SG: "FAIL",
        KMS: "PASS",
    }


def test_alarm_on_a_trail_that_is_not_logging_does_not_count(aws: Any, scan: Any) -> None:
    trail("audit", logging=False, CloudWatchLogsLogGroupArn=log_group(GROUP))
    metric_filter("root")
    alarm("root-events")
    assert scan(checks=[ROOT], services=SERVICES).verdicts(ROOT) == {ACCOUNT: "FAIL"}


def test_denied_alarm_or_filter_listing_is_error_naming_the_permission(aws: Any, scan: Any) -> None:
    trail("audit", CloudWatchLogsLogGroupArn=log_group(GROUP))
    metric_filter("root")
    with deny("cloudwatch", "DescribeAlarms"):
        alarms_denied = scan(checks=[ROOT], services=SERVICES)
    finding = alarms_denied.finding(ROOT, ACCOUNT)
    assert finding["verdict"] == "ERROR"
    assert finding["error"]["permission"] == "cloudwatch:DescribeAlarms"
    with deny("logs", "DescribeMetricFilters"):
        filters_denied = scan(checks=[ROOT], services=SERVICES)
    assert filters_denied.finding(ROOT, ACCOUNT)["error"]["permission"] == "logs:DescribeMetricFilters"
