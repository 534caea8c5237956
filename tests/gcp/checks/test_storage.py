"""Cloud Storage bucket checks through the real scan path (fake GCP over HTTP -> collect -> evaluate)."""

from __future__ import annotations

from typing import Any

from clearance.fakes import gcp_builders as b
from clearance.fakes.gcp import FakeGcp

STORAGE = ("storage",)
PUBLIC = b.binding("roles/storage.objectViewer", "allUsers")
PROJECT_PAP = "storage.publicAccessPrevention"


def bucket(fake: FakeGcp, name: str, *bindings: dict[str, Any], **fields: Any) -> None:
    """A bucket with ``bindings`` in its IAM policy (the new-bucket defaults when none)."""
    fake.add_bucket(b.PROJECT, b.bucket(name, **fields), iam_policy=b.bucket_iam_policy(name, *bindings))


def test_cmek_passes_and_google_managed_encryption_fails(fake_gcp: FakeGcp, gcp_scan: Any) -> None:
    bucket(fake_gcp, "bkt-cmek")
    bucket(fake_gcp, "bkt-google", encryption=b.ABSENT)
    check = "gcp-storage-bucket-cmk-encryption"
    result = gcp_scan(checks=[check], services=STORAGE)
    assert result.verdicts(check) == {"bkt-cmek": "PASS", "bkt-google": "FAIL"}
    assert result.finding(check, "bkt-google")["reason"].startswith(
        "New objects are encrypted with Google-managed keys"
    )


def test_uniform_bucket_level_access(fake_gcp: FakeGcp, gcp_scan: Any) -> None:
    bucket(fake_gcp, "bkt-uniform")
    bucket(fake_gcp, "bkt-acls", iamConfiguration={"uniformBucketLevelAccess": {"enabled": False}})
    bucket(fake_gcp, "bkt-unreported", iamConfiguration={"uniformBucketLevelAccess": b.ABSENT})
    check = "gcp-storage-bucket-uniform-access"
    result = gcp_scan(checks=[check], services=STORAGE)
    assert result.verdicts(check) == {"bkt-uniform": "PASS", "bkt-acls": "FAIL", "bkt-unreported": "FAIL"}


def test_enforced_prevention_overrides_public_binding_but_the_binding_is_still_reported(
    fake_gcp: FakeGcp, gcp_scan: Any
) -> None:
    # Prevention enforced on the bucket, yet allUsers bound: not exposed, IAM hygiene fails.
    bucket(fake_gcp, "bkt-blocked", PUBLIC)
    # Prevention inherited (org policy not enforced) and allUsers bound: exposed.
    bucket(fake_gcp, "bkt-exposed", PUBLIC, iamConfiguration={"publicAccessPrevention": "inherited"})
    # Prevention inherited, only project members: not exposed, setting fails.
    bucket(fake_gcp, "bkt-latent", iamConfiguration={"publicAccessPrevention": "inherited"})
    # allAuthenticatedUsers is any Google account: exposed too.
    bucket(
        fake_gcp,
        "bkt-anyaccount",
        b.binding("roles/storage.objectViewer", "allAuthenticatedUsers"),
        iamConfiguration={"publicAccessPrevention": "inherited"},
    )
    checks = [
        "gcp-storage-bucket-public-access-prevention",
        "gcp-storage-bucket-not-publicly-accessible",
        "gcp-storage-bucket-iam-no-public-members",
    ]
    result = gcp_scan(checks=checks, services=("storage", "resourcemanager"))
    assert result.verdicts(checks[0]) == {
        "bkt-blocked": "PASS",
        "bkt-exposed": "FAIL",
        "bkt-latent": "FAIL",
        "bkt-anyaccount": "FAIL",
    }
    assert result.verdicts(checks[1]) == {
        "bkt-blocked": "PASS",
        "bkt-exposed": "FAIL",
        "bkt-latent": "PASS",
        "bkt-anyaccount": "FAIL",
    }
    assert result.verdicts(checks[2]) == {
        "bkt-blocked": "FAIL",
        "bkt-exposed": "FAIL",
        "bkt-latent": "PASS",
        "bkt-anyaccount": "FAIL",
    }
    exposed = result.finding(checks[1], "bkt-exposed")["reason"]
    assert exposed.startswith("The bucket is publicly accessible")
    assert "grants roles/storage.objectViewer to allUsers" in exposed
    assert "allUsers" in result.finding(checks[2], "bkt-blocked")["reason"]


def test_inherited_prevention_counts_when_the_org_policy_enforces_it(fake_gcp: FakeGcp, gcp_scan: Any) -> None:
    fake_gcp.add_project(b.project(), effective_policies={PROJECT_PAP: b.org_policy(PROJECT_PAP, {"enforce": True})})
    bucket(fake_gcp, "bkt-inherits", PUBLIC, iamConfiguration={"publicAccessPrevention": "inherited"})
    checks = ["gcp-storage-bucket-public-access-prevention", "gcp-storage-bucket-not-publicly-accessible"]
    result = gcp_scan(checks=checks, services=("storage", "resourcemanager"))
    assert [result.finding(c, "bkt-inherits")["verdict"] for c in checks] == ["PASS", "PASS"]


