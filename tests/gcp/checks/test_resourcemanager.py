"""Project-level checks (IAM policy, audit configuration, organization policies, log archive, Vertex AI
caching, VPC Service Controls) through the real scan path, one project per scenario."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from clearance.fakes import gcp_builders as b
from clearance.fakes.gcp import FakeGcp
from clearance.profile import load_profile

RM = ("resourcemanager",)
ALL = "gcp-resourcemanager-project-audit-logs-all-services"
VERTEX = "gcp-resourcemanager-project-audit-logs-vertex-ai"


def verdict(fake: FakeGcp, scan: Any, check: str, services: tuple[str, ...] = RM, **project: Any) -> dict[str, Any]:
    """Seed the default project with ``project`` (add_project keywords), scan, return its finding."""
    fake.add_project(b.project(), **project)
    return scan(checks=[check], services=services).finding(check, b.PROJECT)  # type: ignore[no-any-return]


def policy(*extra: dict[str, Any], audit: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The least-privilege project policy plus ``extra`` bindings, with ``audit`` as its auditConfigs."""
    fields: dict[str, Any] = {"bindings": [*b.project_bindings(), *extra]}
    if audit is not None:
        fields["auditConfigs"] = audit
    return b.project_iam_policy(**fields)


NO_AUDIT = b.project_iam_policy(auditConfigs=b.ABSENT)


@pytest.mark.parametrize(
    ("audit", "expected", "vertex"),
    [
        ([b.audit_config()], "PASS", "PASS"),
        (None, "FAIL", "FAIL"),  # no auditConfigs at all: Data Access logs off (the default)
        ([b.audit_config(log_types=("ADMIN_READ", "DATA_WRITE"))], "FAIL", "FAIL"),
        ([b.audit_config(exempted={"DATA_READ": ["user:batch@clearance.example"]})], "FAIL", "FAIL"),
        # Vertex AI on its own: the allServices check fails, the Vertex AI check passes.
        ([b.audit_config("aiplatform.googleapis.com", ("DATA_READ", "DATA_WRITE"))], "FAIL", "PASS"),
        # Types merge across allServices and the service entry.
        (
            [b.audit_config(log_types=("DATA_READ",)), b.audit_config("aiplatform.googleapis.com", ("DATA_WRITE",))],
            "FAIL",
            "PASS",
        ),
        # An exemption on the service entry exempts the member from that service's logs.
        (
            [
                b.audit_config(),
                b.audit_config("aiplatform.googleapis.com", ("DATA_READ",), exempted={"DATA_READ": ["user:x@y.z"]}),
            ],
            "PASS",
            "FAIL",
        ),
    ],
)
def test_data_access_audit_logs(
    fake_gcp: FakeGcp, gcp_scan: Any, audit: list[dict[str, Any]] | None, expected: str, vertex: str
) -> None:
    iam = b.project_iam_policy(auditConfigs=audit if audit is not None else b.ABSENT)
    fake_gcp.add_project(b.project(), iam_policy=iam)
    result = gcp_scan(checks=[ALL, VERTEX], services=RM)
    assert (result.finding(ALL, b.PROJECT)["verdict"], result.finding(VERTEX, b.PROJECT)["verdict"]) == (
        expected,
        vertex,
    )


def test_exempted_members_are_named(fake_gcp: FakeGcp, gcp_scan: Any) -> None:
    iam = policy(audit=[b.audit_config(exempted={"DATA_READ": ["user:batch@clearance.example"]})])
    finding = verdict(fake_gcp, gcp_scan, ALL, iam_policy=iam)
    assert finding["reason"] == (
        "Members are exempted from allServices audit logs (DATA_READ: user:batch@clearance.example)"
    )


def test_denied_iam_policy_is_error_naming_the_permission(fake_gcp: FakeGcp, gcp_scan: Any) -> None:
    fake_gcp.fail("*/projects/clearance-prod:getIamPolicy", status=403)
    finding = verdict(fake_gcp, gcp_scan, ALL)
    assert finding["verdict"] == "ERROR"
    assert finding["error"]["permission"] == "resourcemanager.projects.getIamPolicy"


SA = f"serviceAccount:{b.APP_SA}"
AGENT = f"serviceAccount:service-{b.PROJECT_NUMBER}@gcp-sa-aiplatform.iam.gserviceaccount.com"
DEFAULT_COMPUTE = f"serviceAccount:{b.PROJECT_NUMBER}-compute@developer.gserviceaccount.com"


