"""``clearance demo --provider azure``: the CRM + Azure OpenAI workload on the fake ARM, scanned like ``scan``."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from clearance.demo.azure_seed import GAPS, SUBSCRIPTION
from clearance.demo.seed import Gap

from .demo_support import DemoRun, run_demo_recorded
from .test_cli import run_cli, validate_output

TIME_BUDGET_S = 30.0


HOSTILE_ENV = {
    # A proxy that would swallow every request, and Azure settings of a real environment: the
    # demo must reach its loopback emulator directly and read none of them.
    "HTTP_PROXY": "http://127.0.0.1:9",
    "HTTPS_PROXY": "http://127.0.0.1:9",
    "AZURE_TENANT_ID": "11111111-2222-3333-4444-555555555555",
    "AZURE_CLIENT_ID": "66666666-7777-8888-9999-000000000000",
    "AZURE_CLIENT_SECRET": "not-a-secret",
    "AZURE_SUBSCRIPTION_ID": "99999999-9999-9999-9999-999999999999",
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoRun]:
    """``clearance demo --provider azure`` from a fresh working directory, with a hostile environment."""
    yield run_demo_recorded("azure", tmp_path_factory.mktemp("demo-azure-cwd"), HOSTILE_ENV)


def test_demo_writes_the_scan_outputs_into_clearance_demo_azure_under_cwd(demo: DemoRun) -> None:
    assert demo.code == 0, demo.stdout
    for name in ("findings.json", "coverage.json", "scan.json", "profile.json", "raw/units.jsonl"):
        assert (demo.directory / name).is_file(), name
    calls = [json.loads(c) for c in (demo.directory / "logs" / "api-calls.jsonl").read_text("utf-8").splitlines()]
    assert len(calls) > 30
    assert "Results per control family" in demo.stdout
    assert "Output written to clearance-demo-azure/" in demo.stdout
    meta = json.loads((demo.directory / "scan.json").read_text("utf-8"))
    assert (meta["provider"], meta["accounts"]) == ("azure", [SUBSCRIPTION])
    assert meta["scope"]["tags"] == [{"key": "workload", "values": ["crm"]}]


def test_demo_output_validates_against_the_published_schemas(demo: DemoRun) -> None:
    validate_output(demo.directory)


def test_demo_runs_within_its_time_budget(demo: DemoRun) -> None:
    assert demo.seconds < TIME_BUDGET_S, f"demo took {demo.seconds:.1f}s"


def test_demo_talks_only_to_its_loopback_emulator_despite_proxy_settings(demo: DemoRun) -> None:
    assert demo.connections
    assert {address[0] for address in demo.connections} == {"127.0.0.1"}
    assert len({address[1] for address in demo.connections}) == 1  # the fake ARM's port, never the proxy's (9)
    assert demo.connections[0][1] != 9


@pytest.mark.parametrize("gap", GAPS, ids=lambda gap: gap.check)
def test_demo_finds_each_deliberate_gap(demo: DemoRun, gap: Gap) -> None:
    assert demo.verdict(gap.check, gap.resource) == "FAIL", gap.what


def test_demo_fails_nothing_but_the_deliberate_gaps_and_is_complete(demo: DemoRun) -> None:
    fails = {(f["check_id"], f["resource"]["name"]) for f in demo.findings() if f["verdict"] == "FAIL"}
    assert fails == {(g.check, g.resource) for g in GAPS}
    assert [f for f in demo.findings() if f["verdict"] in ("ERROR", "NEEDS_CONTEXT")] == []
    from clearance.engine.checks import load_checks

    summary = demo.document()["summary"]
    assert summary["complete"] is True
    every_azure_check = len(load_checks(providers=("azure",)).checks)
    assert summary["coverage"] == {"evaluated": every_azure_check, "no_resources": 0, "not_evaluated": 0}
    assert summary["verdicts"]["PASS"] > 10 * summary["verdicts"]["FAIL"]


@pytest.mark.parametrize(
    ("check", "resource"),
    [
        ("azure-network-nsg-no-internet-admin-ports", "nsg-crm-app"),
        ("azure-network-nsg-no-internet-database-ports", "nsg-crm-db"),
        ("azure-network-subnet-egress-via-firewall", "snet-mgmt"),
        ("azure-network-subnet-has-nsg", "snet-pe"),
        ("azure-network-vnet-flow-logs", "vnet-crm-prod"),
        ("azure-network-watcher-enabled", "vnet-crm-prod"),
        ("azure-network-flow-log-retention", "fl-vnet-crm-prod"),
        ("azure-network-private-endpoint-approved", "pe-oai-crm-assistant"),
        ("azure-storage-account-blob-public-access-disabled", "stcrmlogs"),
        ("azure-storage-account-cmk-encryption", "stcrmexports"),
        ("azure-storage-account-network-restricted", "stcrmexports"),
        ("azure-storage-account-blob-access-logging", "stcrmexports"),
        ("azure-storage-account-data-residency", "stcrmexports"),
        ("azure-keyvault-vault-purge-protection", "kv-crm-prod"),
        ("azure-keyvault-vault-audit-logging", "kv-crm-app"),
        ("azure-keyvault-key-rotation-policy", "sql-crm-tde"),
        ("azure-sql-server-tde-cmk", "sql-crm-prod"),
        ("azure-sql-server-audit-retention", "sql-crm-prod"),
        ("azure-sql-database-tde-enabled", "crmdb"),
        ("azure-cognitiveservices-account-prompt-shield", "oai-crm-assistant"),
        ("azure-cognitiveservices-account-data-residency", "oai-crm-assistant"),
        ("azure-cognitiveservices-account-cmk", "oai-crm-assistant"),
        ("azure-cognitiveservices-account-diagnostic-logs", "oai-crm-assistant"),
        ("azure-resources-subscription-activity-log-exported", "sub-crm-prod"),
        ("azure-resources-subscription-owner-count", "sub-crm-prod"),
        ("azure-web-site-min-tls", "app-crm-portal"),
        ("azure-compute-disk-cmk", "vm-crm-batch-data01"),
    ],
)
def test_demo_passes_the_compliant_counterparts(demo: DemoRun, check: str, resource: str) -> None:
    assert demo.verdict(check, resource) == "PASS"


def test_demo_scope_pulls_in_untagged_dependencies_and_leaves_out_the_sandbox(demo: DemoRun) -> None:
    records = {(r["type"], r["name"]): r for r in demo.records()}
    for rec in records.values():
        assert (rec["tags"].get("workload") == "crm") != rec["dependency"], (rec["type"], rec["name"])
    for dependency in (
        ("azure.keyvault.vault", "kv-crm-prod"),  # through the keys of the tagged storage, SQL and OpenAI
        ("azure.keyvault.key", "oai-crm-cmk"),
        ("azure.network.vnet", "vnet-crm-prod"),  # through the private endpoints' subnet
        ("azure.network.nsg", "nsg-crm-mgmt"),
        ("azure.network.route-table", "rt-crm-egress"),
        ("azure.network.flow-log", "fl-vnet-crm-prod"),
        ("azure.network.private-endpoint", "pe-stcrmexports"),
    ):
        assert records[dependency]["dependency"] is True, dependency
    assert ("azure.storage.account", "stsandboxdev01") not in records
    assert ("azure.resources.resource-group", "rg-sandbox-dev") not in records
    assert {r["region"] for r in records.values()} <= {"koreacentral", "global"}


def test_permissions_azure_role_holds_exactly_the_actions_of_the_calls_a_scan_makes(demo: DemoRun) -> None:
    from clearance.providers.azure import AzureProvider

    code, stdout, _ = run_cli("permissions", "azure")
    assert code == 0
    role = json.loads(stdout)
    permission = {op.name: op.permission for op in AzureProvider().operations()}
    log = (demo.directory / "logs" / "api-calls.jsonl").read_text("utf-8").splitlines()
    called = {json.loads(line)["operation"] for line in log}
    # The two planning calls of scans without --subscription or with --management-group:
    planning = {"Subscriptions_List", "ManagementGroups_GetDescendants"}
    assert role["Actions"] == sorted({permission[op] for op in called | planning})
    assert all(action.endswith("/read") for action in role["Actions"])
    assert role["NotActions"] == role["DataActions"] == []


@pytest.fixture(scope="module")
def second_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Any]]:
    """The library entry point with a progress callback."""
    from clearance.demo import run_demo

    out = tmp_path_factory.mktemp("demo-azure-lib") / "out"
    events: list[Any] = []
    run_demo(out, provider="azure", progress=events.append)
    return out, events


def test_demo_is_deterministic(demo: DemoRun, second_run: tuple[Path, list[Any]]) -> None:
    again = DemoRun(second_run[0], 0, "", 0.0, [], demo.provider)

    def key(run: DemoRun) -> list[tuple[str, str, str]]:
        return [(f["check_id"], f["resource"]["id"], f["verdict"]) for f in run.findings()]

    assert key(again) == key(demo)
    assert [r["id"] for r in again.records()] == [r["id"] for r in demo.records()]


def test_demo_reports_seeding_then_scanning_progress(second_run: tuple[Path, list[Any]]) -> None:
    from clearance.demo.azure_seed import STEPS

    events = second_run[1]
    seeding = events[: len(STEPS)]
    assert [e.label for e in seeding] == [f"seeding {label}" for label, _ in STEPS]
    scanning = events[len(STEPS) :]
    assert scanning and all(e.label.startswith(f"{SUBSCRIPTION}/") for e in scanning)
    assert scanning[-1].done == scanning[-1].total


def test_the_emulator_seam_is_imported_by_the_demo_runner_only() -> None:
    """``clearance scan`` cannot reach the plain-http policy or the fake credential: no other module imports them."""
    import clearance

    root = Path(clearance.__file__).parent
    users = sorted(
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "fakes" in path.read_text("utf-8") and path.parent.name != "fakes"
    )
    assert users == ["demo/azure_seed.py", "demo/gcp_seed.py", "demo/runner.py"]


def test_scan_refuses_a_provider_instance_for_another_scope(tmp_path: Path) -> None:
    import clearance
    from clearance.api import scan
    from clearance.errors import UsageError
    from clearance.providers.azure import AzureProvider

    with pytest.raises(UsageError, match="provider 'azure' cannot collect a 'aws' scope"):
        scan(clearance.Scope(), tmp_path / "out", provider=AzureProvider())
    assert not (tmp_path / "out").exists()


def test_demo_refuses_an_out_directory_that_is_not_a_previous_scan(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", "utf-8")
    code, _, err = run_cli("demo", "--provider", "azure", "--out", str(tmp_path))
    assert code == 2
    assert "not empty and is not a previous clearance scan" in err
    assert (tmp_path / "notes.txt").read_text("utf-8") == "mine"


def test_demo_without_the_azure_extra_says_how_to_install_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "azure.mgmt.core", None)  # what an installation without it looks like
    code, _, err = run_cli("demo", "--provider", "azure", "--out", str(tmp_path / "out"))
    assert code == 2
    assert "pip install 'clearance[azure]'" in err
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()