def test_denied_iam_policy_is_error_naming_the_permission(fake_gcp: FakeGcp, gcp_scan: Any) -> None:
    bucket(fake_gcp, "bkt-denied", iamConfiguration={"publicAccessPrevention": "inherited"})
    fake_gcp.fail("*/b/bkt-denied/iam", status=403)
    checks = ["gcp-storage-bucket-iam-no-public-members", "gcp-storage-bucket-not-publicly-accessible"]
    result = gcp_scan(checks=checks, services=("storage", "resourcemanager"))
    for check in checks:
        finding = result.finding(check, "bkt-denied")
        assert finding["verdict"] == "ERROR"
        assert finding["error"]["permission"] == "storage.buckets.getIamPolicy"


def test_log_archive_buckets_must_be_locked_and_retained(fake_gcp: FakeGcp, gcp_scan: Any) -> None:
    two_years = b.retention_policy(731)
    bucket(fake_gcp, "arch-locked", retentionPolicy=two_years)
    bucket(fake_gcp, "arch-unlocked", retentionPolicy=b.retention_policy(731, locked=False))
    bucket(fake_gcp, "arch-none")
    bucket(fake_gcp, "arch-short", retentionPolicy=b.retention_policy(90))
    bucket(fake_gcp, "arch-between", retentionPolicy=b.retention_policy(400))
    bucket(fake_gcp, "bkt-data")  # no sink exports here
    for name in ("arch-locked", "arch-unlocked", "arch-none", "arch-short", "arch-between"):
        fake_gcp.add_sink(b.PROJECT, b.log_sink(f"to-{name}", destination=f"storage.googleapis.com/{name}"))
    checks = ["gcp-storage-bucket-log-archive-locked", "gcp-storage-bucket-log-archive-retention"]
    result = gcp_scan(checks=checks, services=("storage", "logging"))
    assert result.verdicts(checks[0]) == {
        "arch-locked": "PASS",
        "arch-unlocked": "FAIL",
        "arch-none": "FAIL",
        "arch-short": "PASS",
        "arch-between": "PASS",
        "bkt-data": "NOT_APPLICABLE",
    }
    assert result.verdicts(checks[1]) == {
        "arch-locked": "PASS",
        "arch-unlocked": "PASS",
        "arch-none": "FAIL",
        "arch-short": "FAIL",
        "arch-between": "NEEDS_CONTEXT",  # 400 days: enough for 1 year, not for 2; data class unknown
        "bkt-data": "NOT_APPLICABLE",
    }


def test_log_archive_retention_follows_the_declared_data_class(fake_gcp: FakeGcp, gcp_scan: Any) -> None:
    personal = {"data-class": "personal", "pi-subjects": "1200"}
    bucket(fake_gcp, "arch-personal", retentionPolicy=b.retention_policy(400), labels=personal)
    bucket(fake_gcp, "arch-personal-many", retentionPolicy=b.retention_policy(400), labels={"data-class": "personal"})
    bucket(fake_gcp, "arch-unique", retentionPolicy=b.retention_policy(400), labels={"data-class": "unique-id"})
    for name in ("arch-personal", "arch-personal-many", "arch-unique"):
        fake_gcp.add_sink(b.PROJECT, b.log_sink(f"to-{name}", destination=f"storage.googleapis.com/{name}"))
    check = "gcp-storage-bucket-log-archive-retention"
    result = gcp_scan(checks=[check], services=("storage", "logging"))
    assert result.verdicts(check) == {
        "arch-personal": "PASS",  # 1 year suffices below 50,000 data subjects
        "arch-personal-many": "NEEDS_CONTEXT",  # personal data, subject count unknown: 1 or 2 years
        "arch-unique": "FAIL",  # unique identifiers: 2 years
    }


def test_usage_logging(fake_gcp: FakeGcp, gcp_scan: Any) -> None:
    bucket(fake_gcp, "bkt-logged")
    bucket(fake_gcp, "bkt-silent", logging=b.ABSENT)
    bucket(fake_gcp, "arch-logs", logging=b.ABSENT)
    fake_gcp.add_sink(b.PROJECT, b.log_sink("archive", destination="storage.googleapis.com/arch-logs"))
    check = "gcp-storage-bucket-access-logging"
    result = gcp_scan(checks=[check], services=("storage", "logging"))
    assert result.verdicts(check) == {"bkt-logged": "PASS", "bkt-silent": "FAIL", "arch-logs": "NOT_APPLICABLE"}


def test_data_residency_by_location_and_data_class(fake_gcp: FakeGcp, gcp_scan: Any) -> None:
    bucket(fake_gcp, "kr-credit", labels={"data-class": "personal-credit"})
    bucket(fake_gcp, "asia-credit", location="ASIA", labels={"data-class": "personal-credit"})
    bucket(fake_gcp, "us-public", location="US-CENTRAL1", labels={"data-class": "public"})
    bucket(fake_gcp, "kr-unknown", labels=b.ABSENT)
    bucket(fake_gcp, "tokyo-unknown", location="ASIA-NORTHEAST1", labels=b.ABSENT)
    check = "gcp-storage-bucket-data-residency"
    result = gcp_scan(checks=[check], services=STORAGE)
    assert result.verdicts(check) == {
        "kr-credit": "PASS",
        "asia-credit": "FAIL",
        "us-public": "NOT_APPLICABLE",
        "kr-unknown": "PASS",
        "tokyo-unknown": "NEEDS_CONTEXT",
    }
