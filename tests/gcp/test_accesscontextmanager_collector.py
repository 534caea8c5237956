"""VPC Service Controls collector: perimeters protecting the project, found through its organization."""

from __future__ import annotations

from typing import Any

from clearance.fakes import gcp_builders as b
from clearance.fakes.gcp import FakeGcp
from clearance.inventory import TypeStatus

from .conftest import PROJECT, PROJECT_NUMBER, own_links

PERIMETER = "gcp.accesscontextmanager.perimeter"
PROJECT_TYPE = "gcp.resourcemanager.project"
ORG = f"organizations/{b.ORG_ID}"
POLICY = {"name": b.ACCESS_POLICY, "parent": ORG, "title": "clearance", "etag": "d1e2f3"}


def _seed(fake: FakeGcp) -> None:
    fake.add_access_policy(POLICY)
    fake.add_perimeter(b.service_perimeter())
    fake.add_perimeter(b.service_perimeter("other_team", status={"resources": ["projects/555"]}))


def test_only_perimeters_protecting_the_project_are_emitted_and_linked(fake_gcp: FakeGcp, gcp_collect: Any) -> None:
    _seed(fake_gcp)

    got = gcp_collect(services=("accesscontextmanager", "resourcemanager"))

    perimeter = got.record(PERIMETER, "clearance_prod")
    assert (
        perimeter["id"] == f"//accesscontextmanager.googleapis.com/{b.ACCESS_POLICY}/servicePerimeters/clearance_prod"
    )
    assert perimeter["data"]["AccessPolicies_List"] == POLICY
    assert "aiplatform.googleapis.com" in perimeter["data"]["ServicePerimeters_List"]["status"]["restrictedServices"]
    project_id = f"//cloudresourcemanager.googleapis.com/projects/{PROJECT_NUMBER}"
    assert own_links(perimeter) == {"projects": [project_id]}
    assert set(got.records(PERIMETER)) == {"clearance_prod"}
    assert got.record(PROJECT_TYPE, PROJECT)["links"]["perimeters"] == [perimeter["id"]]
    (listing,) = [r for r in fake_gcp.calls("/accessPolicies") if r.path.endswith("/accessPolicies")]
    assert listing.query["parent"] == ORG


def test_folder_ancestry_is_walked_to_the_organization(fake_gcp: FakeGcp, gcp_collect: Any) -> None:
    _seed(fake_gcp)
    fake_gcp.add_project(b.project(parent="folders/22"))
    fake_gcp.add_folder({"name": "folders/22", "parent": "folders/11", "displayName": "prod", "state": "ACTIVE"})
    fake_gcp.add_folder({"name": "folders/11", "parent": ORG, "displayName": "fin", "state": "ACTIVE"})

    got = gcp_collect(services=("accesscontextmanager",))

    assert set(got.records(PERIMETER)) == {"clearance_prod"}
    assert [r.path.rsplit("/", 1)[-1] for r in fake_gcp.calls("/v3/folders/")] == ["22", "11"]


def test_unreadable_ancestry_or_policies_fail_the_listing(fake_gcp: FakeGcp, gcp_collect: Any) -> None:
    _seed(fake_gcp)
    fake_gcp.add_project(b.project(parent="folders/22"))
    fake_gcp.fail("*/v3/folders/22")

    got = gcp_collect(services=("accesscontextmanager", "resourcemanager"))

    (listing,) = got.listings(PERIMETER)
    assert listing.status is TypeStatus.FAILED and listing.error is not None
    assert listing.error.permission == "resourcemanager.folders.get"
    assert got.record(PROJECT_TYPE, PROJECT)["links"]["perimeters"] == [f"uncollected:{PERIMETER}"]


def test_denied_access_policies_name_the_permission(fake_gcp: FakeGcp, gcp_collect: Any) -> None:
    _seed(fake_gcp)
    fake_gcp.fail("*/v1/accessPolicies")

    (listing,) = gcp_collect(services=("accesscontextmanager",)).listings(PERIMETER)

    assert listing.status is TypeStatus.FAILED and listing.error is not None
    assert listing.error.permission == "accesscontextmanager.accessPolicies.list"


def test_project_outside_an_organization_has_no_perimeter(fake_gcp: FakeGcp, gcp_collect: Any) -> None:
    _seed(fake_gcp)
    fake_gcp.add_project(b.project(parent=b.ABSENT))

    got = gcp_collect(services=("accesscontextmanager", "resourcemanager"))

    (listing,) = got.listings(PERIMETER)
    assert (listing.status, listing.count) == (TypeStatus.LISTED, 0)
    assert got.record(PROJECT_TYPE, PROJECT)["links"]["perimeters"] == []
    assert not fake_gcp.calls("/accessPolicies")
