"""Cloud Storage collector over real HTTP against the fake: raw bucket JSON, IAM policy, paging, errors."""

from __future__ import annotations

from typing import Any

from clearance.fakes import gcp_builders as b
from clearance.fakes.gcp import FakeGcp
from clearance.inventory import TypeStatus

from .conftest import PROJECT, own_links

BUCKET = "gcp.storage.bucket"


def test_bucket_keeps_raw_json_iam_policy_and_links(fake_gcp: FakeGcp, gcp_collect: Any) -> None:
    public = b.binding("roles/storage.objectViewer", "allUsers")
    fake_gcp.add_bucket(
        PROJECT, b.bucket("crm-data", futureField=1), iam_policy=b.bucket_iam_policy("crm-data", public)
    )
    fake_gcp.add_bucket(PROJECT, b.bucket("crm-archive", location="ASIA", encryption=b.ABSENT, logging=b.ABSENT))

    got = gcp_collect(services=("storage",))

    data = got.record(BUCKET, "crm-data")
    assert data["id"] == "//storage.googleapis.com/projects/_/buckets/crm-data"
    assert (data["region"], data["tags"], data["errors"]) == ("asia-northeast3", {"environment": "prod"}, {})
    assert data["data"]["Buckets_List"]["futureField"] == 1
    assert data["data"]["Buckets_List"]["iamConfiguration"]["publicAccessPrevention"] == "enforced"
    assert data["data"]["Buckets_GetIamPolicy"]["bindings"] == [public]
    assert own_links(data) == {
        "kms_key": [f"//cloudkms.googleapis.com/{b.kms_key_name('cmek-storage')}"],
        "log_bucket": ["//storage.googleapis.com/projects/_/buckets/clearance-prod-access-logs"],
        "sinks": ["uncollected:gcp.logging.sink"],  # sinks not listed: whether it is a log archive is unknown
    }
    archive = got.record(BUCKET, "crm-archive")
    assert archive["region"] == "asia"  # multi-region, lower-cased
    assert "kms_key" not in archive["links"] and "log_bucket" not in archive["links"]  # none, rather than empty
    assert {(x.region, x.count) for x in got.listings(BUCKET)} == {("asia-northeast3", 1), ("asia", 1)}
    (iam,) = fake_gcp.calls("/b/crm-data/iam")
    assert iam.query["optionsRequestedPolicyVersion"] == "3"


def test_bucket_list_is_paged_and_scoped_to_the_project(fake_gcp: FakeGcp, gcp_collect: Any) -> None:
    fake_gcp.page_size = 2
    for name in ("b1", "b2", "b3", "b4", "b5"):
        fake_gcp.add_bucket(PROJECT, b.bucket(name))
    fake_gcp.add_bucket("other-project", b.bucket("not-ours"))

    got = gcp_collect(services=("storage",))

    assert sorted(got.records(BUCKET)) == ["b1", "b2", "b3", "b4", "b5"]
    pages = fake_gcp.calls("/storage/v1/b")
    pages = [r for r in pages if r.path.endswith("/storage/v1/b")]
    assert len(pages) == 3
    assert {r.query["project"] for r in pages} == {PROJECT}
    assert [("pageToken" in r.query) for r in pages] == [False, True, True]
    assert all("maxResults" not in r.query for r in pages)  # the server's page size, not a client cap


def test_denied_iam_policy_is_an_error_naming_the_storage_permission(fake_gcp: FakeGcp, gcp_collect: Any) -> None:
    fake_gcp.add_bucket(PROJECT, b.bucket("crm-data"))
    fake_gcp.fail("*/b/crm-data/iam", code="forbidden")  # Storage JSON errors carry a reason, no status

    record = gcp_collect(services=("storage",)).record(BUCKET, "crm-data")

    assert "Buckets_GetIamPolicy" not in record["data"]
    error = record["errors"]["Buckets_GetIamPolicy"]
    assert (error["code"], error["denied"], error["permission"]) == ("forbidden", True, "storage.buckets.getIamPolicy")
    assert "fake" in error["message"]


def test_denied_bucket_list_fails_the_listing(fake_gcp: FakeGcp, gcp_collect: Any) -> None:
    fake_gcp.add_bucket(PROJECT, b.bucket("crm-data"))
    fake_gcp.fail("/storage.googleapis.com/storage/v1/b")

    got = gcp_collect(services=("storage",))

    (listing,) = got.listings(BUCKET)
    assert (listing.status, listing.region, listing.list_call) == (TypeStatus.FAILED, "*", "Buckets_List")
    assert listing.error is not None and listing.error.permission == "storage.buckets.list"
    assert got.records(BUCKET) == {}
