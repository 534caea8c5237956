"""Read-only by construction: only GETs (and named read-only POSTs) leave the process."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from clearance.errors import ReadOnlyViolation
from clearance.fakes import arm_builders as b
from clearance.fakes.arm import FakeArm
from clearance.fakes.arm_client import EmulatorCredential, emulator_client_kwargs
from clearance.inventory import InventoryWriter
from clearance.providers.azure import AzureProvider
from clearance.providers.azure.session import OPERATION_KEY, AzureSession, ClientSettings
from clearance.providers.azure.unit import AzureUnit


def _session(fake: FakeArm, read_only_posts: frozenset[str] = frozenset()) -> AzureSession:
    settings = ClientSettings(EmulatorCredential(), fake.url, emulator_client_kwargs(), read_only_posts)
    return AzureSession(settings, b.SUB, lambda entry: None)


def test_a_mutating_sdk_call_is_refused_before_sending(fake_arm: FakeArm) -> None:
    storage = _session(fake_arm).client("storage")

    with pytest.raises(ReadOnlyViolation, match=r"refused DELETE .*stcrm"):
        storage.storage_accounts.delete(b.RG, "stcrm")
    with pytest.raises(ReadOnlyViolation, match="refused PUT"):
        _session(fake_arm).client("keyvault").vaults.update_access_policy(b.RG, "kv", "add", {"properties": {}})
    assert fake_arm.requests == []


def test_only_named_posts_pass(fake_arm: FakeArm) -> None:
    name_check = {"name": "stcrm", "type": "Microsoft.Storage/storageAccounts"}
    refused = _session(fake_arm).client("storage")
    with pytest.raises(ReadOnlyViolation, match="refused POST"):
        refused.storage_accounts.check_name_availability(name_check)
    assert fake_arm.requests == []

    allowed = _session(fake_arm, frozenset({"StorageAccounts_CheckNameAvailability"})).client("storage")
    with pytest.raises(Exception, match="MethodNotAllowed"):  # the fake serves GET only, but it was sent
        allowed.storage_accounts.check_name_availability(
            name_check, **{OPERATION_KEY: "StorageAccounts_CheckNameAvailability"}
        )
    assert [r.method for r in fake_arm.requests] == ["POST"]
    # A named POST needs its name on the call: the same method without it is still refused.
    with pytest.raises(ReadOnlyViolation):
        allowed.storage_accounts.check_name_availability(name_check)


def test_undeclared_operation_is_refused_by_the_unit(fake_arm: FakeArm, tmp_path: Path) -> None:
    writer = InventoryWriter(tmp_path / "out")
    with ThreadPoolExecutor(1) as pool:
        unit = AzureUnit(_session(fake_arm), "storage", {}, writer, threading.BoundedSemaphore(1), pool, ())
        with pytest.raises(ReadOnlyViolation, match="undeclared operation storage:StorageAccounts_List"):
            unit.fetch_list("storage", "StorageAccounts_List")
    writer.close()
    assert fake_arm.requests == []


def test_a_full_collection_sends_only_declared_gets(fake_arm: FakeArm, azure_collect: Any) -> None:
    acct = b.storage_account("stcrm")
    fake_arm.add(
        b.subscription(),
        acct,
        b.key_vault("kv-clearance"),
        b.vault_key("kv-clearance", "storage-cmk"),
        b.sql_server("sql-crm"),
        b.sql_database("sql-crm", "crmdb"),
        b.vnet("vnet-app"),
        b.subnet("vnet-app", "snet-app"),
        b.network_watcher(),
        b.cognitive_account("oai-crm"),
        b.web_app("app-crm"),
        b.managed_disk("disk-app"),
        b.log_analytics_workspace("law-security"),
    )

    got = azure_collect()

    assert {r.method for r in fake_arm.requests} == {"GET"}
    declared = {op.name for op in AzureProvider().operations()}
    assert {c["operation"] for c in got.calls()} <= declared
    assert all(c["operation"] for c in got.calls())  # every request names its operation
