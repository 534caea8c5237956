"""Project-level checks (IAM policy, audit configuration, organization policies, log archive, Vertex AI
caching, VPC Service Controls) through the real scan path, one project per scenario."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
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


def scan_projects(
    fake: FakeGcp, scan: Any, checks: list[str], cases: Mapping[str, Mapping[str, Any]], services: tuple[str, ...] = RM
) -> Any:
    """One project per case (its add_project keywords), all scanned at once: one scan, many scenarios."""
    for i, (project_id, seed) in enumerate(cases.items()):
        fake.add_project(b.project(project_id, number=f"9000000000{i:02d}"), **seed)
    return scan(checks=checks, projects=tuple(cases), services=services)


def audited(*configs: dict[str, Any]) -> dict[str, Any]:
    return {"iam_policy": b.project_iam_policy(auditConfigs=list(configs) if configs else b.ABSENT)}


def test_data_access_audit_logs(fake_gcp: FakeGcp, gcp_scan: Any) -> None:
    vertex_rw = b.audit_config("aiplatform.googleapis.com", ("DATA_READ", "DATA_WRITE"))
    cases = {
        "p-all-services": audited(b.audit_config()),
        "p-no-audit-config": audited(),  # Data Access logs off: the default
        "p-no-data-read": audited(b.audit_config(log_types=("ADMIN_READ", "DATA_WRITE"))),
        "p-exempted": audited(b.audit_config(exempted={"DATA_READ": ["user:batch@clearance.example"]})),
        "p-vertex-only": audited(vertex_rw),
        # Log types merge across allServices and the service's own entry.
        "p-merged": audited(
            b.audit_config(log_types=("DATA_READ",)), b.audit_config("aiplatform.googleapis.com", ("DATA_WRITE",))
        ),
        # An exemption on the service's entry exempts the member from that service's logs.
        "p-vertex-exempted": audited(
            b.audit_config(),
            b.audit_config("aiplatform.googleapis.com", ("DATA_READ",), exempted={"DATA_READ": ["user:x@y.z"]}),
        ),
    }
    result = scan_projects(fake_gcp, gcp_scan, [ALL, VERTEX], cases)
    assert result.verdicts(ALL) == {
        "p-all-services": "PASS",
        "p-no-audit-config": "FAIL",
        "p-no-data-read": "FAIL",
        "p-exempted": "FAIL",
        "p-vertex-only": "FAIL",
        "p-merged": "FAIL",
        "p-vertex-exempted": "PASS",
    }
    assert result.verdicts(VERTEX) == {
        "p-all-services": "PASS",
        "p-no-audit-config": "FAIL",
        "p-no-data-read": "FAIL",
        "p-exempted": "FAIL",
        "p-vertex-only": "PASS",
        "p-merged": "PASS",
        "p-vertex-exempted": "FAIL",
    }
    assert "DATA_READ are off for allServices" in result.finding(ALL, "p-no-data-read")["reason"]


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


def granted(*extra: dict[str, Any]) -> dict[str, Any]:
    return {"iam_policy": policy(*extra)}


IAM_CASES: dict[str, tuple[dict[str, dict[str, Any]], dict[str, str]]] = {
    "no-broad-basic-roles": (
        {
            "p-least-privilege": granted(),
            "p-domain-editor": granted(b.binding("roles/editor", "domain:clearance.example")),
            "p-public-owner": granted(b.binding("roles/owner", "allAuthenticatedUsers")),
            "p-domain-viewer": granted(b.binding("roles/viewer", "domain:clearance.example")),
        },
        {"p-least-privilege": "PASS", "p-domain-editor": "FAIL", "p-public-owner": "FAIL", "p-domain-viewer": "PASS"},
    ),
    "no-broad-vertex-admin": (
        {
            "p-least-privilege": granted(),
            "p-public-admin": granted(b.binding("roles/aiplatform.admin", "allUsers")),
            "p-pool-admin": granted(
                b.binding(
                    "roles/aiplatform.admin", "principalSet://iam.googleapis.com/locations/global/workforcePools/p/*"
                )
            ),
            "p-named-admin": granted(b.binding("roles/aiplatform.admin", "user:ml-admin@clearance.example")),
        },
        {"p-least-privilege": "PASS", "p-public-admin": "FAIL", "p-pool-admin": "FAIL", "p-named-admin": "PASS"},
    ),
    "no-service-account-admin": (
        {
            "p-least-privilege": granted(),
            "p-sa-editor": granted(b.binding("roles/editor", SA)),
            "p-sa-storage-admin": granted(b.binding("roles/storage.admin", SA)),
            "p-default-compute-editor": granted(b.binding("roles/editor", DEFAULT_COMPUTE)),
            "p-service-agent": granted(b.binding("roles/aiplatform.admin", AGENT)),  # Google-managed: excluded
        },
        {
            "p-least-privilege": "PASS",
            "p-sa-editor": "FAIL",
            "p-sa-storage-admin": "FAIL",
            "p-default-compute-editor": "FAIL",
            "p-service-agent": "PASS",
        },
    ),
    "no-user-service-account-impersonation": (
        {
            "p-least-privilege": granted(),
            "p-group-token-creator": granted(
                b.binding("roles/iam.serviceAccountTokenCreator", "group:devs@clearance.example")
            ),
            "p-workload-acts-as": granted(b.binding("roles/iam.serviceAccountUser", SA)),  # not a person
        },
        {"p-least-privilege": "PASS", "p-group-token-creator": "FAIL", "p-workload-acts-as": "PASS"},
    ),
    "kms-separation-of-duties": (
        {
            "p-least-privilege": granted(),
            "p-admin-decrypts": granted(b.binding("roles/cloudkms.cryptoKeyDecrypter", f"group:key-admins@{b.DOMAIN}")),
        },
        {"p-least-privilege": "PASS", "p-admin-decrypts": "FAIL"},
    ),
}


@pytest.mark.parametrize("check", sorted(IAM_CASES))
def test_project_iam_bindings(fake_gcp: FakeGcp, gcp_scan: Any, check: str) -> None:
    cases, expected = IAM_CASES[check]
    full = f"gcp-resourcemanager-project-{check}"
    assert scan_projects(fake_gcp, gcp_scan, [full], cases).verdicts(full) == expected


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


def effective(constraint: str, *rules: dict[str, Any]) -> dict[str, Any]:
    """add_project keywords: the project's effective policy for ``constraint`` (none without rules)."""
    return {"effective_policies": {constraint: b.org_policy(constraint, *rules)} if rules else {}}


