"""The CLI with ``--provider azure``: options reach the provider's scope; the custom role is printed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from clearance.errors import ExitCode
from clearance.fakes import arm_builders as b
from clearance.fakes.arm import FakeArm

from ..test_cli import run_cli

MG = "/providers/Microsoft.Management/managementGroups"


@pytest.fixture
def cli_on_fake(azure_provider: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The CLI, with the library resolving provider "azure" to the provider pointed at the fake."""
    import clearance.api
    from clearance.providers import get_provider

    monkeypatch.setattr(clearance.api, "get_provider", lambda n: azure_provider if n == "azure" else get_provider(n))

    def run(*args: str) -> tuple[int, str, str]:
        return run_cli("scan", "--provider", "azure", "--no-progress", "--json", *args)

    return run


def test_subscription_option_scopes_the_scan(fake_arm: FakeArm, cli_on_fake: Any, tmp_path: Path) -> None:
    fake_arm.add(b.subscription(), b.log_analytics_workspace("law-security"))

    code, _, err = cli_on_fake("--subscription", b.SUB, "--service", "monitor", "--out", str(tmp_path / "out"))

    assert code in (ExitCode.OK, ExitCode.INCOMPLETE), err
    meta = json.loads((tmp_path / "out" / "scan.json").read_text())
    assert (meta["provider"], meta["accounts"], meta["scope"]["accounts"]) == ("azure", [b.SUB], [b.SUB])
    assert (tmp_path / "out/raw/azure" / b.SUB / "koreacentral/monitor").is_dir()


def test_management_group_option(fake_arm: FakeArm, cli_on_fake: Any, tmp_path: Path) -> None:
    fake_arm.add(b.subscription())
    fake_arm.put(
        f"{MG}/mg-fin/descendants/{b.SUB}",
        {"id": b.sub_id(), "name": b.SUB, "type": "Microsoft.Management/managementGroups/subscriptions"},
    )

    code, _, err = cli_on_fake("--management-group", "mg-fin", "--service", "resources", "--out", str(tmp_path / "out"))

    assert code in (ExitCode.OK, ExitCode.INCOMPLETE), err
    meta = json.loads((tmp_path / "out" / "scan.json").read_text())
    assert meta["scope"]["management_groups"] == ["mg-fin"] and meta["accounts"] == [b.SUB]
    assert fake_arm.calls(f"{MG}/mg-fin/descendants")


def test_role_name_is_rejected_for_azure_with_exit_2(tmp_path: Path) -> None:
    code, _, err = run_cli("scan", "--provider", "azure", "--role-name", "Auditor", "--out", str(tmp_path / "o"))

    assert code == ExitCode.USAGE
    assert "--role-name applies to AWS only" in err
