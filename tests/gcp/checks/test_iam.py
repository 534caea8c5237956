"""Service account checks through the real scan path (fake GCP over HTTP -> collect -> evaluate)."""

from __future__ import annotations

from typing import Any

from clearance.fakes import gcp_builders as b
from clearance.fakes.gcp import FakeGcp

IAM = ("iam",)
ROTATION = "gcp-iam-service-account-key-rotation"
NO_KEYS = "gcp-iam-service-account-no-user-managed-keys"


def account(fake: FakeGcp, account_id: str, *keys: dict[str, Any]) -> None:
    fake.add_service_account(b.PROJECT, b.service_account(account_id), keys=keys)


def key(account_id: str, key_id: str, days_old: int, **fields: Any) -> dict[str, Any]:
    """A user-managed key created ``days_old`` days before the fake's clock (the listing time)."""
    from datetime import UTC, datetime, timedelta

    created = (datetime.now(UTC) - timedelta(days=days_old)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return b.service_account_key(account_id, key_id, validAfterTime=created, **fields)


def test_user_managed_keys_rotated_within_the_maximum_age(fake_gcp: FakeGcp, gcp_scan: Any) -> None:
    account(fake_gcp, "sa-fresh", key("sa-fresh", "a1", 10))
    account(fake_gcp, "sa-stale", key("sa-stale", "b1", 10), key("sa-stale", "b2", 200))
    account(fake_gcp, "sa-stale-disabled", key("sa-stale-disabled", "c1", 400, disabled=True))
    account(fake_gcp, "sa-keyless")
    result = gcp_scan(checks=[ROTATION, NO_KEYS], services=IAM)
    assert result.verdicts(ROTATION) == {
        "sa-fresh@clearance-prod.iam.gserviceaccount.com": "PASS",
        "sa-stale@clearance-prod.iam.gserviceaccount.com": "FAIL",
        "sa-stale-disabled@clearance-prod.iam.gserviceaccount.com": "PASS",
        "sa-keyless@clearance-prod.iam.gserviceaccount.com": "PASS",
    }
    assert "key b2" in result.finding(ROTATION, "sa-stale@clearance-prod.iam.gserviceaccount.com")["reason"]
    assert result.verdicts(NO_KEYS) == {
        "sa-fresh@clearance-prod.iam.gserviceaccount.com": "FAIL",
        "sa-stale@clearance-prod.iam.gserviceaccount.com": "FAIL",
        "sa-stale-disabled@clearance-prod.iam.gserviceaccount.com": "PASS",
        "sa-keyless@clearance-prod.iam.gserviceaccount.com": "PASS",
    }


def test_denied_key_listing_is_error_naming_the_permission(fake_gcp: FakeGcp, gcp_scan: Any) -> None:
    account(fake_gcp, "sa-hidden", key("sa-hidden", "d1", 10))
    fake_gcp.fail("*/serviceAccounts/*/keys", status=403)
    result = gcp_scan(checks=[ROTATION, NO_KEYS], services=IAM)
    for check in (ROTATION, NO_KEYS):
        finding = result.finding(check, "sa-hidden@clearance-prod.iam.gserviceaccount.com")
        assert finding["verdict"] == "ERROR"
        assert finding["error"]["permission"] == "iam.serviceAccountKeys.list"