@pytest.mark.parametrize(
    ("check", "binding", "expected"),
    [
        ("gcp-resourcemanager-project-no-broad-basic-roles", None, "PASS"),
        (
            "gcp-resourcemanager-project-no-broad-basic-roles",
            b.binding("roles/editor", "domain:clearance.example"),
            "FAIL",
        ),
        ("gcp-resourcemanager-project-no-broad-basic-roles", b.binding("roles/owner", "allAuthenticatedUsers"), "FAIL"),
        (
            "gcp-resourcemanager-project-no-broad-basic-roles",
            b.binding("roles/viewer", "domain:clearance.example"),
            "PASS",
        ),
        ("gcp-resourcemanager-project-no-broad-vertex-admin", None, "PASS"),
        ("gcp-resourcemanager-project-no-broad-vertex-admin", b.binding("roles/aiplatform.admin", "allUsers"), "FAIL"),
        (
            "gcp-resourcemanager-project-no-broad-vertex-admin",
            b.binding(
                "roles/aiplatform.admin", "principalSet://iam.googleapis.com/locations/global/workforcePools/p/*"
            ),
            "FAIL",
        ),
        (
            "gcp-resourcemanager-project-no-broad-vertex-admin",
            b.binding("roles/aiplatform.admin", "user:a@b.c"),
            "PASS",
        ),
        ("gcp-resourcemanager-project-no-service-account-admin", None, "PASS"),
        ("gcp-resourcemanager-project-no-service-account-admin", b.binding("roles/editor", SA), "FAIL"),
        ("gcp-resourcemanager-project-no-service-account-admin", b.binding("roles/storage.admin", SA), "FAIL"),
        ("gcp-resourcemanager-project-no-service-account-admin", b.binding("roles/editor", DEFAULT_COMPUTE), "FAIL"),
        ("gcp-resourcemanager-project-no-service-account-admin", b.binding("roles/aiplatform.admin", AGENT), "PASS"),
        ("gcp-resourcemanager-project-no-user-service-account-impersonation", None, "PASS"),
        (
            "gcp-resourcemanager-project-no-user-service-account-impersonation",
            b.binding("roles/iam.serviceAccountTokenCreator", "group:devs@clearance.example"),
            "FAIL",
        ),
        (
            "gcp-resourcemanager-project-no-user-service-account-impersonation",
            b.binding("roles/iam.serviceAccountUser", SA),  # a workload acting for another: not a person
            "PASS",
        ),
        ("gcp-resourcemanager-project-kms-separation-of-duties", None, "PASS"),
        (
            "gcp-resourcemanager-project-kms-separation-of-duties",
            b.binding("roles/cloudkms.cryptoKeyDecrypter", f"group:key-admins@{b.DOMAIN}"),
            "FAIL",
        ),
    ],
)
def test_project_iam_bindings(
    fake_gcp: FakeGcp, gcp_scan: Any, check: str, binding: dict[str, Any] | None, expected: str
) -> None:
    iam = policy(*([binding] if binding else []))
    assert verdict(fake_gcp, gcp_scan, check, iam_policy=iam)["verdict"] == expected


def test_separation_of_duties_names_the_member(fake_gcp: FakeGcp, gcp_scan: Any) -> None:
    iam = policy(b.binding("roles/cloudkms.cryptoKeyEncrypterDecrypter", f"group:key-admins@{b.DOMAIN}"))
    finding = verdict(fake_gcp, gcp_scan, "gcp-resourcemanager-project-kms-separation-of-duties", iam_policy=iam)
    assert finding["reason"] == (
        f"Group:key-admins@{b.DOMAIN} holds both roles/cloudkms.admin and roles/cloudkms.cryptoKeyEncrypterDecrypter"
    )


LOCATIONS = "gcp.resourceLocations"
PAP = "storage.publicAccessPrevention"
DOMAINS = "iam.allowedPolicyMemberDomains"
CMEK = "gcp.restrictNonCmekServices"
CMEK_SERVICES = [
    "storage.googleapis.com",
    "sqladmin.googleapis.com",
    "compute.googleapis.com",
    "aiplatform.googleapis.com",
]


def allowed(*values: str) -> dict[str, Any]:
    return {"values": {"allowedValues": list(values)}}


