"""Azure SQL server and database checks through the real scan path (fake ARM -> collect -> evaluate)."""

from __future__ import annotations

from typing import Any

from clearance.fakes import arm_builders as b
from clearance.fakes.arm import FakeArm

SQL = ("sql",)


def server(
    fake: FakeArm,
    name: str,
    *,
    protector: str = "AzureKeyVault",
    audit: dict[str, Any] | None = None,
    rules: tuple[tuple[str, str], ...] = (),
    **props: Any,
) -> None:
    """A logical server with its encryption protector, auditing policy and firewall rules."""
    fake.add(
        b.sql_server(name, **props),
        b.encryption_protector(name, server_key_type=protector),
        audit or b.server_auditing(name),
        *(b.sql_firewall_rule(name, f"rule-{i}", start, end) for i, (start, end) in enumerate(rules)),
    )


def test_tde_protector_must_be_a_key_vault_key(arm: FakeArm, azure_scan: Any) -> None:
    server(arm, "sql-cmk")
    server(arm, "sql-msft", protector="ServiceManaged")
    result = azure_scan(checks=["azure-sql-server-tde-cmk"], services=SQL)
    assert result.verdicts("azure-sql-server-tde-cmk") == {"sql-cmk": "PASS", "sql-msft": "FAIL"}
    assert "'ServiceManaged'" in result.finding("azure-sql-server-tde-cmk", "sql-msft")["reason"]


def test_database_tde_enabled_and_master_not_applicable(arm: FakeArm, azure_scan: Any) -> None:
    server(arm, "sql-app")
    for db, state in (("orders", "Enabled"), ("legacy", "Disabled"), ("master", "Disabled")):
        arm.add(b.sql_database("sql-app", db), b.transparent_data_encryption("sql-app", db, state=state))
    result = azure_scan(checks=["azure-sql-database-tde-enabled"], services=SQL)
    assert result.verdicts("azure-sql-database-tde-enabled") == {
        "orders": "PASS",
        "legacy": "FAIL",
        "master": "NOT_APPLICABLE",
    }


def test_auditing_enabled(arm: FakeArm, azure_scan: Any) -> None:
    server(arm, "sql-audited")
    server(arm, "sql-silent", audit=b.server_auditing("sql-silent", state="Disabled"))
    result = azure_scan(checks=["azure-sql-server-auditing-enabled"], services=SQL)
    assert result.verdicts("azure-sql-server-auditing-enabled") == {"sql-audited": "PASS", "sql-silent": "FAIL"}


def test_audit_retention_depends_on_data_class(arm: FakeArm, azure_scan: Any) -> None:
    def audited(name: str, days: int, **kw: Any) -> dict[str, Any]:
        return b.server_auditing(name, retention_days=days, **kw)

    server(arm, "sql-forever", audit=audited("sql-forever", 0))
    server(arm, "sql-2y", audit=audited("sql-2y", 730))
    server(
        arm,
        "sql-1y-personal",
        audit=audited("sql-1y-personal", 365),
        tags={"data-class": "personal", "pi-subjects": "1200"},
    )
    server(arm, "sql-1y-uniqueid", audit=audited("sql-1y-uniqueid", 365), tags={"data-class": "unique-id"})
    server(arm, "sql-1y-unknown", audit=audited("sql-1y-unknown", 365))
    server(arm, "sql-90d", audit=audited("sql-90d", 90))
    server(arm, "sql-off", audit=audited("sql-off", 90, state="Disabled"))
    server(arm, "sql-workspace", audit=audited("sql-workspace", 0, storageEndpoint=""))
    result = azure_scan(checks=["azure-sql-server-audit-retention"], services=SQL)
    assert result.verdicts("azure-sql-server-audit-retention") == {
        "sql-forever": "PASS",
        "sql-2y": "PASS",
        "sql-1y-personal": "PASS",
        "sql-1y-uniqueid": "FAIL",
        "sql-1y-unknown": "NEEDS_CONTEXT",
        "sql-90d": "FAIL",
        "sql-off": "NOT_APPLICABLE",
        "sql-workspace": "NOT_APPLICABLE",
    }


def test_minimal_tls_and_public_network_access(arm: FakeArm, azure_scan: Any) -> None:
    server(arm, "sql-private")
    server(arm, "sql-public", publicNetworkAccess="Enabled", minimalTlsVersion="1.0")
    server(arm, "sql-unset", publicNetworkAccess=b.ABSENT, minimalTlsVersion="None")
    checks = ["azure-sql-server-min-tls", "azure-sql-server-public-network-disabled"]
    result = azure_scan(checks=checks, services=SQL)
    assert result.verdicts(checks[0]) == {"sql-private": "PASS", "sql-public": "FAIL", "sql-unset": "FAIL"}
    assert result.verdicts(checks[1]) == {"sql-private": "PASS", "sql-public": "FAIL", "sql-unset": "FAIL"}


def test_firewall_rules_only_matter_with_public_access(arm: FakeArm, azure_scan: Any) -> None:
    everyone = ("0.0.0.0", "255.255.255.255")
    azure_services = ("0.0.0.0", "0.0.0.0")
    office = ("203.0.113.10", "203.0.113.20")
    server(arm, "sql-office", publicNetworkAccess="Enabled", rules=(office,))
    server(arm, "sql-world", publicNetworkAccess="Enabled", rules=(office, everyone))
    server(arm, "sql-azure", publicNetworkAccess="Enabled", rules=(azure_services,))
    server(arm, "sql-closed", rules=(everyone, azure_services))  # public network access disabled
    checks = ["azure-sql-server-no-allow-all-firewall", "azure-sql-server-no-azure-services-firewall"]
    result = azure_scan(checks=checks, services=SQL)
    assert result.verdicts(checks[0]) == {
        "sql-office": "PASS",
        "sql-world": "FAIL",
        "sql-azure": "PASS",
        "sql-closed": "NOT_APPLICABLE",
    }
    assert result.verdicts(checks[1]) == {
        "sql-office": "PASS",
        "sql-world": "PASS",
        "sql-azure": "FAIL",
        "sql-closed": "NOT_APPLICABLE",
    }
    assert result.finding(checks[0], "sql-world")["reason"].startswith("The firewall admits the whole internet")


def test_denied_firewall_listing_is_error(arm: FakeArm, azure_scan: Any) -> None:
    server(arm, "sql-denied", publicNetworkAccess="Enabled")
    arm.fail("*/servers/sql-denied/firewallRules", status=403)
    finding = azure_scan(checks=["azure-sql-server-no-allow-all-firewall"], services=SQL).finding(
        "azure-sql-server-no-allow-all-firewall", "sql-denied"
    )
    assert finding["verdict"] == "ERROR"
    assert finding["error"]["permission"] == "Microsoft.Sql/servers/firewallRules/read"


def test_data_residency(arm: FakeArm, azure_scan: Any) -> None:
    server(arm, "sql-kr", tags={"data-class": "unique-id"})
    server(arm, "sql-jp", location="japaneast", tags={"data-class": "unique-id"})
    server(arm, "sql-jp-unknown", location="japaneast")
    result = azure_scan(checks=["azure-sql-server-data-residency"], services=SQL)
    assert result.verdicts("azure-sql-server-data-residency") == {
        "sql-kr": "PASS",
        "sql-jp": "FAIL",
        "sql-jp-unknown": "NEEDS_CONTEXT",
    }
