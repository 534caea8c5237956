"""SQL collector (servers, protectors, auditing, firewall, databases, TDE) against the fake ARM server."""

from __future__ import annotations

from typing import Any

from clearance.fakes import arm_builders as b
from clearance.fakes.arm import FakeArm
from clearance.inventory import TypeStatus

SERVER = "azure.sql.server"
DATABASE = "azure.sql.database"


def _server(fake: FakeArm, name: str, *databases: str, **protector: Any) -> None:
    fake.add(
        b.sql_server(name),
        b.encryption_protector(name, **protector),
        b.server_auditing(name),
        b.sql_firewall_rule(name, "office", "203.0.113.0", "203.0.113.255"),
    )
    for db in databases:
        fake.add(b.sql_database(name, db), b.transparent_data_encryption(name, db, state="Disabled"))


def test_server_and_databases(fake_arm: FakeArm, azure_collect: Any) -> None:
    fake_arm.add(b.subscription(), b.key_vault("kv-clearance"), b.vault_key("kv-clearance", "sql-tde"))
    _server(fake_arm, "sql-crm", "master", "crmdb")

    got = azure_collect(services=("sql", "keyvault"))

    server = got.record(SERVER, "sql-crm")
    assert server["data"]["Servers_List"]["properties"]["minimalTlsVersion"] == "1.2"
    assert server["data"]["EncryptionProtectors_Get"]["properties"]["serverKeyType"] == "AzureKeyVault"
    assert server["data"]["ServerBlobAuditingPolicies_Get"]["properties"]["state"] == "Enabled"
    rule = server["data"]["FirewallRules_ListByServer"][0]["properties"]
    assert rule == {"startIpAddress": "203.0.113.0", "endIpAddress": "203.0.113.255"}
    # The versioned key URI of the protector resolves to the collected key.
    assert server["links"]["key_vault_key"] == [got.record("azure.keyvault.key", "sql-tde")["id"]]
    db = got.record(DATABASE, "crmdb")
    assert db["data"]["TransparentDataEncryptions_Get"]["properties"]["state"] == "Disabled"
    assert db["links"]["server"] == [server["id"]]
    assert set(got.records(DATABASE)) == {"master", "crmdb"}
    protector_call = fake_arm.calls("/encryptionProtector/current")[0]
    assert protector_call.query["api-version"]


def test_service_managed_protector_has_no_key_link(fake_arm: FakeArm, azure_collect: Any) -> None:
    fake_arm.add(b.subscription())
    _server(fake_arm, "sql-crm", server_key_type="ServiceManaged")

    server = azure_collect(services=("sql",)).record(SERVER, "sql-crm")

    assert "key_vault_key" not in server["links"]


def test_denied_tde_is_an_error_on_the_database(fake_arm: FakeArm, azure_collect: Any) -> None:
    fake_arm.add(b.subscription())
    _server(fake_arm, "sql-crm", "crmdb")
    fake_arm.fail("*/transparentdataencryption/current")

    got = azure_collect(services=("sql",))

    error = got.record(DATABASE, "crmdb")["errors"]["TransparentDataEncryptions_Get"]
    assert error["permission"] == "Microsoft.Sql/servers/databases/transparentDataEncryption/read"
    assert [x.status for x in got.listings(DATABASE)] == [TypeStatus.LISTED]


def test_missing_auditing_policy_is_an_error_not_a_default(fake_arm: FakeArm, azure_collect: Any) -> None:
    fake_arm.add(b.subscription(), b.sql_server("sql-crm"), b.encryption_protector("sql-crm"))

    server = azure_collect(services=("sql",)).record(SERVER, "sql-crm")

    assert server["errors"]["ServerBlobAuditingPolicies_Get"]["code"] == "ResourceNotFound"
    assert "ServerBlobAuditingPolicies_Get" not in server["data"]
