"""What the HTML report tests share: a framework file, a hostile and incomplete scan, their reports, an HTML reader.

The hostile scan is the GCP demo re-evaluated with exceptions and attestations registers, then given a
hostile resource name and reason, an ERROR finding and a coverage gap (so the scan is incomplete).
The fixtures are registered for tests/reports by conftest.py.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import shutil
import textwrap
from html.parser import HTMLParser
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from clearance.reports.context import build_context
from clearance.reports.html import HtmlReport
from clearance.scanresults import open_results

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = "</script><img src=x onerror=alert(1)><!--<script>"
HOSTILE_ID = "//storage.googleapis.com/projects/_/buckets/" + HOSTILE
AS_OF = dt.date(2026, 11, 25)
FRAMEWORK = """
framework: html-test
version: "1"
title: {en: HTML test framework, ko: HTML 시험 프레임워크}
publisher: clearance tests
kind: internal
source: tests/reports/test_html_report.py
providers: [aws, azure, gcp]
requirements:
  - id: R1
    title: {en: Encryption at rest, ko: 저장 데이터 암호화}
    section: {en: Chapter 1, ko: 제1장}
    class: automated
    controls: [ENC-01]
    provenance: {confidence: C, source: "Rule 1, cited"}
  - id: R2
    title: {en: Log retention, ko: 로그 보존}
    class: partial
    controls: [LOG-05]
    attestation: {en: Monthly log review, ko: 월간 로그 점검}
    provenance: {confidence: P, source: a secondary source}
  - id: R3
    title: {en: Committee resolution, ko: 위원회 의결}
    class: manual
    attestation: {en: The resolution, ko: 의결서}
    provenance: {confidence: U, source: our interpretation}
  - id: R4
    title: {en: Physical security, ko: 물리 보안}
    class: not_applicable
    note: {en: The provider's duty, ko: 클라우드 사업자의 책임}
  - id: R5
    title: {en: Key rotation, ko: 키 교체}
    class: {aws: not_applicable, azure: not_applicable, gcp: automated}
    checks: [gcp-kms-key-rotation]
    note: {en: Only the GCP check is mapped, ko: GCP 점검만 연결됨}
"""
EXCEPTIONS = f"""
exceptions:
  - id: EXC-HTML-1
    check: gcp-kms-key-rotation
    resources: {{names: [crm-archive]}}
    justification: "Archive key rotated by hand. {HOSTILE}"
    approver: Kim CISO
    ticket: RISK-7
    created: 2026-01-01
    expires: 2027-12-31
  - id: EXC-HTML-2
    check: gcp-logging-bucket-locked
    resources: {{all: true}}
    justification: Lock planned.
    approver: Kim CISO
    created: 2025-01-01
    expires: 2026-06-30
"""
ATTESTATIONS = """
attestations:
  - id: ATT-HTML-1
    covers: [{requirement: {framework: html-test, id: R3}}]
    statement: The committee resolved the cloud use on 2026-10-01.
    owner: Lee CRO
    created: 2026-10-01
    expires: 2027-09-30
  - id: ATT-HTML-2
    covers: [{control: LOG-05}]
    statement: Log review of last year.
    owner: Lee CRO
    created: 2025-01-01
    expires: 2025-12-31
"""


def bench() -> ModuleType:
    """benchmarks/html_report_bench.py: its findings.json writer and synthesiser serve the tests too."""
    spec = importlib.util.spec_from_file_location("html_report_bench", ROOT / "benchmarks" / "html_report_bench.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def make_hostile(scan: Path) -> None:
    """Give ``scan`` a hostile resource name and reason, an ERROR finding and a coverage gap (so: incomplete)."""
    from clearance.engine.checks import load_controls

    with open_results(scan) as results:
        header = dict(results.header)
        findings = list(results.iter_findings())
    victim = next(
        f for f in findings if f["check_id"] == "gcp-storage-bucket-iam-no-public-members" and f["verdict"] == "FAIL"
    )
    victim["resource"] = {**victim["resource"], "name": HOSTILE, "id": HOSTILE_ID}
    victim["reason"] = f"Line\u2028separator, paragraph\u2029separator </SCRIPT> & {HOSTILE}"
    broken = next(f for f in findings if f["verdict"] == "PASS" and f["check_id"].startswith("gcp-sql"))
    broken.update(
        verdict="ERROR",
        reason="The IAM policy could not be read",
        error={
            "operation": "Instances_Get",
            "code": "AccessDenied",
            "message": HOSTILE,
            "permission": "cloudsql.instances.get",
            "denied": True,
        },
    )
    coverage = json.loads((scan / "coverage.json").read_text("utf-8"))
    coverage["coverage"].append(
        {
            "check_id": "gcp-aiplatform-dataset-cmek",
            "provider": "gcp",
            "account": "clearance-prod",
            "region": "*",
            "status": "not_evaluated",
            "resources": 0,
            "errors": 0,
            "list_call": None,
            "error": {
                "operation": "Datasets_List",
                "code": "PERMISSION_DENIED",
                "message": f"denied {HOSTILE}",
                "permission": "aiplatform.datasets.list",
                "denied": True,
            },
        }
    )
    coverage["totals"]["not_evaluated"] += 1
    coverage["complete"] = False
    (scan / "coverage.json").write_text(json.dumps(coverage, indent=1, sort_keys=True), "utf-8")
    families = {c.id: c.family for c in load_controls().values()}
    header["summary"] = {**bench().summarize(findings, families, header["summary"]), "coverage": coverage["totals"]}
    bench().write_findings(scan / "findings.json", header, findings)


class Page(HTMLParser):
    """Every element with its attributes, script contents by id, and the visible text of report.html."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.text: list[str] = []
        self._script: tuple[dict[str, str | None], list[str]] | None = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        if tag == "script":
            self._script = (dict(attrs), [])

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            self.scripts.append((self._script[0], "".join(self._script[1])))
            self._script = None

    def handle_data(self, data: str) -> None:
        (self._script[1] if self._script is not None else self.text).append(data)

    def all(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        return [
            a
            for t, a in self.elements
            if t == tag and all(a.get(k.rstrip("_").replace("_", "-")) == v for k, v in attrs.items())
        ]

    def script(self, ident: str) -> str:
        found = [body for attrs, body in self.scripts if attrs.get("id") == ident]
        assert len(found) == 1, ident
        return found[0]

    def data(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.script("clearance-data"))
        return data

    def rows(self) -> list[list[Any]]:
        rows: list[list[Any]] = json.loads(self.script("clearance-findings"))
        return rows

    def code(self) -> str:
        return next(body for attrs, body in self.scripts if "type" not in attrs)

    @property
    def visible(self) -> str:
        return " ".join(self.text)


def write_report(scan: Path, out: Path, framework: Path) -> Path:
    with open_results(scan) as results:
        ctx = build_context(results, [framework])
        (path,) = HtmlReport().write(ctx, out)
    return path


@pytest.fixture(scope="session")
def framework_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("html-fw") / "html-test.yaml"
    path.write_text(textwrap.dedent(FRAMEWORK).lstrip(), "utf-8")
    return path


@pytest.fixture(scope="session")
def hostile_scan(demo_scan: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo re-evaluated with both registers, then made hostile and incomplete."""
    from clearance.api import evaluate

    scan = tmp_path_factory.mktemp("html-hostile") / "scan"
    shutil.copytree(demo_scan, scan, ignore=shutil.ignore_patterns("reports", "evidence.zip"))
    registers = scan.parent / "registers"
    registers.mkdir()
    (registers / "exceptions.yaml").write_text(textwrap.dedent(EXCEPTIONS).lstrip(), "utf-8")
    (registers / "attestations.yaml").write_text(textwrap.dedent(ATTESTATIONS).lstrip(), "utf-8")
    evaluate(scan, exceptions=registers / "exceptions.yaml", attestations=registers / "attestations.yaml", as_of=AS_OF)
    make_hostile(scan)
    return scan


@pytest.fixture(scope="session")
def plain_report(demo_scan: Path, framework_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_report(demo_scan, tmp_path_factory.mktemp("html-plain"), framework_file)


@pytest.fixture(scope="session")
def hostile_report(hostile_scan: Path, framework_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_report(hostile_scan, tmp_path_factory.mktemp("html-hostile-out"), framework_file)
