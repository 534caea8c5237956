"""The GCP provider end to end against the fake: planning, scoping, call log, errors, TLS, registration."""

from __future__ import annotations

import json
import ssl
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from clearance.errors import CredentialsError, UsageError
from clearance.fakes import gcp_builders as b
from clearance.fakes.gcp import FakeGcp
from clearance.inventory import InventoryReader, TypeStatus
from clearance.providers.gcp import GcpProvider

from ..conftest import assert_registered, sdk_modules_loaded_by
from .conftest import NO_RETRIES, PROJECT, PROJECT_NUMBER, collect_into, credentials

ORG = f"organizations/{b.ORG_ID}"
DEV = "clearance-dev"


def _folder(number: str, parent: str, state: str = "ACTIVE") -> dict[str, Any]:
    return {"name": f"folders/{number}", "parent": parent, "displayName": f"f{number}", "state": state}


def _provider(fake: FakeGcp, **options: Any) -> GcpProvider:
    return GcpProvider(credentials=credentials(), api_endpoint=fake.endpoint, client_options={**NO_RETRIES, **options})


def test_all_visible_projects_are_scanned_when_none_is_given(fake_gcp: FakeGcp, gcp_collect: Any) -> None:
    fake_gcp.page_size = 1
    fake_gcp.add_project(b.project(DEV, number="222222222222"))
    fake_gcp.add_project(b.project("clearance-old", number="333333333333", state="DELETE_REQUESTED"))

    got = gcp_collect(accounts=(), services=("resourcemanager",))

    assert sorted(got.summary.accounts) == [DEV, PROJECT]
    assert sorted(got.records("gcp.resourcemanager.project")) == [DEV, PROJECT]
    assert len(fake_gcp.calls("/v3/projects:search")) == 3  # paged, one project per page


def test_organization_scope_walks_nested_folders(fake_gcp: FakeGcp, gcp_collect: Any) -> None:
    fake_gcp.add_folder(_folder("11", ORG))
    fake_gcp.add_folder(_folder("22", "folders/11"))
    fake_gcp.add_folder(_folder("33", ORG, state="DELETE_REQUESTED"))
    fake_gcp.add_project(b.project(DEV, number="222222222222", parent="folders/22"))
    fake_gcp.add_project(b.project("in-deleted", number="444444444444", parent="folders/33"))

    got = gcp_collect(accounts=(), management_groups=(ORG,), services=("resourcemanager",))

    assert sorted(got.summary.accounts) == [DEV, PROJECT]
    assert not fake_gcp.calls("/v3/projects:search")  # no credential-wide search
    assert {r.query["parent"] for r in fake_gcp.calls("/v3/folders") if r.path.endswith("/v3/folders")} == {
        ORG,
        "folders/11",
        "folders/22",
    }


def test_folder_scope_scans_only_below_the_folder(fake_gcp: FakeGcp, gcp_collect: Any) -> None:
    fake_gcp.add_folder(_folder("11", ORG))
    fake_gcp.add_project(b.project(DEV, number="222222222222", parent="folders/11"))

    got = gcp_collect(accounts=(), management_groups=("folders/11",), services=("resourcemanager",))

    assert got.summary.accounts == (DEV,)


def test_denied_organization_listing_stops_the_scan_naming_the_permission(fake_gcp: FakeGcp, gcp_collect: Any) -> None:
    fake_gcp.fail("/cloudresourcemanager.googleapis.com/v3/projects")

    with pytest.raises(CredentialsError, match=r"list the projects in organizations/.*resourcemanager\.projects\.list"):
        gcp_collect(accounts=(), management_groups=(ORG,))


def test_empty_or_malformed_containers_are_usage_errors(fake_gcp: FakeGcp, gcp_collect: Any) -> None:
    with pytest.raises(UsageError, match="organizations/999 has no active project"):
        gcp_collect(accounts=(), management_groups=("organizations/999",))
    with pytest.raises(UsageError, match="expected organizations/ID or folders/ID"):
        gcp_collect(accounts=(), management_groups=("123",))


def test_no_visible_project_is_a_credentials_error(tmp_path: Path) -> None:
    with FakeGcp() as empty, pytest.raises(CredentialsError, match="see no active project"):
        collect_into(_provider(empty), tmp_path / "out", accounts=())