EXEMPT_PUBLIC = {"enforce": False, "condition": {"expression": "resource.matchTag('x/web', 'public')"}}
ORG_CASES: dict[str, tuple[dict[str, dict[str, Any]], dict[str, str]]] = {
    "org-policy-resource-locations": (
        {
            "p-seoul-group": effective(LOCATIONS, allowed("in:asia-northeast3-locations")),
            "p-seoul-zones": effective(LOCATIONS, allowed("asia-northeast3", "asia-northeast3-a")),
            "p-asia": effective(LOCATIONS, allowed("in:asia-locations")),
            "p-seoul-and-us": effective(LOCATIONS, allowed("in:asia-northeast3-locations", "us-central1")),
            "p-allow-all": effective(LOCATIONS, {"allowAll": True}),
            "p-unset": effective(LOCATIONS),  # not set: every location allowed
        },
        {
            "p-seoul-group": "PASS",
            "p-seoul-zones": "PASS",
            "p-asia": "FAIL",
            "p-seoul-and-us": "FAIL",
            "p-allow-all": "FAIL",
            "p-unset": "FAIL",
        },
    ),
    "org-policy-public-access-prevention": (
        {
            "p-enforced": effective(PAP, {"enforce": True}),
            "p-not-enforced": effective(PAP, {"enforce": False}),
            "p-tag-exemption": effective(PAP, {"enforce": True}, EXEMPT_PUBLIC),
            "p-unset": effective(PAP),
        },
        {"p-enforced": "PASS", "p-not-enforced": "FAIL", "p-tag-exemption": "FAIL", "p-unset": "FAIL"},
    ),
    "org-policy-member-domains": (
        {
            "p-own-customer": effective(DOMAINS, allowed("C03xy8k2a")),
            "p-allow-all": effective(DOMAINS, {"allowAll": True}),
            "p-unset": effective(DOMAINS),
        },
        {"p-own-customer": "PASS", "p-allow-all": "FAIL", "p-unset": "FAIL"},
    ),
    "org-policy-cmek-required": (
        {
            "p-denied": effective(CMEK, {"values": {"deniedValues": CMEK_SERVICES}}),
            "p-denied-is": effective(CMEK, {"values": {"deniedValues": [f"is:{s}" for s in CMEK_SERVICES]}}),
            "p-deny-all": effective(CMEK, {"denyAll": True}),
            "p-storage-only": effective(CMEK, {"values": {"deniedValues": ["storage.googleapis.com"]}}),
            "p-unset": effective(CMEK),
        },
        {"p-denied": "PASS", "p-denied-is": "PASS", "p-deny-all": "PASS", "p-storage-only": "FAIL", "p-unset": "FAIL"},
    ),
}


@pytest.mark.parametrize("check", sorted(ORG_CASES))
def test_organization_policies(fake_gcp: FakeGcp, gcp_scan: Any, check: str) -> None:
    cases, expected = ORG_CASES[check]
    full = f"gcp-resourcemanager-project-{check}"
    assert scan_projects(fake_gcp, gcp_scan, [full], cases).verdicts(full) == expected


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


def test_vpc_service_controls_perimeter(fake_gcp: FakeGcp, gcp_scan: Any) -> None:
    def around(index: int, name: str, **fields: Any) -> dict[str, Any]:
        """A perimeter around the ``index``-th project of the scan (projects are named by number)."""
        status = {"resources": [f"projects/9000000000{index:02d}"]} | fields.pop("status", {})
        return b.service_perimeter(name, status=status, **fields)

    org_with_perimeter(
        fake_gcp,
        around(0, "full"),
        around(2, "storage_only", status={"restrictedServices": ["storage.googleapis.com"]}),
        around(3, "bridge", perimeterType="PERIMETER_TYPE_BRIDGE"),
        around(4, "nothing_restricted", status={"restrictedServices": []}),
    )
    cases: dict[str, dict[str, Any]] = {
        name: {} for name in ("p-full", "p-outside", "p-storage", "p-bridge", "p-empty")
    }
    services = ("resourcemanager", "accesscontextmanager")
    result = scan_projects(fake_gcp, gcp_scan, [PERIMETER], cases, services=services)
    assert result.verdicts(PERIMETER) == {
        "p-full": "PASS",
        "p-outside": "FAIL",
        "p-storage": "FAIL",
        "p-bridge": "FAIL",
        "p-empty": "FAIL",
    }


def test_denied_perimeter_listing_is_error(fake_gcp: FakeGcp, gcp_scan: Any) -> None:
    org_with_perimeter(fake_gcp, b.service_perimeter())
    fake_gcp.fail("*/servicePerimeters", status=403)
    finding = verdict(fake_gcp, gcp_scan, PERIMETER, services=("resourcemanager", "accesscontextmanager"))
    assert finding["verdict"] == "ERROR"
