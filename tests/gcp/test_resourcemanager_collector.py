"""The project record over real HTTP against the fake: IAM policy with audit configs, org policies, cache config."""

from __future__ import annotations

from typing import Any

from clearance.fakes import gcp_builders as b
from clearance.fakes.gcp import FakeGcp
from clearance.fakes.server import Recorded, Response
from clearance.inventory import TypeStatus

from .conftest import PROJECT, PROJECT_NUMBER

PROJECT_TYPE = "gcp.resourcemanager.project"


def test_project_keeps_every_raw_answer_under_its_operation(fake_gcp: FakeGcp, gcp_collect: Any) -> None:
    locations = b.org_policy("gcp.resourceLocations", {"values": {"allowedValues": ["in:asia-northeast3-locations"]}})
    fake_gcp.add_project(
        b.project(futureField={"nested": 1}),
        iam_policy=b.project_iam_policy(),
        effective_policies={"gcp.resourceLocations": locations},
        cache_config=b.cache_config(disable_cache=True),
    )

    got = gcp_collect(services=("resourcemanager",))
    record = got.record(PROJECT_TYPE, PROJECT)

    data = record["data"]
    assert record["id"] == f"//cloudresourcemanager.googleapis.com/projects/{PROJECT_NUMBER}"
    assert (record["region"], record["tags"], record["errors"]) == ("global", {"environment": "prod"}, {})
    assert data["Projects_Get"]["futureField"] == {"nested": 1}  # as received, unknown fields kept
    assert data["Projects_GetIamPolicy"]["auditConfigs"] == b.project_iam_policy()["auditConfigs"]
    assert data["EffectivePolicy_gcp_resourceLocations"] == locations
    assert data["EffectivePolicy_storage_publicAccessPrevention"] == {
        "name": f"projects/{PROJECT}/policies/storage.publicAccessPrevention"
    }
    assert {k for k in data if k.startswith("EffectivePolicy_")} == {
        "EffectivePolicy_gcp_resourceLocations",
        "EffectivePolicy_storage_publicAccessPrevention",
        "EffectivePolicy_iam_allowedPolicyMemberDomains",
        "EffectivePolicy_gcp_restrictNonCmekServices",
    }
    assert data["Projects_GetCacheConfig"]["disableCache"] is True
    (iam,) = fake_gcp.calls(":getIamPolicy", method="POST")
    assert iam.body and b'"requestedPolicyVersion": 3' in iam.body  # conditional bindings are returned whole
    (listing,) = got.listings(PROJECT_TYPE)
    assert (listing.status, listing.region, listing.count) == (TypeStatus.LISTED, "global", 1)


def test_denied_calls_are_errors_and_a_disabled_vertex_ai_is_absent(fake_gcp: FakeGcp, gcp_collect: Any) -> None:
    fake_gcp.fail("*:getIamPolicy")
    fake_gcp.fail("*/policies/iam.allowedPolicyMemberDomains:getEffectivePolicy")
    fake_gcp.fail("/aiplatform.googleapis.com/*/cacheConfig", code="SERVICE_DISABLED")

    record = gcp_collect(services=("resourcemanager",)).record(PROJECT_TYPE, PROJECT)
    errors = record["errors"]

    iam = errors["Projects_GetIamPolicy"]
    assert (iam["code"], iam["denied"], iam["permission"]) == (
        "PERMISSION_DENIED",
        True,
        "resourcemanager.projects.getIamPolicy",
    )
    policy = errors["EffectivePolicy_iam_allowedPolicyMemberDomains"]
    assert (policy["permission"], policy["operation"]) == ("orgpolicy.policy.get", "Policies_GetEffectivePolicy")
    assert set(errors) == {"Projects_GetIamPolicy", "EffectivePolicy_iam_allowedPolicyMemberDomains"}
    # Vertex AI off in the project: no cache to configure, an explicit absence rather than an error
    assert record["absent"] == {"Projects_GetCacheConfig": "SERVICE_DISABLED"}
    assert record["data"]["Projects_GetCacheConfig"] is None


def test_unreadable_project_fails_the_listing(fake_gcp: FakeGcp, gcp_collect: Any) -> None:
    seen: list[str] = []

    def project_get(request: Recorded) -> Response:
        """Planning reads the project; the collector's own read is the one denied."""
        seen.append(request.path)
        if len(seen) == 1:
            return fake_gcp.json(200, b.project())
        return fake_gcp.error(403, "PERMISSION_DENIED", "denied")

    fake_gcp.route("GET", f"*/v3/projects/{PROJECT}", project_get)

    got = gcp_collect(services=("resourcemanager",))

    (listing,) = got.listings(PROJECT_TYPE)
    assert listing.status is TypeStatus.FAILED and listing.error is not None
    assert listing.error.permission == "resourcemanager.projects.get"
    assert got.records(PROJECT_TYPE) == {}
    assert len(seen) == 2


def test_project_links_account_wide_resources_or_marks_them_uncollected(fake_gcp: FakeGcp, gcp_collect: Any) -> None:
    fake_gcp.add_sink(PROJECT, b.log_sink("audit-archive"))
    fake_gcp.add_log_bucket(b.log_bucket("_Default"))

    both = gcp_collect(services=("resourcemanager", "logging")).record(PROJECT_TYPE, PROJECT)["links"]
    alone = gcp_collect(services=("resourcemanager",)).record(PROJECT_TYPE, PROJECT)["links"]

    assert both["sinks"] == [f"//logging.googleapis.com/projects/{PROJECT}/sinks/audit-archive"]
    assert both["log_buckets"] == [f"//logging.googleapis.com/projects/{PROJECT}/locations/global/buckets/_Default"]
    assert both["service_accounts"] == ["uncollected:gcp.iam.service-account"]
    assert alone["sinks"] == ["uncollected:gcp.logging.sink"]
    assert alone["perimeters"] == ["uncollected:gcp.accesscontextmanager.perimeter"]
