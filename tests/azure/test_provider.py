"""The Azure provider end to end against the fake ARM server: planning, scoping, call log, TLS, registration."""

from __future__ import annotations

import json
import ssl
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from clearance.errors import CredentialsError, UsageError
from clearance.fakes import arm_builders as b
from clearance.fakes.arm import FakeArm
from clearance.fakes.arm_client import EmulatorCredential, emulator_client_kwargs
from clearance.inventory import TypeStatus
from clearance.providers.azure import AzureProvider

from ..conftest import assert_registered, sdk_modules_loaded_by
from .conftest import collect_into

SUB2 = "11111111-2222-4333-8444-555555555555"
MG = "/providers/Microsoft.Management/managementGroups"


def _descendant(mg: str, name: str, kind: str) -> dict[str, Any]:
    rid = f"/subscriptions/{name}" if kind == "subscriptions" else f"{MG}/{name}"
    return {"id": rid, "name": name, "type": f"Microsoft.Management/managementGroups/{kind}", "properties": {}}


def test_all_visible_subscriptions_are_scanned_when_none_is_given(fake_arm: FakeArm, azure_collect: Any) -> None:
    fake_arm.page_size = 1
    fake_arm.add(b.subscription(), b.subscription(SUB2, name="clearance-dev"))

    got = azure_collect(accounts=(), services=("resources",))

    assert sorted(got.summary.accounts) == sorted([b.SUB, SUB2])
    assert sorted(got.records("azure.resources.subscription")) == ["clearance-dev", "clearance-prod"]
    assert len([r for r in fake_arm.calls("/subscriptions") if r.path == "/subscriptions"]) == 2  # paged


def test_management_group_scans_its_subscriptions_only(fake_arm: FakeArm, azure_collect: Any) -> None:
    fake_arm.add(b.subscription(), b.subscription(SUB2, name="clearance-dev"))
    fake_arm.put(f"{MG}/mg-fin/descendants/{b.SUB}", _descendant("mg-fin", b.SUB, "subscriptions"))
    fake_arm.put(f"{MG}/mg-fin/descendants/mg-child", _descendant("mg-fin", "mg-child", "managementGroups"))

    got = azure_collect(accounts=(), management_groups=("mg-fin",), services=("resources",))

    assert got.summary.accounts == (b.SUB,)
    assert not [r for r in fake_arm.requests if r.path == "/subscriptions"]  # no tenant-wide listing


def test_denied_management_group_stops_the_scan_naming_the_permission(fake_arm: FakeArm, azure_collect: Any) -> None:
    fake_arm.fail(f"{MG.lower()}/mg-fin/descendants")

    with pytest.raises(CredentialsError, match=r"Microsoft\.Management/managementGroups/descendants/read"):
        azure_collect(accounts=(), management_groups=("mg-fin",))


def test_empty_management_group_is_a_usage_error(fake_arm: FakeArm, azure_collect: Any) -> None:
    with pytest.raises(UsageError, match="mg-empty has no subscription"):
        azure_collect(accounts=(), management_groups=("mg-empty",))


def test_no_visible_subscription_is_a_credentials_error(fake_arm: FakeArm, azure_collect: Any) -> None:
    with pytest.raises(CredentialsError, match="sees no subscription"):
        azure_collect(accounts=())


def test_unreadable_explicit_subscription_fails_every_type(fake_arm: FakeArm, azure_collect: Any) -> None:
    fake_arm.add(b.subscription())
    fake_arm.fail(f"/subscriptions/{SUB2}")

    got = azure_collect(accounts=(b.SUB, SUB2), services=("storage", "keyvault"))

    failed = [x for t in ("azure.storage.account", "azure.keyvault.key") for x in got.listings(t) if x.account == SUB2]
    assert [x.status for x in failed] == [TypeStatus.FAILED, TypeStatus.FAILED]
    assert failed[0].error is not None and failed[0].error.permission == "Microsoft.Resources/subscriptions/read"
    ok = [x for x in got.listings("azure.storage.account") if x.account == b.SUB]
    assert [x.status for x in ok] == [TypeStatus.LISTED]
    assert got.summary.units == 2  # only the readable subscription ran units


