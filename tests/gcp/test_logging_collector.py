"""Cloud Logging collector: log buckets across locations and sinks with their destinations."""

from __future__ import annotations

from typing import Any

from clearance.fakes import gcp_builders as b
from clearance.fakes.gcp import FakeGcp
from clearance.inventory import TypeStatus

from .conftest import PROJECT, own_links

BUCKET = "gcp.logging.bucket"
SINK = "gcp.logging.sink"
LOGS = f"//logging.googleapis.com/projects/{PROJECT}"


def test_buckets_and_sinks_with_links(fake_gcp: FakeGcp, gcp_collect: Any) -> None:
    fake_gcp.add_log_bucket(b.log_bucket("_Default", retentionDays=30, locked=b.ABSENT, cmekSettings=b.ABSENT))
    fake_gcp.add_log_bucket(b.log_bucket("audit-2y", location="asia-northeast3"))
    fake_gcp.add_sink(PROJECT, b.log_sink("to-gcs"))
    to_bucket = f"logging.googleapis.com/projects/{PROJECT}/locations/asia-northeast3/buckets/audit-2y"
    fake_gcp.add_sink(PROJECT, b.log_sink("to-bucket", destination=to_bucket))
    fake_gcp.add_sink(PROJECT, b.log_sink("to-bq", destination="bigquery.googleapis.com/projects/p/datasets/logs"))

    got = gcp_collect(services=("logging",))

    audit = got.record(BUCKET, "audit-2y")
    assert audit["id"] == f"{LOGS}/locations/asia-northeast3/buckets/audit-2y"
    assert (audit["region"], audit["data"]["Buckets_List"]["retentionDays"]) == ("asia-northeast3", 730)
    assert own_links(audit) == {
        "kms_key": [f"//cloudkms.googleapis.com/{b.kms_key_name('cmek-logs')}"],
        "sinks": [f"{LOGS}/sinks/to-bucket"],  # reversed from the sink's destination
    }
    default = got.record(BUCKET, "_Default")
    assert (default["region"], own_links(default)) == ("global", {"sinks": []})
    assert "locked" not in default["data"]["Buckets_List"]
    assert own_links(got.record(SINK, "to-gcs")) == {
        "destination": ["//storage.googleapis.com/projects/_/buckets/clearance-prod-audit-archive"]
    }
    assert own_links(got.record(SINK, "to-bucket")) == {"destination": [audit["id"]]}
    assert own_links(got.record(SINK, "to-bq")) == {
        "destination": ["//bigquery.googleapis.com/projects/p/datasets/logs"]
    }
    assert got.record(SINK, "to-gcs")["id"] == f"{LOGS}/sinks/to-gcs"
    (bucket_list,) = fake_gcp.calls("/buckets")
    assert bucket_list.path.endswith(f"/v2/projects/{PROJECT}/locations/-/buckets")  # every location at once


def test_denied_sinks_fail_only_the_sink_listing(fake_gcp: FakeGcp, gcp_collect: Any) -> None:
    fake_gcp.add_log_bucket(b.log_bucket("_Default"))
    fake_gcp.fail("*/sinks")

    got = gcp_collect(services=("logging",))

    (sinks,) = got.listings(SINK)
    assert sinks.status is TypeStatus.FAILED and sinks.error is not None
    assert sinks.error.permission == "logging.sinks.list"
    assert [x.status for x in got.listings(BUCKET)] == [TypeStatus.LISTED]
