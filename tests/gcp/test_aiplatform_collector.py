"""Vertex AI collector: endpoints, models and datasets listed per location on regional endpoints."""

from __future__ import annotations

from typing import Any

from clearance.fakes import gcp_builders as b
from clearance.fakes.gcp import FakeGcp
from clearance.inventory import TypeStatus

from .conftest import PROJECT, PROJECT_NUMBER, own_links

VERTEX = f"//aiplatform.googleapis.com/projects/{PROJECT_NUMBER}/locations"


def _seed(fake: FakeGcp) -> None:
    fake.add_vertex("endpoints", b.vertex_endpoint("1001"))
    fake.add_vertex("models", b.vertex_model("credit-scoring"))
    fake.add_vertex("datasets", b.vertex_dataset("2001"))
    fake.add_vertex("endpoints", b.vertex_endpoint("1002", location="us-central1", encryptionSpec=b.ABSENT))


def test_resources_are_read_on_their_regional_endpoint(fake_gcp: FakeGcp, gcp_collect: Any) -> None:
    _seed(fake_gcp)

    got = gcp_collect(services=("aiplatform",))

    endpoint = got.record("gcp.aiplatform.endpoint", "endpoint-1001")
    assert endpoint["id"] == f"{VERTEX}/asia-northeast3/endpoints/1001"
    assert endpoint["region"] == "asia-northeast3"
    config = endpoint["data"]["Endpoints_List"]
    assert config["privateServiceConnectConfig"]["enablePrivateServiceConnect"] is True
    assert config["predictRequestResponseLoggingConfig"]["enabled"] is True
    assert own_links(endpoint) == {
        "kms_key": [f"//cloudkms.googleapis.com/{b.kms_key_name('cmek-vertex')}"],
        "models": [f"{VERTEX}/asia-northeast3/models/credit-scoring"],
    }
    model = got.record("gcp.aiplatform.model", "credit-scoring")
    assert model["id"] == endpoint["links"]["models"][0]
    assert got.record("gcp.aiplatform.dataset", "dataset-2001")["data"]["Datasets_List"]["encryptionSpec"]
    us = got.record("gcp.aiplatform.endpoint", "endpoint-1002")
    assert (us["region"], "kms_key" in us["links"]) == ("us-central1", False)
    hosts = {r.path.split("/")[1] for r in fake_gcp.requests if "/locations/" in r.path}
    assert hosts == {"asia-northeast3-aiplatform.googleapis.com", "us-central1-aiplatform.googleapis.com"}
    assert {(x.region, x.count) for x in got.listings("gcp.aiplatform.endpoint")} == {
        ("asia-northeast3", 1),
        ("us-central1", 1),
    }


def test_a_failed_location_fails_that_region_for_that_kind(fake_gcp: FakeGcp, gcp_collect: Any) -> None:
    _seed(fake_gcp)
    fake_gcp.fail("/us-central1-aiplatform.googleapis.com/*/endpoints")

    got = gcp_collect(services=("aiplatform",))

    endpoints = {x.region: x for x in got.listings("gcp.aiplatform.endpoint")}
    assert endpoints["us-central1"].status is TypeStatus.FAILED
    assert endpoints["us-central1"].error is not None
    assert endpoints["us-central1"].error.permission == "aiplatform.endpoints.list"
    assert endpoints["asia-northeast3"].status is TypeStatus.LISTED
    assert {x.status for x in got.listings("gcp.aiplatform.model")} == {TypeStatus.LISTED}


def test_denied_location_list_fails_every_vertex_type(fake_gcp: FakeGcp, gcp_collect: Any) -> None:
    fake_gcp.fail(f"/aiplatform.googleapis.com/v1/projects/{PROJECT}/locations")

    got = gcp_collect(services=("aiplatform",))

    for rtype in ("gcp.aiplatform.endpoint", "gcp.aiplatform.model", "gcp.aiplatform.dataset"):
        (listing,) = got.listings(rtype)
        assert listing.status is TypeStatus.FAILED and listing.error is not None
        assert listing.error.permission == "aiplatform.locations.list"