@pytest.mark.parametrize(
    ("check", "constraint", "rules", "expected"),
    [
        ("org-policy-resource-locations", LOCATIONS, [allowed("in:asia-northeast3-locations")], "PASS"),
        ("org-policy-resource-locations", LOCATIONS, [allowed("asia-northeast3", "asia-northeast3-a")], "PASS"),
        ("org-policy-resource-locations", LOCATIONS, [allowed("in:asia-locations")], "FAIL"),
        ("org-policy-resource-locations", LOCATIONS, [allowed("in:asia-northeast3-locations", "us-central1")], "FAIL"),
        ("org-policy-resource-locations", LOCATIONS, [{"allowAll": True}], "FAIL"),
        ("org-policy-resource-locations", LOCATIONS, None, "FAIL"),  # not set: every location allowed
        ("org-policy-public-access-prevention", PAP, [{"enforce": True}], "PASS"),
        ("org-policy-public-access-prevention", PAP, [{"enforce": False}], "FAIL"),
        (
            "org-policy-public-access-prevention",
            PAP,
            [
                {"enforce": True},
                {"enforce": False, "condition": {"expression": "resource.matchTag('x/web', 'public')"}},
            ],
            "FAIL",
        ),
        ("org-policy-public-access-prevention", PAP, None, "FAIL"),
        ("org-policy-member-domains", DOMAINS, [allowed("C03xy8k2a")], "PASS"),
        ("org-policy-member-domains", DOMAINS, [{"allowAll": True}], "FAIL"),
        ("org-policy-member-domains", DOMAINS, None, "FAIL"),
        ("org-policy-cmek-required", CMEK, [{"values": {"deniedValues": CMEK_SERVICES}}], "PASS"),
        ("org-policy-cmek-required", CMEK, [{"values": {"deniedValues": [f"is:{s}" for s in CMEK_SERVICES]}}], "PASS"),
        ("org-policy-cmek-required", CMEK, [{"denyAll": True}], "PASS"),
        ("org-policy-cmek-required", CMEK, [{"values": {"deniedValues": ["storage.googleapis.com"]}}], "FAIL"),
        ("org-policy-cmek-required", CMEK, None, "FAIL"),
    ],
)
def test_organization_policies(
    fake_gcp: FakeGcp, gcp_scan: Any, check: str, constraint: str, rules: list[dict[str, Any]] | None, expected: str
) -> None:
    effective = {constraint: b.org_policy(constraint, *rules)} if rules is not None else {}
    finding = verdict(fake_gcp, gcp_scan, f"gcp-resourcemanager-project-{check}", effective_policies=effective)
    assert finding["verdict"] == expected, finding["reason"]


def test_denied_org_policy_is_error_naming_the_permission(fake_gcp: FakeGcp, gcp_scan: Any) -> None:
    fake_gcp.fail("*/policies/gcp.resourceLocations:getEffectivePolicy", status=403)
    finding = verdict(fake_gcp, gcp_scan, "gcp-resourcemanager-project-org-policy-resource-locations")
    assert finding["verdict"] == "ERROR"
    assert finding["error"]["permission"] == "orgpolicy.policy.get"


ARCHIVE = "gcp-resourcemanager-project-log-archive-locked"
DEFAULT_SINK_FILTER = (
    'NOT LOG_ID("cloudaudit.googleapis.com/activity") AND NOT LOG_ID("externalaudittasks.googleapis.com/activity") '
    'AND NOT LOG_ID("cloudaudit.googleapis.com/system_event") '
    'AND NOT LOG_ID("cloudaudit.googleapis.com/access_transparency")'
)
LOGGING_DEST = f"logging.googleapis.com/projects/{b.PROJECT}/locations/global/buckets"


def sinks_and_buckets(fake: FakeGcp, *, default_locked: bool, archive: dict[str, Any] | None = None) -> None:
    """The two built-in sinks and buckets, plus an optional archive sink to a Cloud Storage bucket."""
    fake.add_log_bucket(b.log_bucket("_Required", locked=True))
    fake.add_log_bucket(b.log_bucket("_Default", locked=True if default_locked else b.ABSENT))
    fake.add_sink(b.PROJECT, b.log_sink("_Required", destination=f"{LOGGING_DEST}/_Required", filter="LOG_ID(x)"))
    fake.add_sink(b.PROJECT, b.log_sink("_Default", destination=f"{LOGGING_DEST}/_Default", filter=DEFAULT_SINK_FILTER))
    if archive is not None:
        fake.add_bucket(b.PROJECT, archive, iam_policy=b.bucket_iam_policy(archive["name"]))
        fake.add_sink(b.PROJECT, b.log_sink("archive", destination=f"storage.googleapis.com/{archive['name']}"))


@pytest.mark.parametrize(
    ("default_locked", "archive", "expected"),
    [
        (True, None, "PASS"),  # the _Default bucket (Data Access logs) is locked
        (False, None, "FAIL"),  # only _Required is locked, and it carries no Data Access logs
        (False, b.bucket("audit-archive", retentionPolicy=b.retention_policy(731)), "PASS"),
        (False, b.bucket("audit-archive", retentionPolicy=b.retention_policy(731, locked=False)), "FAIL"),
    ],
)
def test_log_archive_locked(
    fake_gcp: FakeGcp, gcp_scan: Any, default_locked: bool, archive: dict[str, Any] | None, expected: str
) -> None:
    sinks_and_buckets(fake_gcp, default_locked=default_locked, archive=archive)
    finding = verdict(fake_gcp, gcp_scan, ARCHIVE, services=("resourcemanager", "logging", "storage"))
    assert finding["verdict"] == expected, finding["reason"]


