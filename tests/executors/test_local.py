"""The local executor is today's thread pool: choosing it changes nothing; bad executor choices are usage errors."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import clearance
from clearance.errors import ExitCode, UsageError
from clearance.executors import LocalExecutor, parse_spec
from clearance.executors.dask import DaskExecutor

from ..test_cli import assert_clean_error, run_cli
from .conftest import MEMBER, OWN, scan_estate


def test_local_executor_writes_byte_identical_inventory_and_findings(estate: str, tmp_path: Path) -> None:
    default = scan_estate(estate, tmp_path / "default")
    named = scan_estate(estate, tmp_path / "local", "local")
    with ThreadPoolExecutor(2) as pool:
        caller_pool = scan_estate(estate, tmp_path / "own-pool", LocalExecutor(pool))
    assert {path.split("/")[2] for path in default.raw} == {OWN, MEMBER}
    assert {"PASS", "FAIL"} <= {f["verdict"] for f in default.findings}
    for other in (named, caller_pool):
        assert other.raw == default.raw
        assert other.findings == default.findings
        assert other.coverage == default.coverage
        assert other.units == default.units
        assert other.calls == default.calls
        assert other.summary == default.summary


@pytest.mark.parametrize(
    ("spec", "address"),
    [
        ("local", None),
        ("dask://scheduler.dask:8786", "tcp://scheduler.dask:8786"),
        ("dask+tls://10.0.0.5:8786", "tls://10.0.0.5:8786"),
    ],
)
def test_executor_specs(spec: str, address: str | None) -> None:
    assert parse_spec(spec) == address


@pytest.mark.parametrize("spec", ["dask", "dask://", "dask://host", "dask://host:http", "dask://host:0", "ray://h:1"])
def test_malformed_executor_is_a_usage_error(spec: str) -> None:
    with pytest.raises(UsageError, match="expected local, dask://HOST:PORT"):
        clearance.Scope(executor=spec)


def test_cli_names_the_bad_executor(tmp_path: Path) -> None:
    code, _, err = run_cli("scan", "--executor", "spark://x:7077", "--out", str(tmp_path / "o"), "--no-progress")
    assert code == ExitCode.USAGE
    assert_clean_error(err, "executor 'spark://x:7077'", "dask://HOST:PORT")


@pytest.mark.parametrize("provider", ["azure", "gcp"])
def test_only_aws_distributes_for_now(provider: str) -> None:
    with pytest.raises(UsageError, match=f"supports the aws provider, not {provider}"):
        clearance.Scope(provider=provider, executor="dask://scheduler:8786")


def test_unreachable_scheduler_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match=re.escape("cannot reach the Dask scheduler at tcp://127.0.0.1:9")):
        DaskExecutor.connect("tcp://127.0.0.1:9", timeout=0.5)
