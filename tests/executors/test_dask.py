"""The Dask executor on a real ``dask.distributed.LocalCluster`` of worker processes, scanning moto over HTTP.

Worker processes share nothing with the test but the network: each unit travels as picklable inputs, the worker
builds its own session (assuming the member role itself), and its results come back to be written by the driver.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

import clearance
from clearance.errors import ReadOnlyViolation, UsageError
from clearance.executors import Completed, run_unit
from clearance.providers.aws.remote import SessionKey, worker_session
from clearance.providers.orchestration import RecordingSink, RemoteUnit, absorb

from .conftest import MEMBER, OWN, REGION, REGIONS, member_credentials, scan_estate

distributed = pytest.importorskip("distributed", reason="the Dask executor needs the 'dask' extra")


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    """Two worker processes with two threads each; they inherit the test's fake credentials."""
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=2, processes=True, dashboard_address=None, silence_logs=logging.ERROR
    ) as local:
        yield local


@pytest.fixture(scope="module")
def address(cluster: Any) -> str:
    return "dask://" + str(cluster.scheduler_address).removeprefix("tcp://")


@pytest.fixture
def client(cluster: Any) -> Iterator[Any]:
    with distributed.Client(cluster, set_as_default=False) as dask_client:
        yield dask_client


def _set_env(values: dict[str, str]) -> dict[str, str]:
    """Runs on a worker: replace environment variables, returning their previous values."""
    previous = {k: os.environ.get(k, "") for k in values}
    os.environ.update(values)
    return previous


def _write_through_worker_session(endpoint: str) -> None:
    """Runs on a worker: try to delete a bucket with the session a unit would get there."""
    key = SessionKey("guard-test", OWN, "aws", None, None, endpoint, REGION, 2)
    worker_session(key).client("s3", REGION).delete_bucket(Bucket="own-plain")


def test_dask_scan_writes_what_the_local_scan_writes(estate: str, address: str, tmp_path: Path) -> None:
    local = scan_estate(estate, tmp_path / "local")
    dask = scan_estate(estate, tmp_path / "dask", address)
    assert {path.split("/")[2] for path in dask.raw} == {OWN, MEMBER}
    assert {"PASS", "FAIL"} <= {f["verdict"] for f in dask.findings}
    assert dask.raw == local.raw
    assert dask.findings == local.findings
    assert dask.coverage == local.coverage
    assert dask.units == local.units
    assert dask.calls == local.calls
    assert dask.summary == local.summary


def test_a_unit_that_fails_on_its_worker_is_a_failed_listing(
    estate: str, address: str, client: Any, tmp_path: Path
) -> None:
    # The workers hold credentials of another account: every unit of OWN (read with the worker's own identity)
    # refuses to run rather than file that account's resources under OWN.
    previous = next(iter(client.run(_set_env, member_credentials(estate)).values()))
    try:
        crashed = scan_estate(estate, tmp_path / "crashed", address)
    finally:
        client.run(_set_env, previous)
    own = [row for row in map(json.loads, crashed.units) if row["account"] == OWN]
    assert own and all(row["status"] == "failed" for row in own)
    assert {row["error"]["code"] for row in own} == {"CredentialsError"}
    assert f"this worker's AWS identity is account {MEMBER}, not {OWN}" in own[0]["error"]["message"]
    assert not [path for path in crashed.raw if f"/{OWN}/" in path]
    assert not [f for f in crashed.findings if f["resource"]["account"] == OWN]
    assert {c["status"] for c in crashed.coverage if c["account"] == OWN} == {"not_evaluated"}
    # MEMBER is read through the role, which the workers assume from whatever identity they have: unaffected.
    assert any(f["resource"]["account"] == MEMBER and f["verdict"] == "PASS" for f in crashed.findings)
    assert crashed.summary["failed_units"] == 1 + 2 * len(REGIONS)  # OWN's s3 unit, and kms and ec2 per region


def test_the_read_only_guard_travels_to_the_workers(estate: str, client: Any) -> None:
    with pytest.raises(ReadOnlyViolation, match="refused s3:DeleteBucket"):
        client.submit(_write_through_worker_session, estate, pure=False).result()
    s3 = boto3.client("s3", region_name=REGION, endpoint_url=estate)
    assert "own-plain" in {b["Name"] for b in s3.list_buckets()["Buckets"]}


def _unit(version: str = clearance.__version__) -> Any:
    from clearance.providers.aws.remote import AwsWorkUnit

    return AwsWorkUnit(SessionKey("s", OWN, "aws", None, None, None, REGION, 2), "global", "s3", (REGION,), version)


def test_a_worker_refuses_a_unit_planned_by_another_clearance_version() -> None:
    planned_by = r"this worker runs clearance \S+ but the scan was planned by clearance 0\.0\.1"
    with pytest.raises(UsageError, match=planned_by):
        run_unit(_unit("0.0.1"))


def test_a_guard_breach_on_a_worker_stops_the_scan_instead_of_becoming_a_gap() -> None:
    from clearance.providers.aws.collectors.s3 import S3Collector

    sink = RecordingSink()
    remote = RemoteUnit(_unit(), S3Collector(), sink)
    with pytest.raises(ReadOnlyViolation):
        absorb(remote, Completed(0, error=ReadOnlyViolation("refused s3:DeleteBucket")))
    outcome = absorb(remote, Completed(0, error=RuntimeError("worker lost")))
    assert not outcome.ok and outcome.failed_types == {t.name for t in S3Collector.resource_types}
    rows = sink.result(True, 0).listings
    assert {(r["region"], r["status"], r["error"]["code"]) for r in rows} == {("global", "failed", "RuntimeError")}