def test_disabled_or_filtered_sinks_do_not_count(fake_gcp: FakeGcp, gcp_scan: Any) -> None:
    sinks_and_buckets(fake_gcp, default_locked=False)
    fake_gcp.add_bucket(b.PROJECT, b.bucket("locked", retentionPolicy=b.retention_policy(731)))
    dest = "storage.googleapis.com/locked"
    fake_gcp.add_sink(b.PROJECT, b.log_sink("off", destination=dest, disabled=True))
    fake_gcp.add_sink(b.PROJECT, b.log_sink("vm-only", destination=dest, filter='resource.type="gce_instance"'))
    finding = verdict(fake_gcp, gcp_scan, ARCHIVE, services=("resourcemanager", "logging", "storage"))
    assert finding["verdict"] == "FAIL"


CACHE = "gcp-resourcemanager-project-vertex-cache-disabled"


def test_vertex_cache_must_be_disabled_when_zero_retention_is_required(fake_gcp: FakeGcp, gcp_scan: Any) -> None:
    assert verdict(fake_gcp, gcp_scan, CACHE, cache_config=b.cache_config())["verdict"] == "PASS"
    assert verdict(fake_gcp, gcp_scan, CACHE, cache_config=b.cache_config(disable_cache=False))["verdict"] == "FAIL"


def test_vertex_cache_not_applicable_without_zero_retention_or_vertex_ai(fake_gcp: FakeGcp, gcp_scan: Any) -> None:
    profile = load_profile()
    spec = {**profile.parameters["ai_zero_retention_required"], "value": False}
    relaxed = dataclasses.replace(profile, parameters={**profile.parameters, "ai_zero_retention_required": spec})
    fake_gcp.add_project(b.project(), cache_config=b.cache_config(disable_cache=False))
    finding = gcp_scan(checks=[CACHE], services=RM, profile=relaxed).finding(CACHE, b.PROJECT)
    assert finding["verdict"] == "NOT_APPLICABLE"
    fake_gcp.fail("*/cacheConfig", status=403, code="SERVICE_DISABLED")
    assert gcp_scan(checks=[CACHE], services=RM).finding(CACHE, b.PROJECT)["verdict"] == "NOT_APPLICABLE"


def test_denied_cache_config_is_error(fake_gcp: FakeGcp, gcp_scan: Any) -> None:
    fake_gcp.fail("*/cacheConfig", status=403)
    finding = verdict(fake_gcp, gcp_scan, CACHE)
    assert finding["verdict"] == "ERROR"
    assert finding["error"]["permission"] == "aiplatform.cacheConfigs.get"


PERIMETER = "gcp-resourcemanager-project-vpc-sc-perimeter"


def org_with_perimeter(fake: FakeGcp, *perimeters: dict[str, Any]) -> None:
    fake.add_access_policy(
        {"name": b.ACCESS_POLICY, "parent": f"organizations/{b.ORG_ID}", "title": "clearance", "etag": "e1"}
    )
    for body in perimeters:
        fake.add_perimeter(body)


@pytest.mark.parametrize(
    ("perimeters", "expected"),
    [
        ([b.service_perimeter()], "PASS"),
        ([], "FAIL"),
        ([b.service_perimeter(status={"restrictedServices": ["storage.googleapis.com"]})], "FAIL"),
        ([b.service_perimeter(perimeterType="PERIMETER_TYPE_BRIDGE")], "FAIL"),
        (
            [b.service_perimeter(status={"resources": [f"projects/{b.PROJECT_NUMBER}"], "restrictedServices": []})],
            "FAIL",
        ),
    ],
)
def test_vpc_service_controls_perimeter(
    fake_gcp: FakeGcp, gcp_scan: Any, perimeters: list[dict[str, Any]], expected: str
) -> None:
    org_with_perimeter(fake_gcp, *perimeters)
    finding = verdict(fake_gcp, gcp_scan, PERIMETER, services=("resourcemanager", "accesscontextmanager"))
    assert finding["verdict"] == expected, finding["reason"]


def test_denied_perimeter_listing_is_error(fake_gcp: FakeGcp, gcp_scan: Any) -> None:
    org_with_perimeter(fake_gcp, b.service_perimeter())
    fake_gcp.fail("*/servicePerimeters", status=403)
    finding = verdict(fake_gcp, gcp_scan, PERIMETER, services=("resourcemanager", "accesscontextmanager"))
    assert finding["verdict"] == "ERROR"
