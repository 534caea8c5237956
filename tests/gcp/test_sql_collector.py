"""Cloud SQL collector: raw instance JSON (IP configuration, flags, CMEK) with its links."""

from __future__ import annotations

from typing import Any

from clearance.fakes import gcp_builders as b
from clearance.fakes.gcp import FakeGcp
from clearance.inventory import TypeStatus

from .conftest import PROJECT

INSTANCE = "gcp.sql.instance"


def test_instance_keeps_raw_settings_and_links_its_key_and_network(fake_gcp: FakeGcp, gcp_collect: Any) -> None:
    fake_gcp.add_sql_instance(PROJECT, b.sql_instance("crm-db"))
    fake_gcp.add_sql_instance(PROJECT, b.sql_instance("legacy-db", database_version="MYSQL_8_0", region="us-central1"))

    got = gcp_collect(services=("sql",))

    record = got.record(INSTANCE, "crm-db")
    item = b.sql_instance("crm-db")
    assert record["id"] == f"//sqladmin.googleapis.com/projects/{PROJECT}/instances/crm-db"
    assert record["data"]["Instances_List"] == item
    assert record["region"] == "asia-northeast3"
    assert record["tags"] == item["settings"].get("userLabels", {})
    assert record["links"]["kms_key"] == [
        "//cloudkms.googleapis.com/" + item["diskEncryptionConfiguration"]["kmsKeyName"]
    ]
    network = item["settings"]["ipConfiguration"]["privateNetwork"]
    assert record["links"]["network"] == ["//compute.googleapis.com/" + network.split("/compute/v1/")[-1]]
    assert got.record(INSTANCE, "legacy-db")["region"] == "us-central1"
    assert {(x.region, x.count) for x in got.listings(INSTANCE)} == {("asia-northeast3", 1), ("us-central1", 1)}


def test_denied_list_names_the_cloudsql_permission(fake_gcp: FakeGcp, gcp_collect: Any) -> None:
    fake_gcp.fail("/sqladmin.googleapis.com/*")

    (listing,) = gcp_collect(services=("sql",)).listings(INSTANCE)

    assert listing.status is TypeStatus.FAILED and listing.error is not None
    assert (listing.error.permission, listing.error.denied) == ("cloudsql.instances.list", True)
