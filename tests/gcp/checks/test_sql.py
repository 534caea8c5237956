"""Cloud SQL instance checks through the real scan path (fake GCP over HTTP -> collect -> evaluate)."""

from __future__ import annotations

from typing import Any

from clearance.fakes import gcp_builders as b
from clearance.fakes.gcp import FakeGcp

SQL = ("sql",)


def instance(fake: FakeGcp, name: str, **fields: Any) -> None:
    fake.add_sql_instance(b.PROJECT, b.sql_instance(name, **fields))


def ip(**fields: Any) -> dict[str, Any]:
    """A ``settings`` override of the instance's ipConfiguration."""
    return {"ipConfiguration": fields}


def test_ssl_mode_and_legacy_require_ssl(fake_gcp: FakeGcp, gcp_scan: Any) -> None:
    instance(fake_gcp, "pg-encrypted")
    instance(fake_gcp, "pg-certs", settings=ip(sslMode="TRUSTED_CLIENT_CERTIFICATE_REQUIRED", requireSsl=True))
    instance(fake_gcp, "pg-plain", settings=ip(sslMode="ALLOW_UNENCRYPTED_AND_ENCRYPTED"))
    instance(fake_gcp, "pg-legacy", settings=ip(sslMode=b.ABSENT, requireSsl=True))
    instance(fake_gcp, "pg-legacy-off", settings=ip(sslMode=b.ABSENT, requireSsl=b.ABSENT))
    check = "gcp-sql-instance-ssl-required"
    result = gcp_scan(checks=[check], services=SQL)
    assert result.verdicts(check) == {
        "pg-encrypted": "PASS",
        "pg-certs": "PASS",
        "pg-plain": "FAIL",
        "pg-legacy": "PASS",
        "pg-legacy-off": "FAIL",
    }


def test_public_ip_and_open_authorized_networks(fake_gcp: FakeGcp, gcp_scan: Any) -> None:
    office = b.authorized_network("203.0.113.0/24")
    instance(fake_gcp, "pg-private", settings=ip(authorizedNetworks=[b.authorized_network("0.0.0.0/0")]))
    instance(fake_gcp, "pg-office", settings=ip(ipv4Enabled=True, authorizedNetworks=[office]))
    instance(
        fake_gcp,
        "pg-world",
        settings=ip(ipv4Enabled=True, authorizedNetworks=[office, b.authorized_network("0.0.0.0/0", "any")]),
    )
    instance(fake_gcp, "pg-world6", settings=ip(ipv4Enabled=True, authorizedNetworks=[b.authorized_network("::/0")]))
    instance(fake_gcp, "pg-unreported", settings=ip(ipv4Enabled=b.ABSENT))
    public = [{"type": "PRIMARY", "ipAddress": "34.64.1.2"}, {"type": "PRIVATE", "ipAddress": "10.20.0.5"}]
    instance(fake_gcp, "pg-unreported-public", settings=ip(ipv4Enabled=b.ABSENT), ipAddresses=public)
    checks = ["gcp-sql-instance-no-public-ip", "gcp-sql-instance-no-open-authorized-network"]
    result = gcp_scan(checks=checks, services=SQL)
    assert result.verdicts(checks[0]) == {
        "pg-private": "PASS",
        "pg-office": "FAIL",
        "pg-world": "FAIL",
        "pg-world6": "FAIL",
        "pg-unreported": "ERROR",  # never assumed private
        "pg-unreported-public": "FAIL",  # a PRIMARY address is a public IP whatever the flag
    }
    # Authorized networks only matter on a public IP: the private instance's stale 0.0.0.0/0 is inert.
    assert result.verdicts(checks[1]) == {
        "pg-private": "PASS",
        "pg-office": "PASS",
        "pg-world": "FAIL",
        "pg-world6": "FAIL",
        "pg-unreported": "PASS",  # no authorized network at all
        "pg-unreported-public": "PASS",
    }
    assert "'0.0.0.0/0'" in result.finding(checks[1], "pg-world")["reason"]


def test_cmek_disk(fake_gcp: FakeGcp, gcp_scan: Any) -> None:
    instance(fake_gcp, "pg-cmek")
    instance(fake_gcp, "pg-google", diskEncryptionConfiguration=b.ABSENT, diskEncryptionStatus=b.ABSENT)
    check = "gcp-sql-instance-cmek"
    result = gcp_scan(checks=[check], services=SQL)
    assert result.verdicts(check) == {"pg-cmek": "PASS", "pg-google": "FAIL"}


def test_pgaudit_needs_both_flags_and_applies_to_postgres_only(fake_gcp: FakeGcp, gcp_scan: Any) -> None:
    on = {"name": "cloudsql.enable_pgaudit", "value": "on"}
    instance(fake_gcp, "pg-audited")
    instance(fake_gcp, "pg-noflags", settings={"databaseFlags": []})
    instance(fake_gcp, "pg-enabled-only", settings={"databaseFlags": [on]})
    instance(fake_gcp, "pg-log-none", settings={"databaseFlags": [on, {"name": "pgaudit.log", "value": "none"}]})
    instance(fake_gcp, "mysql-app", database_version="MYSQL_8_0")
    check = "gcp-sql-instance-pgaudit"
    result = gcp_scan(checks=[check], services=SQL)
    assert result.verdicts(check) == {
        "pg-audited": "PASS",
        "pg-noflags": "FAIL",
        "pg-enabled-only": "FAIL",
        "pg-log-none": "FAIL",
        "mysql-app": "NOT_APPLICABLE",
    }
    assert "pgaudit.log flag" in result.finding(check, "pg-enabled-only")["reason"]


def test_data_residency(fake_gcp: FakeGcp, gcp_scan: Any) -> None:
    credit = {"userLabels": {"data-class": "personal-credit"}}
    instance(fake_gcp, "pg-seoul", settings=credit)
    instance(fake_gcp, "pg-tokyo", region="asia-northeast1", settings=credit)
    instance(fake_gcp, "pg-tokyo-public", region="asia-northeast1", settings={"userLabels": {"data-class": "public"}})
    instance(fake_gcp, "pg-tokyo-unknown", region="asia-northeast1", settings={"userLabels": b.ABSENT})
    check = "gcp-sql-instance-data-residency"
    result = gcp_scan(checks=[check], services=SQL)
    assert result.verdicts(check) == {
        "pg-seoul": "PASS",
        "pg-tokyo": "FAIL",
        "pg-tokyo-public": "NOT_APPLICABLE",
        "pg-tokyo-unknown": "NEEDS_CONTEXT",
    }


def test_denied_instance_listing_is_not_evaluated(fake_gcp: FakeGcp, gcp_scan: Any) -> None:
    instance(fake_gcp, "pg-hidden")
    fake_gcp.fail("*/sqladmin.googleapis.com/v1/projects/*/instances", status=403)
    check = "gcp-sql-instance-ssl-required"
    result = gcp_scan(checks=[check], services=SQL)
    assert result.verdicts(check) == {}
    gaps = [c for c in result.coverage if c["check_id"] == check]
    assert gaps and all(c["status"] == "not_evaluated" for c in gaps)
    assert "cloudsql.instances.list" in str(gaps)