def test_credential_failure_is_a_credentials_error_before_any_request(fake_arm: FakeArm, tmp_path: Path) -> None:
    from azure.core.exceptions import ClientAuthenticationError

    class NoLogin:
        def get_token(self, *scopes: str, **_: Any) -> Any:
            raise ClientAuthenticationError("DefaultAzureCredential failed to retrieve a token")

    provider = AzureProvider(credential=NoLogin(), base_url=fake_arm.url, client_kwargs=emulator_client_kwargs())
    with pytest.raises(CredentialsError, match="cannot obtain an Azure Resource Manager token"):
        collect_into(provider, tmp_path / "out")
    assert fake_arm.requests == []


def test_collector_crash_is_recorded_and_other_units_continue(fake_arm: FakeArm, azure_collect: Any) -> None:
    odd = b.storage_account("stodd")
    odd["id"] = f"/subscriptions/{b.SUB}/providers/Microsoft.Storage/storageAccounts/stodd"  # no resource group
    fake_arm.add(b.subscription(), b.log_analytics_workspace("law-security"))
    fake_arm.put(f"/subscriptions/{b.SUB}/resourceGroups/x/providers/Microsoft.Storage/storageAccounts/stodd", odd)

    got = azure_collect(services=("storage", "monitor"))

    assert got.summary.failed_units == 1
    (listing,) = got.listings("azure.storage.account")
    assert listing.status is TypeStatus.LISTED  # the list itself worked; the crash came after
    assert got.records("azure.monitor.log-analytics-workspace")


def test_call_log_records_operation_status_and_request_id(fake_arm: FakeArm, azure_collect: Any) -> None:
    fake_arm.add(b.subscription(), b.log_analytics_workspace("law-security"))
    fake_arm.fail("*/microsoft.compute/disks")

    got = azure_collect(services=("monitor", "compute"))

    calls = got.calls()
    assert len(calls) == got.summary.calls == len(fake_arm.requests)
    ok = next(c for c in calls if c["operation"] == "Workspaces_List")
    assert (ok["method"], ok["status"], ok["http_status"], ok["retries"]) == ("GET", "ok", 200, 0)
    assert ok["path"] == f"/subscriptions/{b.SUB}/providers/Microsoft.OperationalInsights/workspaces"
    assert ok["account"] == b.SUB and ok["api_version"] and ok["request_id"]
    denied = next(c for c in calls if c["operation"] == "Disks_List")
    assert (denied["status"], denied["http_status"]) == ("AuthorizationFailed", 403)


def test_tag_scope_keeps_dependencies_and_account_level_resources(fake_arm: FakeArm, azure_collect: Any) -> None:
    fake_arm.add(
        b.subscription(),
        b.storage_account("stcrm", tags={"workload": "crm"}),
        b.storage_account("stother", tags={"workload": "hr"}),
        b.key_vault("kv-clearance"),
        b.vault_key("kv-clearance", "storage-cmk"),
        b.vault_key("kv-clearance", "unrelated"),
        b.network_watcher(),
    )

    got = azure_collect(services=("storage", "keyvault", "resources", "network"), tags=_tags("workload=crm"))

    assert set(got.records("azure.storage.account")) == {"stcrm"}
    key = got.record("azure.keyvault.key", "storage-cmk")
    vault = got.record("azure.keyvault.vault", "kv-clearance")
    assert key["dependency"] and vault["dependency"]  # the CMK and its vault, followed through links
    assert "unrelated" not in got.records("azure.keyvault.key")
    assert got.record("azure.resources.subscription", "clearance-prod")["dependency"]  # account level: always kept
    assert got.records("azure.network.watcher")  # account level


def test_untagged_children_inherit_their_parents_tags(fake_arm: FakeArm, azure_collect: Any) -> None:
    tagged_key = b.vault_key("kv-crm", "own-tags")
    tagged_key["tags"] = {"workload": "hr"}
    fake_arm.add(
        b.subscription(),
        b.key_vault("kv-crm", tags={"workload": "crm"}),
        b.vault_key("kv-crm", "untagged"),
        tagged_key,
        b.vnet("vnet-crm", tags={"workload": "crm"}),
        b.subnet("vnet-crm", "snet-app"),
    )

    got = azure_collect(services=("keyvault", "network"), tags=_tags("workload=crm"))

    untagged = got.record("azure.keyvault.key", "untagged")
    assert (untagged["tags"], untagged["dependency"]) == ({"workload": "crm"}, False)
    assert "own-tags" not in got.records("azure.keyvault.key")  # its own tags win
    assert got.record("azure.network.subnet", "snet-app")["tags"] == {"workload": "crm"}