def test_unreadable_explicit_project_fails_every_type(fake_gcp: FakeGcp, gcp_collect: Any) -> None:
    fake_gcp.fail("*/v3/projects/ghost")

    got = gcp_collect(accounts=(PROJECT, "ghost"), services=("storage", "kms"))

    failed = [x for t in ("gcp.storage.bucket", "gcp.kms.key") for x in got.listings(t) if x.account == "ghost"]
    assert [x.status for x in failed] == [TypeStatus.FAILED, TypeStatus.FAILED]
    assert failed[0].error is not None and failed[0].error.permission == "resourcemanager.projects.get"
    assert got.summary.units == 2  # only the readable project ran units


def test_credentials_without_a_token_fail_before_any_request(fake_gcp: FakeGcp, tmp_path: Path) -> None:
    from google.oauth2.credentials import Credentials

    provider = GcpProvider(credentials=Credentials(token=None), api_endpoint=fake_gcp.endpoint)

    with pytest.raises(CredentialsError, match="cannot obtain a Google access token"):
        collect_into(provider, tmp_path / "out")
    assert fake_gcp.requests == []


def test_missing_application_default_credentials_is_a_credentials_error(
    fake_gcp: FakeGcp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "missing.json"))

    with pytest.raises(CredentialsError, match="no Google Application Default Credentials"):
        collect_into(GcpProvider(api_endpoint=fake_gcp.endpoint), tmp_path / "out")
    assert fake_gcp.requests == []


def test_collector_crash_is_recorded_and_other_units_continue(
    fake_gcp: FakeGcp, gcp_collect: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from clearance.providers.gcp.collectors.storage import StorageCollector

    def crash(*_: Any) -> None:
        raise RuntimeError("unexpected answer shape")

    monkeypatch.setattr(StorageCollector, "_bucket", crash)
    fake_gcp.add_bucket(PROJECT, b.bucket("crm-data"))
    fake_gcp.add_sql_instance(PROJECT, b.sql_instance("crm-db"))

    got = gcp_collect(services=("storage", "sql"))

    assert got.summary.failed_units == 1
    (listing,) = got.listings("gcp.storage.bucket")
    assert listing.status is TypeStatus.LISTED  # the list itself worked; the crash came after
    assert got.records("gcp.sql.instance")


def test_call_log_records_operation_status_and_request_id(fake_gcp: FakeGcp, gcp_collect: Any) -> None:
    fake_gcp.add_bucket(PROJECT, b.bucket("crm-data"))
    fake_gcp.fail("/sqladmin.googleapis.com/*")

    got = gcp_collect(services=("storage", "sql"))

    calls = got.calls()
    assert len(calls) == got.summary.calls == len(fake_gcp.requests)
    ok = next(c for c in calls if c["operation"] == "Buckets_List")
    assert (ok["method"], ok["status"], ok["http_status"], ok["retries"]) == ("GET", "ok", 200, 0)
    assert ok["path"] == "/storage.googleapis.com/storage/v1/b"
    assert (ok["account"], ok["service"], ok["api_version"]) == (PROJECT, "storage", "v1")
    assert ok["request_id"] and ok["duration_ms"] >= 0
    denied = next(c for c in calls if c["operation"] == "Instances_List")
    assert (denied["status"], denied["http_status"]) == ("PERMISSION_DENIED", 403)
    assert {r.headers["authorization"] for r in fake_gcp.requests} == {"Bearer fake-token"}


def test_every_resource_links_its_project(fake_gcp: FakeGcp, gcp_collect: Any) -> None:
    fake_gcp.add_bucket(PROJECT, b.bucket("crm-data"))

    with_project = gcp_collect(services=("storage", "resourcemanager")).record("gcp.storage.bucket", "crm-data")
    alone = gcp_collect(services=("storage",)).record("gcp.storage.bucket", "crm-data")

    assert with_project["links"]["project"] == [f"//cloudresourcemanager.googleapis.com/projects/{PROJECT_NUMBER}"]
    assert alone["links"]["project"] == ["uncollected:gcp.resourcemanager.project"]


def test_tag_scope_keeps_dependencies_and_account_level_resources(fake_gcp: FakeGcp, gcp_collect: Any) -> None:
    fake_gcp.add_bucket(PROJECT, b.bucket("crm-data", labels={"workload": "crm"}))
    fake_gcp.add_bucket(PROJECT, b.bucket("hr-data", labels={"workload": "hr"}))
    fake_gcp.add_key_ring(b.key_ring())
    fake_gcp.add_crypto_key(b.crypto_key("cmek-storage", labels={}))
    fake_gcp.add_crypto_key(b.crypto_key("unrelated", labels={}))

    got = gcp_collect(services=("storage", "kms", "resourcemanager"), tags=_tags("workload=crm"))

    assert set(got.records("gcp.storage.bucket")) == {"crm-data"}
    assert set(got.records("gcp.kms.key")) == {"cmek-storage"}
    assert got.record("gcp.kms.key", "cmek-storage")["dependency"]  # the bucket's CMEK, followed through its link
    assert got.record("gcp.resourcemanager.project", PROJECT)["dependency"]  # account level: always kept


def _tags(*specs: str) -> Any:
    from clearance.scope import parse_tag_filters

    return parse_tag_filters(specs)


def test_excluded_regions_are_dropped(fake_gcp: FakeGcp, gcp_collect: Any) -> None:
    fake_gcp.add_bucket(PROJECT, b.bucket("seoul"))
    fake_gcp.add_bucket(PROJECT, b.bucket("iowa", location="US-CENTRAL1"))

    got = gcp_collect(services=("storage",), exclude_regions=("us-central1",))

    assert set(got.records("gcp.storage.bucket")) == {"seoul"}
    assert [x.region for x in got.listings("gcp.storage.bucket")] == ["asia-northeast3"]


def test_scope_regions_prove_absence_there(fake_gcp: FakeGcp, gcp_collect: Any) -> None:
    fake_gcp.add_bucket(PROJECT, b.bucket("seoul"))

    got = gcp_collect(services=("storage",), regions=("asia-northeast3", "asia-northeast1"))

    assert {(x.region, x.count) for x in got.listings("gcp.storage.bucket")} == {
        ("asia-northeast3", 1),
        ("asia-northeast1", 0),
    }


def test_tls_smoke_with_the_production_transport(tmp_path: Path) -> None:
    """Plain https with our CA given as the ``verify`` client option; nothing else differs from production."""
    trustme = pytest.importorskip("trustme")
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    ca_path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_path))
    with FakeGcp(ssl_context=context) as fake:
        fake.add_project(b.project())
        fake.add_bucket(PROJECT, b.bucket("crm-data"))
        summary = collect_into(_provider(fake, verify=str(ca_path)), tmp_path / "out", services=("storage",))
        assert fake.url.startswith("https://")
        assert summary.calls == len(fake.requests) > 0
        assert {r.headers["authorization"] for r in fake.requests} == {"Bearer fake-token"}


