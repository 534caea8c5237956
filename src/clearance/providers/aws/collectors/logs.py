"""Amazon CloudWatch Logs (regional): log groups with retention, encryption key, tags, and the
metric filters and alarms that watch them.

DescribeLogGroups items carry ``retentionInDays`` (absent = events never expire) and
``kmsKeyId``. Metric filters come from one DescribeMetricFilters listing per region and
alarms from one DescribeAlarms listing (made only when the region has metric filters); each
log group record carries, under those operation names, the items that concern it: its own
filters (what the call filtered by the group would answer) and the metric alarms that watch
one of its filters' metrics (what DescribeAlarmsForMetric would answer for them). A check on
"root sign-in raises an alarm" then reads one record, and a failed listing makes it ERROR
naming the permission instead of FAIL for "no filter". Which alarm watches which filter is
decided by the same functions the ``aws_log_metric_alarm`` predicate uses.
"""

from __future__ import annotations

from typing import Any

from ....engine.predicates.aws_monitoring import alarm_metrics, filter_metrics
from ...interface import Operation, ResourceType
from ..unit import AwsUnit, Fetched
from .base import AwsCollector
from .cloudtrail import log_group_id
from .kms import fetch_all

LOG_GROUP = "aws.logs.log-group"


class LogsCollector(AwsCollector):
    service = "logs"
    resource_types = (
        ResourceType(
            LOG_GROUP,
            "logs",
            "DescribeLogGroups",
            "CloudWatch Logs log group with retention, KMS key, metric filters and the alarms on them",
        ),
    )
    operations = (
        Operation("logs", "DescribeLogGroups", "logs:DescribeLogGroups"),
        Operation("logs", "DescribeMetricFilters", "logs:DescribeMetricFilters"),
        Operation("logs", "ListTagsForResource", "logs:ListTagsForResource"),
        Operation("cloudwatch", "DescribeAlarms", "cloudwatch:DescribeAlarms"),
    )

    def collect(self, unit: AwsUnit) -> None:
        groups = unit.list_all(LOG_GROUP, "logs", "DescribeLogGroups", "logGroups")
        if groups is None:
            return
        filters = fetch_all(unit, "logs", "DescribeMetricFilters", "metricFilters")
        by_group: dict[str, list[dict[str, Any]]] = {}
        for item in filters.value["metricFilters"] if isinstance(filters.value, dict) else []:
            by_group.setdefault(str(item.get("logGroupName")), []).append(item)
        alarms = (
            fetch_all(unit, "cloudwatch", "DescribeAlarms", "MetricAlarms", AlarmTypes=["MetricAlarm"])
            if by_group
            else Fetched("DescribeAlarms", value={"MetricAlarms": []})
        )
        unit.parallel(lambda group: self._group(unit, group, filters, by_group, alarms), groups)

    def _group(
        self,
        unit: AwsUnit,
        item: dict[str, Any],
        filters: Fetched,
        by_group: dict[str, list[dict[str, Any]]],
        alarms: Fetched,
    ) -> None:
        name = str(item["logGroupName"])
        arn = str(item.get("logGroupArn") or log_group_id(item.get("arn")) or unit.arn("logs", f"log-group:{name}"))
        builder = unit.builder(LOG_GROUP, arn, name)
        builder.data["DescribeLogGroups"] = item
        builder.link("kms_key", item.get("kmsKeyId"))
        if filters.error is not None:
            builder.attach(filters)
        else:
            mine = by_group.get(name, [])
            builder.data["DescribeMetricFilters"] = {"metricFilters": mine}
            if alarms.error is not None:
                builder.attach(alarms)
            else:
                metrics = filter_metrics(mine)
                listed = alarms.value["MetricAlarms"] if isinstance(alarms.value, dict) else []
                builder.data["DescribeAlarms"] = {"MetricAlarms": [a for a in listed if alarm_metrics(a) & metrics]}
        tags = builder.attach(unit.fetch("logs", "ListTagsForResource", resourceArn=arn))
        if isinstance(tags.value, dict):
            builder.tags = {str(k): str(v) for k, v in (tags.value.get("tags") or {}).items()}
        unit.emit(builder)


COLLECTORS = (LogsCollector,)
