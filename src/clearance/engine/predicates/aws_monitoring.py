"""CloudWatch monitoring predicates: does a log group turn a kind of CloudTrail event into an alarm?

A CIS-style alert (root use, IAM policy change, trail change...) is a metric filter on the
trail's log group whose pattern selects those events, plus a metric alarm on the metric the
filter publishes, with actions enabled. The join filter -> metric -> alarm is what a
declarative condition cannot say; everything else stays in the check's YAML.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from ..conditions import EvalContext, Outcome, false, true
from ..paths import Path
from . import predicate

Metric = tuple[str, str]
"""(namespace, metric name)."""


def filter_metrics(filters: Iterable[Mapping[str, Any]]) -> set[Metric]:
    """The metrics the given metric filters publish (``metricTransformations``)."""
    return {
        (str(t.get("metricNamespace")), str(t.get("metricName")))
        for f in filters
        for t in f.get("metricTransformations") or []
    }


def alarm_metrics(alarm: Mapping[str, Any]) -> set[Metric]:
    """The metrics a metric alarm evaluates: its single metric, or those of its metric-math queries."""
    found = {(str(alarm.get("Namespace")), str(alarm["MetricName"]))} if alarm.get("MetricName") else set()
    for query in alarm.get("Metrics") or []:
        metric = (query.get("MetricStat") or {}).get("Metric") or {}
        if metric.get("MetricName"):
            found.add((str(metric.get("Namespace")), str(metric["MetricName"])))
    return found


_NOISE = re.compile(r'[\s"]')


@lru_cache(maxsize=4096)
def normalise_pattern(text: str) -> str:
    """A filter pattern without whitespace and double quotes, so ``$.eventName = "StopLogging"``
    and ``$.eventName=StopLogging`` compare equal (cached: the same terms and patterns recur per account)."""
    return _NOISE.sub("", text)


def _alerting(alarm: Mapping[str, Any]) -> bool:
    return alarm.get("ActionsEnabled") is True and bool(alarm.get("AlarmActions"))


@predicate("aws_log_metric_alarm", filters="path", alarms="path", terms="list")
def log_metric_alarm(ctx: EvalContext, args: Mapping[str, Any]) -> Outcome:
    """TRUE when a metric filter of the log group mentions every term and an alarm with enabled
    actions (``ActionsEnabled`` and at least one ``AlarmActions`` target) watches its metric.

    Patterns are compared after removing whitespace and double quotes; a term such as
    ``$.eventName=StopLogging`` must appear in the pattern. Patterns are not parsed, so a
    filter that mentions a term only to exclude it is not told apart (CloudWatch patterns use
    ``!=`` for that, which does not contain ``=`` after the field name and is not matched).
    """
    filters_path: Path = args["filters"]
    alarms_path: Path = args["alarms"]
    terms = [str(t) for t in args["terms"]]
    wanted = [normalise_pattern(t) for t in terms]
    filters, why = ctx.read(filters_path)
    if why is not None:
        return why
    group = ctx.current.record["name"]
    listed = [f for f in filters or [] if isinstance(f, dict)]
    matching = [f for f in listed if all(w in normalise_pattern(str(f.get("filterPattern") or "")) for w in wanted)]
    expected = {"pattern mentions": terms}
    if not matching:
        patterns = [f.get("filterPattern") for f in listed]
        ctx.observe(filters_path.text, patterns, expected, "metric_filter", filters_path.pointer("/data"))
        return false(f"no metric filter on log group {group} mentions all of {terms} ({len(listed)} filters)")
    alarms, why = ctx.read(alarms_path)
    if why is not None:
        return why
    names = [str(f.get("filterName")) for f in matching]
    metrics = filter_metrics(matching)
    for alarm in alarms or []:
        if isinstance(alarm, dict) and alarm_metrics(alarm) & metrics and _alerting(alarm):
            ctx.observe(
                alarms_path.text, alarm.get("AlarmName"), expected, "metric_alarm", alarms_path.pointer("/data")
            )
            return true(
                f"metric filter {names[0]} on {group} feeds alarm {alarm.get('AlarmName')} with enabled actions"
            )
    shown = [a.get("AlarmName") for a in alarms or [] if isinstance(a, dict)]
    ctx.observe(
        alarms_path.text,
        shown,
        {"alarm with actions on": sorted(metrics)},
        "metric_alarm",
        alarms_path.pointer("/data"),
    )
    return false(
        f"metric filter(s) {names} on {group} match, but no alarm with enabled actions watches "
        f"{', '.join(f'{ns}/{name}' for ns, name in sorted(metrics))}"
    )