def test_no_retries_in_tests_one_request_per_failure(fake_gcp: FakeGcp, gcp_collect: Any) -> None:
    fake_gcp.fail("/storage.googleapis.com/storage/v1/b", status=503, code="UNAVAILABLE")

    (listing,) = gcp_collect(services=("storage",)).listings("gcp.storage.bucket")

    assert listing.error is not None and (listing.error.code, listing.error.denied) == ("UNAVAILABLE", False)
    assert len(fake_gcp.calls("/storage/v1/b")) == 1
    assert GcpProvider().settings(None).num_retries == 3  # production keeps googleapiclient's backoff


def test_client_options_and_endpoint_are_validated(fake_gcp: FakeGcp, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="unknown GCP client option 'retry'"):
        collect_into(_provider(fake_gcp, retry=None), tmp_path / "a")
    with pytest.raises(UsageError, match="must contain '\\{host\\}'"):
        collect_into(GcpProvider(credentials=credentials(), api_endpoint=fake_gcp.url), tmp_path / "b")
    assert fake_gcp.requests == []


def test_unreachable_endpoint_fails_every_type_and_is_logged(tmp_path: Path) -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    provider = GcpProvider(
        credentials=credentials(), api_endpoint=f"http://127.0.0.1:{port}/{{host}}/", client_options=NO_RETRIES
    )
    out = tmp_path / "out"

    summary = collect_into(provider, out, services=("storage",))

    assert summary.units == 0 and summary.calls == 1
    (entry,) = [json.loads(line) for line in (out / "logs/api-calls.jsonl").read_text().splitlines()]
    assert (entry["operation"], entry["status"], entry["http_status"]) == ("Projects_Get", "ConnectionError", None)
    (listing,) = InventoryReader(out).listings()
    assert listing.status is TypeStatus.FAILED and listing.error is not None
    assert listing.error.code == "ConnectionError" and not listing.error.denied


def test_registered_and_usable_by_name() -> None:
    assert_registered("gcp", GcpProvider)


def test_unknown_service_and_aws_only_options_are_usage_errors(fake_gcp: FakeGcp, gcp_collect: Any) -> None:
    with pytest.raises(UsageError, match="unknown GCP service"):
        GcpProvider().collectors(("s3",))
    with pytest.raises(UsageError, match="--role-name applies to AWS only"):
        gcp_collect(role_name="Auditor")


