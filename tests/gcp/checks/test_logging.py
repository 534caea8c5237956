"""Cloud Logging bucket checks through the real scan path (fake GCP over HTTP -> collect -> evaluate)."""

from __future__ import annotations

import dataclasses
from typing import Any

from clearance.fakes import gcp_builders as b
from clearance.fakes.gcp import FakeGcp
from clearance.profile import load_profile

LOGGING = ("logging",)
RETENTION = "gcp-logging-bucket-retention"
FACTORY_DEFAULT = {"retentionDays": 30, "locked": b.ABSENT, "cmekSettings": b.ABSENT}


def workload(classes: list[str]) -> Any:
    """The default profile with a declared workload (log buckets carry no labels of their own)."""
    return dataclasses.replace(load_profile(), workload={"data_classes": classes, "pi_subjects": 1000})


def test_default_bucket_30_days_fails_and_undecidable_retention_needs_context(fake_gcp: FakeGcp, gcp_scan: Any) -> None:
    fake_gcp.add_log_bucket(b.log_bucket("_Required"))
    fake_gcp.add_log_bucket(b.log_bucket("_Default", **FACTORY_DEFAULT))
    fake_gcp.add_log_bucket(b.log_bucket("audit-1y", location=b.REGION, retentionDays=400))
    fake_gcp.add_log_bucket(b.log_bucket("audit-2y", location=b.REGION, retentionDays=731))
    fake_gcp.add_log_bucket(b.log_bucket("old", location=b.REGION, retentionDays=1, lifecycleState="DELETE_REQUESTED"))
    result = gcp_scan(checks=[RETENTION], services=LOGGING)
    assert result.verdicts(RETENTION) == {
        "_Required": "NOT_APPLICABLE",
        "_Default": "FAIL",  # 30 days is short of both 365 and 730
        "audit-1y": "NEEDS_CONTEXT",  # enough unless the data is elevated; the data class is unknown
        "audit-2y": "PASS",
        "old": "NOT_APPLICABLE",
    }
    assert "30" in result.finding(RETENTION, "_Default")["reason"]


def test_retention_is_decided_by_the_workload_data_class(fake_gcp: FakeGcp, gcp_scan: Any) -> None:
    fake_gcp.add_log_bucket(b.log_bucket("audit-1y", location=b.REGION, retentionDays=400))
    personal = workload(["personal"])
    unique = workload(["unique-id"])
    assert gcp_scan(checks=[RETENTION], services=LOGGING, profile=personal).verdicts(RETENTION) == {"audit-1y": "PASS"}
    assert gcp_scan(checks=[RETENTION], services=LOGGING, profile=unique).verdicts(RETENTION) == {"audit-1y": "FAIL"}


def test_locked_and_cmek(fake_gcp: FakeGcp, gcp_scan: Any) -> None:
    fake_gcp.add_log_bucket(b.log_bucket("_Required", locked=True))
    fake_gcp.add_log_bucket(b.log_bucket("_Default", **FACTORY_DEFAULT))
    fake_gcp.add_log_bucket(b.log_bucket("audit", location=b.REGION))
    checks = ["gcp-logging-bucket-locked", "gcp-logging-bucket-cmek"]
    result = gcp_scan(checks=checks, services=LOGGING)
    expected = {"_Required": "NOT_APPLICABLE", "_Default": "FAIL", "audit": "PASS"}
    assert result.verdicts(checks[0]) == expected
    assert result.verdicts(checks[1]) == expected


def test_denied_bucket_listing_is_not_evaluated(fake_gcp: FakeGcp, gcp_scan: Any) -> None:
    fake_gcp.add_log_bucket(b.log_bucket("_Default"))
    fake_gcp.fail("*/locations/-/buckets", status=403)
    result = gcp_scan(checks=[RETENTION], services=LOGGING)
    assert result.verdicts(RETENTION) == {}
    assert "logging.buckets.list" in str([c for c in result.coverage if c["check_id"] == RETENTION])