def _tags(*specs: str) -> Any:
    from clearance.scope import parse_tag_filters

    return parse_tag_filters(specs)


def test_excluded_regions_are_dropped(fake_arm: FakeArm, azure_collect: Any) -> None:
    fake_arm.add(b.subscription(), b.storage_account("stkr"), b.storage_account("stjp", location="japaneast"))

    got = azure_collect(services=("storage",), exclude_regions=("japaneast",))

    assert set(got.records("azure.storage.account")) == {"stkr"}
    assert [x.region for x in got.listings("azure.storage.account")] == ["koreacentral"]


def test_tls_smoke_with_the_production_auth_pipeline(tmp_path: Path) -> None:
    """No AllowHttpToEmulator policy: the bearer policy's https check stays on; only the CA is ours."""
    trustme = pytest.importorskip("trustme")
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    ca_path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_path))
    with FakeArm(ssl_context=context) as fake:
        fake.add(b.subscription(), b.log_analytics_workspace("law-security"))
        provider = AzureProvider(
            credential=EmulatorCredential(),
            base_url=fake.url,
            client_kwargs={"connection_verify": str(ca_path), "retry_total": 0},
        )
        summary = collect_into(provider, tmp_path / "out", services=("monitor",))
        assert fake.url.startswith("https://")
        assert summary.calls == len(fake.requests) > 0
        assert {r.headers["authorization"] for r in fake.requests} == {f"Bearer {EmulatorCredential.token}"}


def test_registered_and_usable_by_name() -> None:
    assert_registered("azure", AzureProvider)


def test_unknown_service_and_aws_only_options_are_usage_errors(fake_arm: FakeArm, azure_collect: Any) -> None:
    with pytest.raises(UsageError, match="unknown Azure service"):
        AzureProvider().collectors(("s3",))
    with pytest.raises(UsageError, match="--role-name applies to AWS only"):
        azure_collect(role_name="Auditor")


def test_importing_the_provider_loads_no_azure_sdk() -> None:
    assert sdk_modules_loaded_by("azure", ("azure",)) == []


def test_every_declared_operation_is_a_real_sdk_method_with_a_read_action() -> None:
    from clearance.providers.azure.session import CLIENTS, make_azure_client
    from clearance.providers.azure.unit import sdk_method_name

    operations = AzureProvider().operations()
    assert len(operations) >= 30
    for op in operations:
        module, name, per_subscription = CLIENTS[op.service]
        cls = getattr(__import__(module, fromlist=[name]), name)
        client = make_azure_client(cls, b.SUB if per_subscription else None, credential=EmulatorCredential())
        group, method = sdk_method_name(op.name)
        assert callable(getattr(getattr(client, group), method)), op
        assert op.permission.startswith("Microsoft.") and op.permission.endswith("/read"), op


def test_permissions_command_prints_a_custom_role_of_exactly_the_declared_actions() -> None:
    from clearance.cli import cli

    result = CliRunner().invoke(cli, ["permissions", "azure"])

    assert result.exit_code == 0, result.output
    role = json.loads(result.output)
    assert role["IsCustom"] is True and role["Name"]
    assert role["Actions"] == sorted({op.permission for op in AzureProvider().operations()})
    assert "Microsoft.Storage/storageAccounts/read" in role["Actions"]
    assert role["NotActions"] == [] and role["DataActions"] == []
    assert role["AssignableScopes"] == ["/subscriptions/<subscription-id>"]


def test_unreachable_endpoint_fails_every_type_and_is_logged(tmp_path: Path) -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    provider = AzureProvider(
        credential=EmulatorCredential(), base_url=f"http://127.0.0.1:{port}", client_kwargs=emulator_client_kwargs()
    )
    out = tmp_path / "out"

    summary = collect_into(provider, out, services=("storage",))

    assert summary.units == 0 and summary.calls == 1
    (entry,) = [json.loads(line) for line in (out / "logs/api-calls.jsonl").read_text().splitlines()]
    assert (entry["operation"], entry["status"], entry["http_status"]) == (
        "Subscriptions_Get",
        "ServiceRequestError",
        None,
    )
    from clearance.inventory import InventoryReader

    (listing,) = InventoryReader(out).listings()
    assert listing.status is TypeStatus.FAILED and listing.error is not None
    assert listing.error.code == "ServiceRequestError" and not listing.error.denied