def test_importing_the_provider_loads_no_google_library() -> None:
    assert sdk_modules_loaded_by("gcp", ("google", "googleapiclient", "httplib2")) == []


def test_every_declared_operation_is_a_read_in_its_discovery_document() -> None:
    from clearance.providers.gcp.operations import GcpOperation
    from clearance.providers.gcp.session import APIS, discovery_document

    def methods(node: dict[str, Any]) -> dict[str, dict[str, Any]]:
        found = {m["id"]: m for m in node.get("methods", {}).values()}
        for child in node.get("resources", {}).values():
            found.update(methods(child))
        return found

    operations = GcpProvider().operations()
    assert len(operations) >= 30
    names = [(op.service, op.name) for op in operations]
    assert len(names) == len(set(names))
    for op in operations:
        assert isinstance(op, GcpOperation) and op.service in APIS, op
        doc = discovery_document(op.service)
        method = methods(doc)[op.method]
        verb = op.permission.rsplit(".", 1)[-1]
        assert verb in {"list", "get", "getIamPolicy"}, op
        if method["httpMethod"] == "POST":
            assert op.non_read_reason, f"{op.method} is a POST: it must say why it only reads"
        else:
            assert method["httpMethod"] == "GET" and not op.non_read_reason, op
        if op.items:
            response = doc["schemas"][method["response"]["$ref"]]["properties"]
            assert ("items" if op.aggregated else op.items) in response, op


def test_permissions_command_prints_a_custom_role_of_exactly_the_declared_permissions() -> None:
    from clearance.cli import cli

    result = CliRunner().invoke(cli, ["permissions", "gcp"])

    assert result.exit_code == 0, result.output
    role = json.loads(result.output)
    assert role["title"] and role["description"] and role["stage"] == "GA"
    assert role["includedPermissions"] == sorted({op.permission for op in GcpProvider().operations()})
    assert {"storage.buckets.getIamPolicy", "resourcemanager.projects.getIamPolicy"} <= set(role["includedPermissions"])


def test_cli_maps_gcp_scope_options_and_refuses_them_for_other_providers(tmp_path: Path) -> None:
    from clearance.cli import _gcp_containers, cli

    assert _gcp_containers(("123", "organizations/456"), ("folders/7", "8")) == (
        "organizations/123",
        "organizations/456",
        "folders/7",
        "folders/8",
    )
    result = CliRunner().invoke(cli, ["scan", "--project", PROJECT, "--out", str(tmp_path / "o")])
    assert result.exit_code != 0
    assert "apply to --provider gcp" in str(result.exception or result.output)


def test_a_denied_call_makes_the_check_error_naming_the_gcp_permission(fake_gcp: FakeGcp, gcp_scan: Any) -> None:
    check = "gcp-storage-bucket-iam-no-public-members"
    fake_gcp.add_bucket(PROJECT, b.bucket("crm-data"))
    fake_gcp.add_bucket(PROJECT, b.bucket("crm-open"))
    fake_gcp.fail("*/b/crm-open/iam", code="forbidden")

    result = gcp_scan(checks=[check], services=("storage",))

    assert result.verdicts(check) == {"crm-data": "PASS", "crm-open": "ERROR"}
    assert "storage.buckets.getIamPolicy" in result.finding(check, "crm-open")["reason"]


def test_label_filter_keeps_the_firewall_rules_of_a_labelled_instances_network(fake_gcp: Any, gcp_scan: Any) -> None:
    """Firewall rules carry no labels: they must reach a label-filtered scan through the network."""
    from clearance.fakes import gcp_builders as b

    fake_gcp.add_compute(PROJECT, "networks", b.network("vpc-prod"))
    open_ssh = {"sourceRanges": ["0.0.0.0/0"], "allowed": [{"IPProtocol": "tcp", "ports": ["22"]}]}
    fake_gcp.add_compute(PROJECT, "firewalls", b.firewall("allow-ssh", **open_ssh))
    fake_gcp.add_compute(PROJECT, "instances", b.instance("vm-app", labels={"workload": "crm"}))
    fake_gcp.add_compute(PROJECT, "instances", b.instance("vm-other", labels={"workload": "hr"}))
    check = "gcp-compute-firewall-no-internet-admin-ports"
    result = gcp_scan(checks=[check], services=("compute",), tags=("workload=crm",))
    assert result.verdicts(check) == {"allow-ssh": "FAIL"}
