"""``clearance demo --provider gcp``: the CRM + Vertex AI workload on the fake Google APIs, scanned like ``scan``."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from clearance.demo.gcp_seed import GAPS, PROJECT, SANDBOX, SANDBOX_NUMBER
from clearance.demo.seed import Gap

from .demo_support import DemoRun, run_demo_recorded
from .test_cli import run_cli, validate_output

TIME_BUDGET_S = 30.0
README = Path(__file__).resolve().parent.parent / "README.md"


HOSTILE_ENV = {
    # A proxy that would swallow every request, and the Google settings of a real environment
    # (a key file, another project, mTLS, a metadata server on the proxy's port): the demo must
    # reach its loopback fake directly and read none of them.
    "HTTP_PROXY": "http://127.0.0.1:9",
    "HTTPS_PROXY": "http://127.0.0.1:9",
    "GOOGLE_APPLICATION_CREDENTIALS": "/nonexistent/clearance-demo/key.json",
    "GOOGLE_CLOUD_PROJECT": "someone-elses-project",
    "CLOUDSDK_CORE_PROJECT": "someone-elses-project",
    "GOOGLE_API_USE_CLIENT_CERTIFICATE": "true",
    "GOOGLE_API_USE_MTLS_ENDPOINT": "always",
    "GCE_METADATA_HOST": "127.0.0.1:9",
    "GCE_METADATA_IP": "127.0.0.1:9",
    "NO_GCE_CHECK": "false",
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoRun]:
    """``clearance demo --provider gcp`` from a fresh working directory, with a hostile environment."""
    yield run_demo_recorded("gcp", tmp_path_factory.mktemp("demo-gcp-cwd"), HOSTILE_ENV)


def test_demo_writes_the_scan_outputs_into_clearance_demo_gcp_under_cwd(demo: DemoRun) -> None:
    assert demo.code == 0, demo.stdout
    for name in ("findings.json", "coverage.json", "scan.json", "profile.json", "raw/units.jsonl"):
        assert (demo.directory / name).is_file(), name
    assert len(demo.calls()) > 30
    assert "Results per control family" in demo.stdout
    assert "Output written to clearance-demo-gcp/" in demo.stdout
    meta = json.loads((demo.directory / "scan.json").read_text("utf-8"))
    assert (meta["provider"], meta["accounts"]) == ("gcp", [PROJECT])
    assert meta["scope"]["tags"] == []  # GCP's unit of isolation is the project: the whole project is scanned


def test_demo_output_validates_against_the_published_schemas(demo: DemoRun) -> None:
    validate_output(demo.directory)


def test_demo_runs_within_its_time_budget(demo: DemoRun) -> None:
    assert demo.seconds < TIME_BUDGET_S, f"demo took {demo.seconds:.1f}s"


def test_demo_talks_only_to_its_loopback_fake_despite_proxy_and_google_settings(demo: DemoRun) -> None:
    assert demo.connections
    assert {address[0] for address in demo.connections} == {"127.0.0.1"}
    assert len({address[1] for address in demo.connections}) == 1  # the fake's port, never the proxy's (9)
    assert demo.connections[0][1] != 9


def test_demo_signs_an_evidence_package_that_verifies_and_re_evaluates_identically(demo: DemoRun) -> None:
    assert "clearance-demo-gcp/evidence.zip built and verified" in demo.stdout
    pki = demo.directory / "pki"
    code, stdout, err = run_cli(
        "verify",
        str(demo.directory / "evidence.zip"),
        "--trust",
        str(pki / "root.pem"),
        "--tsa-trust",
        str(pki / "tsa-root.pem"),
        "--filing-id",
        "DEMO-2026-0001",
        "--nonce",
        "demo-nonce-4f1c",
        "--re-evaluate",
    )
    assert code == 0, stdout + err
    assert "re-evaluation: 134 findings recomputed" in stdout and ": identical" in stdout


@pytest.mark.parametrize("gap", GAPS, ids=lambda gap: f"{gap.check}-{gap.resource}")
def test_demo_finds_each_deliberate_gap(demo: DemoRun, gap: Gap) -> None:
    assert demo.verdict(gap.check, gap.resource) == "FAIL", gap.what


@pytest.mark.skipif(not README.is_file(), reason="README not available (installed without the source tree)")
def test_the_readme_gap_table_lists_exactly_the_gaps() -> None:
    text = README.read_text("utf-8")
    section = text[text.index("### The GCP demo") : text.index("## Scanning your workload")]
    rows = [line for line in section.splitlines() if line.startswith("| ") and "`gcp-" in line]
    assert [row.rsplit("`", 2)[-2] for row in rows] == [gap.check for gap in GAPS]


def test_demo_fails_nothing_but_the_deliberate_gaps_and_is_complete(demo: DemoRun) -> None:
    fails = {(f["check_id"], f["resource"]["name"]) for f in demo.findings() if f["verdict"] == "FAIL"}
    assert fails == {(g.check, g.resource) for g in GAPS}
    assert [f for f in demo.findings() if f["verdict"] in ("ERROR", "NEEDS_CONTEXT")] == []
    from clearance.engine.checks import load_checks

    summary = demo.document()["summary"]
    assert summary["complete"] is True
    every_gcp_check = len(load_checks(providers=("gcp",)).checks)
    assert summary["coverage"] == {"evaluated": every_gcp_check, "no_resources": 0, "not_evaluated": 0}
    assert summary["verdicts"]["PASS"] > 10 * summary["verdicts"]["FAIL"]


@pytest.mark.parametrize(
    ("check", "resource"),
    [
        # the compliant side of each gap
        ("gcp-storage-bucket-not-publicly-accessible", "crm-prod-partner-drop"),  # public access prevention holds
        ("gcp-storage-bucket-public-access-prevention", "crm-prod-partner-drop"),
        ("gcp-resourcemanager-project-audit-logs-vertex-ai", PROJECT),  # reads are logged for Vertex AI
        ("gcp-logging-bucket-cmek", "_Default"),
        ("gcp-logging-bucket-retention", "crm-audit"),
        ("gcp-logging-bucket-locked", "crm-audit"),
        ("gcp-kms-key-rotation", "crm-storage"),
        ("gcp-compute-firewall-no-internet-admin-ports", "fw-crm-allow-iap-ssh"),
        ("gcp-compute-firewall-no-internet-admin-ports", "fw-crm-deny-all-ingress"),
        ("gcp-compute-firewall-no-internet-database-ports", "fw-crm-allow-vendor-ssh"),
        # the rest of the workload
        ("gcp-kms-key-not-public", "crm-archive"),
        ("gcp-compute-network-not-default", "vpc-crm-prod"),
        ("gcp-compute-subnetwork-flow-logs", "snet-crm-app"),
        ("gcp-compute-subnetwork-private-google-access", "snet-crm-mgmt"),
        ("gcp-compute-instance-no-external-ip-internal-tier", "vm-crm-bastion"),
        ("gcp-compute-instance-disk-cmek", "vm-crm-batch-01"),
        ("gcp-compute-target-https-proxy-tls-policy", "tp-crm-portal"),
        ("gcp-compute-target-ssl-proxy-tls-policy", "tsp-crm-card-gateway"),
        ("gcp-sql-instance-no-public-ip", "crm-db-prod"),
        ("gcp-sql-instance-ssl-required", "crm-db-prod"),
        ("gcp-sql-instance-cmek", "crm-db-prod"),
        ("gcp-sql-instance-pgaudit", "crm-db-prod"),
        ("gcp-sql-instance-data-residency", "crm-db-prod"),
        ("gcp-storage-bucket-cmk-encryption", "crm-prod-exports"),
        ("gcp-storage-bucket-data-residency", "crm-prod-exports"),
        ("gcp-storage-bucket-access-logging", "crm-prod-access-logs"),
        ("gcp-storage-bucket-log-archive-locked", "crm-prod-audit-archive"),
        ("gcp-storage-bucket-log-archive-retention", "crm-prod-audit-archive"),
        ("gcp-aiplatform-endpoint-private", "crm-assistant"),
        ("gcp-aiplatform-endpoint-location", "crm-assistant"),
        ("gcp-aiplatform-endpoint-cmek", "crm-assistant"),
        ("gcp-aiplatform-endpoint-request-response-logging", "crm-assistant"),
        ("gcp-aiplatform-model-cmek", "crm-consult-summarizer"),
        ("gcp-aiplatform-dataset-cmek", "crm-consult-notes-pseudonymized"),
        ("gcp-iam-service-account-no-user-managed-keys", f"crm-deployer@{PROJECT}.iam.gserviceaccount.com"),
        ("gcp-iam-service-account-key-rotation", f"crm-deployer@{PROJECT}.iam.gserviceaccount.com"),
        ("gcp-resourcemanager-project-log-archive-locked", PROJECT),
        ("gcp-resourcemanager-project-vpc-sc-perimeter", PROJECT),
        ("gcp-resourcemanager-project-kms-separation-of-duties", PROJECT),
        ("gcp-resourcemanager-project-org-policy-resource-locations", PROJECT),
        ("gcp-resourcemanager-project-org-policy-cmek-required", PROJECT),
    ],
)
def test_demo_passes_the_compliant_counterparts(demo: DemoRun, check: str, resource: str) -> None:
    assert demo.verdict(check, resource) == "PASS"


def test_demo_scans_the_crm_project_only_and_never_reads_the_sandbox(demo: DemoRun) -> None:
    records = demo.records()
    assert {r["account"] for r in records} == {PROJECT}
    assert not any(r["dependency"] for r in records)  # no tag filter: everything in the project is the workload
    names = {(r["type"], r["name"]) for r in records}
    assert ("gcp.accesscontextmanager.perimeter", "crm_prod") in names
    assert ("gcp.accesscontextmanager.perimeter", "payments_prod") not in names  # does not contain the project
    assert ("gcp.storage.bucket", "crm-sandbox-scratch") not in names
    assert {r["region"] for r in records} <= {"asia-northeast3", "global"}
    assert [c for c in demo.calls() if SANDBOX in c["path"] or SANDBOX_NUMBER in c["path"]] == []
    assert {c["status"] for c in demo.calls()} == {"ok"}


def test_permissions_gcp_role_holds_exactly_the_permissions_of_the_calls_a_scan_makes(demo: DemoRun) -> None:
    from clearance.providers.gcp import GcpProvider

    code, stdout, _ = run_cli("permissions", "gcp")
    assert code == 0
    role = json.loads(stdout)
    permission = {(op.service, op.name): op.permission for op in GcpProvider().operations()}
    called = {(c["service"], c["operation"]) for c in demo.calls()}
    # The planning calls of scans without --project, or with --organization / --folder:
    planning = {("cloudresourcemanager", op) for op in ("Projects_Search", "Projects_List", "Folders_List")}
    assert role["includedPermissions"] == sorted({permission[op] for op in called | planning})


@pytest.fixture(scope="module")
def second_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Any]]:
    """The library entry point with a progress callback."""
    from clearance.demo import run_demo

    out = tmp_path_factory.mktemp("demo-gcp-lib") / "out"
    events: list[Any] = []
    run_demo(out, provider="gcp", progress=events.append)
    return out, events


def test_demo_is_deterministic(demo: DemoRun, second_run: tuple[Path, list[Any]]) -> None:
    again = DemoRun(second_run[0], 0, "", 0.0, [], demo.provider)

    def key(run: DemoRun) -> list[tuple[str, str, str]]:
        return [(f["check_id"], f["resource"]["id"], f["verdict"]) for f in run.findings()]

    assert key(again) == key(demo)
    assert [r["id"] for r in again.records()] == [r["id"] for r in demo.records()]


def test_demo_reports_seeding_then_scanning_progress(second_run: tuple[Path, list[Any]]) -> None:
    from clearance.demo.gcp_seed import STEPS

    events = second_run[1]
    seeding = events[: len(STEPS)]
    assert [e.label for e in seeding] == [f"seeding {label}" for label, _ in STEPS]
    scanning = events[len(STEPS) :]
    assert scanning and all(e.label.startswith(f"{PROJECT}/") for e in scanning)
    assert scanning[-1].done == scanning[-1].total


COMPUTE_SCHEMAS = {
    "firewalls": "Firewall",
    "networks": "Network",
    "subnetworks": "Subnetwork",
    "instances": "Instance",
    "sslPolicies": "SslPolicy",
    "targetHttpsProxies": "TargetHttpsProxy",
    "targetSslProxies": "TargetSslProxy",
}
VERTEX_SCHEMAS = {"endpoints": "Endpoint", "models": "Model", "datasets": "Dataset"}


class RecordingFake:
    """Stands in for the fake while seeding: keeps each body with the discovery schema it must match."""

    def __init__(self) -> None:
        self.bodies: list[tuple[str, str, Any]] = []

    def _add(self, api: str, schema: str, body: Any) -> None:
        if body is not None:
            self.bodies.append((api, schema, body))

    def add_project(
        self, body: Any, *, iam_policy: Any = None, effective_policies: Any = None, cache_config: Any = None
    ) -> None:
        self._add("cloudresourcemanager.v3", "Project", body)
        self._add("cloudresourcemanager.v3", "Policy", iam_policy)
        for policy in (effective_policies or {}).values():
            self._add("orgpolicy.v2", "GoogleCloudOrgpolicyV2Policy", policy)
        self._add("aiplatform.v1", "GoogleCloudAiplatformV1CacheConfig", cache_config)

    def add_folder(self, body: Any) -> None:
        self._add("cloudresourcemanager.v3", "Folder", body)

    def add_bucket(self, project: str, body: Any, *, iam_policy: Any = None) -> None:
        self._add("storage.v1", "Bucket", body)
        self._add("storage.v1", "Policy", iam_policy)

    def add_key_ring(self, body: Any, *, iam_policy: Any = None) -> None:
        self._add("cloudkms.v1", "KeyRing", body)
        self._add("cloudkms.v1", "Policy", iam_policy)

    def add_crypto_key(self, body: Any, *, iam_policy: Any = None) -> None:
        self._add("cloudkms.v1", "CryptoKey", body)
        self._add("cloudkms.v1", "Policy", iam_policy)

    def add_sql_instance(self, project: str, body: Any) -> None:
        self._add("sqladmin.v1", "DatabaseInstance", body)

    def add_compute(self, project: str, collection: str, body: Any) -> None:
        self._add("compute.v1", COMPUTE_SCHEMAS[collection], body)

    def add_log_bucket(self, body: Any) -> None:
        self._add("logging.v2", "LogBucket", body)

    def add_sink(self, project: str, body: Any) -> None:
        self._add("logging.v2", "LogSink", body)

    def add_vertex(self, collection: str, body: Any) -> None:
        self._add("aiplatform.v1", f"GoogleCloudAiplatformV1{VERTEX_SCHEMAS[collection]}", body)

    def add_service_account(self, project: str, body: Any, keys: Any = ()) -> None:
        self._add("iam.v1", "ServiceAccount", body)
        for key in keys:
            self._add("iam.v1", "ServiceAccountKey", key)

    def add_access_policy(self, body: Any) -> None:
        self._add("accesscontextmanager.v1", "AccessPolicy", body)

    def add_perimeter(self, body: Any) -> None:
        self._add("accesscontextmanager.v1", "ServicePerimeter", body)


def test_every_seeded_body_is_what_the_google_api_returns() -> None:
    """Each body the demo serves fits its discovery schema: no misspelled field silently tests nothing."""
    from clearance.demo.gcp_seed import seed

    from .gcp.test_builders_discovery import check

    fake = RecordingFake()
    seed(fake)  # type: ignore[arg-type]
    assert len(fake.bodies) > 60
    assert [problem for api, schema, body in fake.bodies for problem in check(api, schema, body)] == []


def test_the_emulator_seam_is_imported_by_the_demo_runner_only() -> None:
    """``clearance scan`` cannot reach the fixed token or the no-proxy client options: only the runner imports them."""
    import clearance

    root = Path(clearance.__file__).parent
    users = sorted(
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "gcp_client" in path.read_text("utf-8") and path.parent.name != "fakes"
    )
    assert users == ["demo/runner.py"]


def test_demo_refuses_an_out_directory_that_is_not_a_previous_scan(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", "utf-8")
    code, _, err = run_cli("demo", "--provider", "gcp", "--out", str(tmp_path))
    assert code == 2
    assert "not empty and is not a previous clearance scan" in err
    assert (tmp_path / "notes.txt").read_text("utf-8") == "mine"


def test_demo_without_the_gcp_extra_says_how_to_install_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "googleapiclient", None)  # what an installation without it looks like
    code, _, err = run_cli("demo", "--provider", "gcp", "--out", str(tmp_path / "out"))
    assert code == 2
    assert "pip install 'clearance[gcp]'" in err
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_demo_without_asn1crypto_says_how_to_install_it_before_any_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The ``gcp`` extra lacks the demo package's timestamp authority: say so up front, not after the scan."""
    monkeypatch.setitem(sys.modules, "asn1crypto", None)
    code, _, err = run_cli("demo", "--provider", "gcp", "--out", str(tmp_path / "out"))
    assert code == 2
    assert "pip install asn1crypto" in err
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()
