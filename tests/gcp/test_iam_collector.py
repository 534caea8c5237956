"""IAM collector: service accounts with their user-managed keys."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from clearance.fakes import gcp_builders as b
from clearance.fakes.gcp import FakeGcp

from .conftest import PROJECT

ACCOUNT = "gcp.iam.service-account"


def test_account_keeps_only_user_managed_keys(fake_gcp: FakeGcp, gcp_collect: Any) -> None:
    user_key = b.service_account_key("app-runtime")
    system_key = b.service_account_key("app-runtime", "0a1b2c", keyType="SYSTEM_MANAGED", keyOrigin="GOOGLE_PROVIDED")
    fake_gcp.add_service_account(PROJECT, b.service_account("app-runtime"), keys=[user_key, system_key])
    fake_gcp.add_service_account(PROJECT, b.service_account("batch"))

    got = gcp_collect(services=("iam",))

    email = b.service_account_email("app-runtime")
    record = got.record(ACCOUNT, email)
    assert record["id"] == f"//iam.googleapis.com/projects/{PROJECT}/serviceAccounts/{email}"
    assert (record["region"], record["data"]["Keys_List"]) == ("global", [user_key])
    listed_at = datetime.strptime(record["data"]["Keys_ListTime"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert abs((datetime.now(UTC) - listed_at).total_seconds()) < 60  # key ages count back from here
    assert got.record(ACCOUNT, b.service_account_email("batch"))["data"]["Keys_List"] == []
    assert {r.query.get("keyTypes") for r in fake_gcp.calls("/keys")} == {"USER_MANAGED"}
    assert [(x.region, x.count) for x in got.listings(ACCOUNT)] == [("global", 2)]


def test_denied_key_list_is_an_error_on_the_account(fake_gcp: FakeGcp, gcp_collect: Any) -> None:
    fake_gcp.add_service_account(PROJECT, b.service_account("app-runtime"))
    fake_gcp.fail("*/keys")

    record = gcp_collect(services=("iam",)).record(ACCOUNT, b.service_account_email("app-runtime"))

    assert "Keys_List" not in record["data"] and "Keys_ListTime" not in record["data"]
    assert record["errors"]["Keys_List"]["permission"] == "iam.serviceAccountKeys.list"
