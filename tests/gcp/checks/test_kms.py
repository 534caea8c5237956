"""Cloud KMS key checks through the real scan path (fake GCP over HTTP -> collect -> evaluate)."""

from __future__ import annotations

from typing import Any

from clearance.fakes import gcp_builders as b
from clearance.fakes.gcp import FakeGcp

KMS = ("kms",)


def key(fake: FakeGcp, body: dict[str, Any], *bindings: dict[str, Any]) -> None:
    """``body`` in the default key ring, with ``bindings`` in the key's IAM policy."""
    fake.add_crypto_key(body, iam_policy=b.resource_iam_policy(*bindings))


def test_rotation_period_against_the_profile_maximum(fake_gcp: FakeGcp, gcp_scan: Any) -> None:
    fake_gcp.add_key_ring(b.key_ring())
    key(fake_gcp, b.crypto_key("k-90d", rotation_days=90))
    key(fake_gcp, b.crypto_key("k-365d", rotation_days=365))
    key(fake_gcp, b.crypto_key("k-2y", rotation_days=730))
    key(fake_gcp, b.crypto_key("k-never", rotationPeriod=b.ABSENT, nextRotationTime=b.ABSENT))
    key(fake_gcp, b.signing_key("k-signer"))
    key(fake_gcp, b.crypto_key("k-external", versionTemplate={"protectionLevel": "EXTERNAL"}))
    key(fake_gcp, b.crypto_key("k-imported", importOnly=True, rotationPeriod=b.ABSENT))
    check = "gcp-kms-key-rotation"
    result = gcp_scan(checks=[check], services=KMS)
    assert result.verdicts(check) == {
        "k-90d": "PASS",
        "k-365d": "PASS",  # the kr-fss maximum is 365 days
        "k-2y": "FAIL",
        "k-never": "FAIL",
        "k-signer": "NOT_APPLICABLE",
        "k-external": "MANUAL",
        "k-imported": "MANUAL",
    }
    assert "730 days (63072000s), more than 365" in result.finding(check, "k-2y")["reason"]
    assert "never rotated" in result.finding(check, "k-never")["reason"]


def test_key_and_key_ring_policies_must_not_be_public(fake_gcp: FakeGcp, gcp_scan: Any) -> None:
    user = b.binding("roles/cloudkms.cryptoKeyEncrypterDecrypter", f"serviceAccount:{b.APP_SA}")
    fake_gcp.add_key_ring(b.key_ring())
    key(fake_gcp, b.crypto_key("k-private"), user)
    key(fake_gcp, b.crypto_key("k-public"), b.binding("roles/cloudkms.cryptoKeyDecrypter", "allUsers"))
    fake_gcp.add_key_ring(
        b.key_ring("open-ring"),
        iam_policy=b.resource_iam_policy(b.binding("roles/cloudkms.viewer", "allAuthenticatedUsers")),
    )
    key(fake_gcp, b.crypto_key("k-in-open-ring", ring="open-ring"), user)
    check = "gcp-kms-key-not-public"
    result = gcp_scan(checks=[check], services=KMS)
    assert result.verdicts(check) == {"k-private": "PASS", "k-public": "FAIL", "k-in-open-ring": "FAIL"}
    assert result.finding(check, "k-in-open-ring")["reason"].startswith("Key ring policy: ")
    assert "allAuthenticatedUsers" in result.finding(check, "k-in-open-ring")["reason"]


def test_denied_key_policy_is_error_naming_the_permission(fake_gcp: FakeGcp, gcp_scan: Any) -> None:
    fake_gcp.add_key_ring(b.key_ring())
    key(fake_gcp, b.crypto_key("k-denied"))
    fake_gcp.fail("*/cryptoKeys/k-denied:getIamPolicy", status=403)
    finding = gcp_scan(checks=["gcp-kms-key-not-public"], services=KMS).finding("gcp-kms-key-not-public", "k-denied")
    assert finding["verdict"] == "ERROR"
    assert finding["error"]["permission"] == "cloudkms.cryptoKeys.getIamPolicy"
