"""`clearance demo` signs its output into a package that `clearance verify` accepts, as printed."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

from click.testing import CliRunner

from clearance.cli import cli


def test_demo_writes_a_package_that_the_printed_verify_command_accepts(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "demo"
    done = runner.invoke(cli, ["demo", "--out", str(out), "--json", "--no-progress"])
    assert done.exit_code == 0, done.output
    result = json.loads(done.output)
    assert Path(result["package"]) == out / "evidence.zip" and (out / "evidence.zip").is_file()
    argv = shlex.split(result["verify"])
    assert argv[:2] == ["clearance", "verify"]
    verified = runner.invoke(cli, [*argv[1:], "--json"])
    assert verified.exit_code == 0, verified.output
    assert json.loads(verified.output)["valid"] is True
    wrong = runner.invoke(cli, [*argv[1:], "--json", "--filing-id", "FSS-OTHER"])
    assert wrong.exit_code == 6
