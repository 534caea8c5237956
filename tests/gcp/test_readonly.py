"""Read-only by construction: only GETs (and the named read-only POSTs) leave the process."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from clearance.errors import ReadOnlyViolation
from clearance.fakes import gcp_builders as b
from clearance.fakes.gcp import FakeGcp
from clearance.inventory import InventoryWriter
from clearance.providers.gcp import GcpProvider
from clearance.providers.gcp.session import GcpSession, client_settings, open_channel
from clearance.providers.gcp.unit import GcpUnit

from .conftest import NO_RETRIES, PROJECT, credentials

GET_IAM_POLICY = "cloudresourcemanager.projects.getIamPolicy"


def _session(fake: FakeGcp, read_only_posts: frozenset[str] = frozenset()) -> GcpSession:
    settings = client_settings(credentials(), fake.endpoint, NO_RETRIES, read_only_posts, 4)
    return GcpSession(settings, open_channel(settings, lambda entry: None), PROJECT)


def _operation(method: str) -> Any:
    return next(op for op in GcpProvider().operations() if getattr(op, "method", None) == method)


def test_mutating_calls_are_refused_before_sending(fake_gcp: FakeGcp) -> None:
    session = _session(fake_gcp)

    with pytest.raises(ReadOnlyViolation, match=r"refused DELETE .*/b/crm-data"):
        session.client("storage").buckets().delete(bucket="crm-data").execute()
    with pytest.raises(ReadOnlyViolation, match=r"refused POST .*firewalls"):
        session.client("compute").firewalls().insert(project=PROJECT, body={"name": "open"}).execute()
    with pytest.raises(ReadOnlyViolation, match="refused PATCH"):
        session.client("cloudkms").projects().locations().keyRings().cryptoKeys().patch(
            name=b.kms_key_name("cmek-data"), body={}, updateMask="rotationPeriod"
        ).execute()
    assert fake_gcp.requests == []


def test_only_named_posts_pass_and_only_for_their_own_method(fake_gcp: FakeGcp) -> None:
    refused = _session(fake_gcp)
    projects = refused.client("cloudresourcemanager").projects()
    read = {"resource": f"projects/{PROJECT}", "body": {"options": {"requestedPolicyVersion": 3}}}
    with pytest.raises(ReadOnlyViolation, match="refused POST"):
        projects.getIamPolicy(**read).execute()  # not in the allow-list
    allowed = _session(fake_gcp, frozenset({GET_IAM_POLICY}))
    projects = allowed.client("cloudresourcemanager").projects()
    with pytest.raises(ReadOnlyViolation, match="undeclared call"):
        projects.getIamPolicy(**read).execute()  # allowed, but only when the call names its operation
    assert fake_gcp.requests == []

    http = allowed.http("cloudresourcemanager").bound(_operation(GET_IAM_POLICY))
    policy = projects.getIamPolicy(**read).execute(http=http)

    assert policy["bindings"] == []
    assert [r.method for r in fake_gcp.requests] == ["POST"]
    with pytest.raises(ReadOnlyViolation, match=r"refused POST .*:setIamPolicy"):
        projects.setIamPolicy(resource=f"projects/{PROJECT}", body={"policy": {}}).execute(http=http)
    assert len(fake_gcp.requests) == 1


def test_undeclared_operation_is_refused_by_the_unit(fake_gcp: FakeGcp, tmp_path: Path) -> None:
    writer = InventoryWriter(tmp_path / "out")
    with ThreadPoolExecutor(1) as pool:
        unit = GcpUnit(_session(fake_gcp), {}, "storage", {}, writer, threading.BoundedSemaphore(1), pool)
        with pytest.raises(ReadOnlyViolation, match="undeclared operation storage:Buckets_List"):
            unit.fetch("storage", "Buckets_List", project=PROJECT)
    writer.close()
    assert fake_gcp.requests == []


def test_a_full_collection_sends_only_declared_reads(fake_gcp: FakeGcp, gcp_collect: Any) -> None:
    fake_gcp.add_bucket(PROJECT, b.bucket("crm-data"))
    fake_gcp.add_key_ring(b.key_ring())
    fake_gcp.add_crypto_key(b.crypto_key("cmek-data"))
    fake_gcp.add_sql_instance(PROJECT, b.sql_instance("crm-db"))
    fake_gcp.add_compute(PROJECT, "instances", b.instance("vm-app"))
    fake_gcp.add_log_bucket(b.log_bucket())
    fake_gcp.add_vertex("endpoints", b.vertex_endpoint("1001"))
    fake_gcp.add_service_account(PROJECT, b.service_account("app-runtime"), keys=[b.service_account_key("app-runtime")])

    got = gcp_collect()

    posts = [r.path for r in fake_gcp.requests if r.method != "GET"]
    assert posts == [f"/cloudresourcemanager.googleapis.com/v3/projects/{PROJECT}:getIamPolicy"]
    declared = {op.name for op in GcpProvider().operations()}
    assert {c["operation"] for c in got.calls()} <= declared
    assert all(c["operation"] for c in got.calls())  # every request names its operation
    assert got.summary.failed_units == 0
