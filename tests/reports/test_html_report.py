"""report.html without a browser: what the file holds, that it loads nothing, and that hostile data stays data.

The scans are real (see html_support.py): the GCP demo's, and a hostile, incomplete copy of it with
exceptions and attestations registers.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest

from clearance.reports import registry
from clearance.reports.generate import write_reports
from clearance.reports.html import HtmlReport
from clearance.reports.htmlkit.charts import Segment, donut, stacked_bar
from clearance.reports.htmlkit.findings import script_json
from clearance.reports.htmlkit.markup import Html, esc
from clearance.reports.htmlkit.overview import is_complete
from clearance.reports.htmlkit.registers import attestations_section, exceptions_section
from clearance.reports.htmlkit.text import UI
from clearance.scanresults import open_results

from .html_support import HOSTILE, HOSTILE_ID, Page, write_report


@pytest.fixture(scope="module")
def plain(plain_report: Path) -> Page:
    return Page(plain_report.read_text("utf-8"))


@pytest.fixture(scope="module")
def hostile(hostile_report: Path) -> Page:
    return Page(hostile_report.read_text("utf-8"))


def test_the_html_format_writes_report_html_through_the_registry(demo_scan: Path, tmp_path: Path) -> None:
    report = registry.get("html")
    assert isinstance(report, HtmlReport) and report.name == "html"
    written = write_reports(demo_scan, tmp_path, formats=["html"])
    assert written == [tmp_path / "report.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]  # no temporary file left behind


_LOADING_TAGS = {"img", "iframe", "frame", "object", "embed", "video", "audio", "source", "track", "base", "portal"}
_URL_ATTRS = {"src", "srcset", "poster", "action", "formaction", "data", "background", "ping", "manifest", "xlink:href"}


@pytest.mark.parametrize("which", ["plain", "hostile"])
def test_the_page_loads_nothing_from_anywhere(which: str, request: pytest.FixtureRequest) -> None:
    page: Page = request.getfixturevalue(which)
    for tag, attrs in page.elements:
        assert tag not in _LOADING_TAGS, (tag, attrs)
        assert not _URL_ATTRS & set(attrs), (tag, attrs)
        href = attrs.get("href")
        if href is not None:
            assert href.startswith("#") or (tag == "link" and href == "data:,"), (tag, attrs)
        if tag == "link":
            assert attrs.get("rel") == "icon", attrs
        assert "url(" not in (attrs.get("style") or "")
    css = re.search(r"<style>(.*?)</style>", Path(request.getfixturevalue(f"{which}_report")).read_text("utf-8"), re.S)
    assert css is not None
    assert "url(" not in css.group(1) and "@import" not in css.group(1) and "@font-face" not in css.group(1)
    code = page.code()
    for api in (
        "fetch(",
        "XMLHttpRequest",
        "WebSocket",
        "EventSource",
        "sendBeacon",
        "import(",
        "importScripts",
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
        "Function(",
        ".src",
    ):
        assert api not in code, api
    assert [a.get("type") for a, _ in page.scripts] == ["application/json", "application/json", None]


def test_a_content_security_policy_forbids_every_load_and_allows_only_the_embedded_script(plain: Page) -> None:
    (meta,) = plain.all("meta", http_equiv="Content-Security-Policy")
    policy = dict(part.strip().split(" ", 1) for part in str(meta["content"]).split(";"))
    assert policy["default-src"] == "'none'"
    digest = base64.b64encode(hashlib.sha256(plain.code().encode("utf-8")).digest()).decode()
    assert policy["script-src"] == f"'sha256-{digest}'"
    assert "connect-src" not in policy and "font-src" not in policy  # fall back to default-src 'none'
    assert policy["img-src"] == "data:"


def test_a_hostile_resource_name_stays_data(hostile: Page, hostile_report: Path) -> None:
    raw = hostile_report.read_text("utf-8")
    assert not hostile.all("img") and len(hostile.scripts) == 3  # the parser saw no injected element
    assert "<img" not in raw and "<!--" not in raw
    assert len(re.findall("</script", raw, re.I)) == 3
    assert "\u2028" not in raw and "\u2029" not in raw
    rows = hostile.rows()
    (row,) = [r for r in rows if r[7] == HOSTILE]  # JSON.parse gives the name back exactly
    assert row[6] == HOSTILE_ID and "\u2028" in row[8] and HOSTILE in row[8]
    (error_row,) = [r for r in rows if r[11]]
    assert error_row[11] == ["Instances_Get", "AccessDenied", HOSTILE, "cloudsql.instances.get", True]
    escaped = "&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"
    assert f"denied {escaped}" in raw  # the coverage gap's message, rendered as text
    assert f"Archive key rotated by hand. {escaped}" in raw  # the exception's justification


def test_findings_rows_hold_every_finding_once_in_file_order(hostile: Page, hostile_scan: Path) -> None:
    data, rows = hostile.data(), hostile.rows()
    with open_results(hostile_scan) as results:
        findings = list(results.iter_findings())
    assert len(rows) == len(findings)
    decoded = [
        (
            data["checks"][r[0]]["id"],
            data["verdicts"][r[1]],
            data["severities"][r[2]],
            data["accounts"][r[3]],
            data["regions"][r[4]],
            data["types"][r[5]],
            r[6],
            r[7],
            r[8],
            data["verdicts"][r[9]] if r[9] >= 0 else None,
            r[10],
        )
        for r in rows
    ]
    expected = [
        (
            f["check_id"],
            f["verdict"],
            f["severity"],
            f["resource"]["account"],
            f["resource"]["region"],
            f["resource"]["type"],
            f["resource"]["id"],
            f["resource"]["name"],
            f["reason"],
            f["underlying_verdict"],
            [f["exception"]["id"], f["exception"]["status"], f["exception"]["expires"]] if f.get("exception") else None,
        )
        for f in findings
    ]
    assert decoded == expected
    muted = [d for d in decoded if d[1] == "MUTED"]
    assert muted and all(d[9] == "FAIL" and d[10][0] == "EXC-HTML-1" and d[10][1] == "applied" for d in muted)
    assert any(d[10] and d[10][1] == "expired" and d[1] == "FAIL" for d in decoded)  # a lapse is shown, not muted
    assert data["fields"][:3] == ["check", "verdict", "severity"]


def test_every_interface_string_exists_in_english_and_korean() -> None:
    placeholders = re.compile(r"\{(\w+)\}")
    for key, (en, ko) in UI.items():
        assert en and ko, key
        assert set(placeholders.findall(en)) == set(placeholders.findall(ko)), key
        assert re.search("[가-힣]", ko) or ko == en, key


def test_both_languages_are_in_the_page_from_the_interface_and_from_the_data(plain: Page, plain_report: Path) -> None:
    raw = plain_report.read_text("utf-8")
    assert raw.count('<span class="en" lang="en">') == raw.count('<span class="ko" lang="ko">') > 200
    for text in (
        "Cloud posture report",
        "클라우드 보안 점검 보고서",
        "Findings",
        "점검 결과",
        "Not satisfied",
        "미충족",
    ):
        assert text in plain.visible, text
    for text in ("저장 데이터 암호화", "제1장", "위원회 의결", "클라우드 사업자의 책임", "확인서가 필요합니다"):
        assert text in plain.visible, text  # framework titles, sections, notes and reasons
    assert "고객 관리형 키로 저장 데이터 암호화" in plain.visible  # control titles (ENC-01)
    checks = {c["id"]: c for c in plain.data()["checks"]}
    rotation = checks["gcp-kms-key-rotation"]
    assert rotation["title"]["en"] and re.search("[가-힣]", rotation["title"]["ko"])
    assert re.search("[가-힣]", rotation["rationale"]["ko"]) and re.search("[가-힣]", rotation["remediation"]["ko"])
    assert set(plain.data()["ui"]) == set(UI)
    assert {lang: title.startswith("[") for lang, title in plain.data()["title"].items()} == {"en": False, "ko": False}


def test_the_same_scan_gives_the_same_bytes(hostile_scan: Path, framework_file: Path, tmp_path: Path) -> None:
    first = write_report(hostile_scan, tmp_path / "a", framework_file).read_bytes()
    second = write_report(hostile_scan, tmp_path / "b", framework_file).read_bytes()
    assert first == second
    finished = json.loads((hostile_scan / "scan.json").read_text("utf-8"))["finished"]
    assert finished.replace("T", " ").replace("Z", " UTC").encode() in first  # the scan's own time, not the writing's


def test_a_complete_scan_says_so(plain: Page) -> None:
    (banner,) = [a for t, a in plain.elements if "banner" in (a.get("class") or "").split()]
    assert banner["class"] == "banner banner-complete" and banner["role"] == "status"
    assert "Every check was evaluated" in plain.visible
    assert "No coverage gaps" in plain.visible
    assert plain.all("span", class_="status-badge is-complete")


def test_an_incomplete_scan_cannot_look_clean(hostile: Page, hostile_report: Path) -> None:
    (banner,) = [a for t, a in hostile.elements if "banner" in (a.get("class") or "").split()]
    assert banner["class"] == "banner banner-incomplete" and banner["role"] == "alert"
    assert "1 check × account × region combination(s) were not evaluated and 1 finding(s) are errors" in hostile.visible
    assert hostile.all("span", class_="status-badge is-incomplete")
    assert "<title>[INCOMPLETE] Cloud posture report — gcp — clearance-prod" in hostile_report.read_text("utf-8")
    assert hostile.data()["title"]["en"].startswith("[INCOMPLETE] ")
    assert hostile.data()["title"]["ko"].startswith("[불완전] ")
    assert hostile.all("a", class_="kpi kpi-unknown", href="#findings")  # the error count, highlighted
    gaps = hostile.visible.split("Coverage gaps")[-1]
    assert "PERMISSION_DENIED" in gaps and "aiplatform.datasets.list" in gaps and "Datasets_List" in gaps


@pytest.mark.parametrize(
    ("summary", "complete"),
    [
        ({"complete": True, "verdicts": {"ERROR": 0}, "coverage": {"not_evaluated": 0}}, True),
        ({"complete": False, "verdicts": {"ERROR": 0}, "coverage": {"not_evaluated": 0}}, False),
        ({"complete": True, "verdicts": {"ERROR": 2}, "coverage": {"not_evaluated": 0}}, False),
        ({"complete": True, "verdicts": {"ERROR": 0}, "coverage": {"not_evaluated": 3}}, False),
        ({"verdicts": {}, "coverage": {}}, False),
    ],
)
def test_completeness_needs_the_engine_word_and_no_contradiction(summary: dict[str, Any], complete: bool) -> None:
    assert is_complete(summary) is complete


def test_stacked_bars_and_donuts_carry_their_numbers() -> None:
    segments = [Segment("FAIL", Html("Fail"), 3), Segment("ERROR", Html("Error"), 0), Segment("PASS", Html("Pass"), 1)]
    bar = stacked_bar(segments)
    assert 'class="seg c-FAIL" style="flex-grow:3"' in bar and 'class="seg c-PASS" style="flex-grow:1"' in bar
    assert "c-ERROR" not in bar  # an empty segment is not drawn
    assert "Fail: 3 (75.0%)" in bar and "Pass: 1 (25.0%)" in bar  # tooltips
    assert '<span class="sr-only">Fail 3, Pass 1</span>' in bar  # what a screen reader hears
    assert "bar-empty" in stacked_bar([Segment("FAIL", Html("Fail"), 0)])
    ring = donut(segments, Html("4"), Html("Verdicts"))
    lengths = [float(x) for x in re.findall(r'stroke-dasharray="([\d.]+) ', ring)]
    assert lengths == [75.0, 25.0]
    assert "<b>3</b>" in ring and "<b>0</b>" in ring  # the legend lists every count, zeros included


def test_control_and_family_charts_show_the_summary(plain: Page, demo_scan: Path, plain_report: Path) -> None:
    raw = plain_report.read_text("utf-8")
    with open_results(demo_scan) as results:
        summary = results.summary
    posture = raw.split('id="posture"')[1].split('id="frameworks"')[0]
    fails = [int(n) for n in re.findall(r'class="seg c-FAIL" style="flex-grow:(\d+)"', posture.split("<h3>")[1])]
    assert fails == [summary["by_family"][f]["FAIL"] for f in ("encryption", "isolation", "logging", "gen-ai")]
    assert plain.all("a", href="#findings", data_goto="control:ENC-01")
    assert "no check on this cloud" in posture.split("AI-04")[1].split("AI-05")[0]  # GCP has no AI-04 check
    coverage = posture.split("Coverage by control family")[1]
    assert (
        sum(int(n) for n in re.findall(r'c-cov-evaluated" style="flex-grow:(\d+)"', coverage))
        >= summary["coverage"]["evaluated"]
    )


def test_framework_requirements_show_status_class_reason_confidence_and_findings(
    hostile: Page, hostile_report: Path
) -> None:
    raw = hostile_report.read_text("utf-8")
    block = raw.split('id="fw-html-test"')[1]
    rows = {
        m.group(1): m.group(2) for m in re.finditer(r'<th scope="row"><code>(R\d)</code></th>(.*?)</tr>', block, re.S)
    }
    assert sorted(rows) == ["R1", "R2", "R3", "R4", "R5"]
    assert "c-st-not_evaluated" in rows["R1"]  # the SQL check is in ERROR: no claim
    assert "c-st-satisfied" in rows["R3"] and "ATT-HTML-1" in rows["R3"]  # attested by a valid attestation
    assert "c-st-satisfied" in rows["R5"] and "EXC-HTML-1" in rows["R5"]  # its only failure accepted by exception
    assert "c-st-not_applicable" in rows["R4"] and "c-cl-not_applicable" in rows["R4"]
    assert '<span class="conf conf-C" title="Rule 1, cited">[C]</span>' in rows["R1"]
    assert "[P]" in rows["R2"] and "[U]" in rows["R3"] and "[" not in rows["R4"].split("center")[1][:40]
    assert 'data-goto="req:html-test::R2"' in rows["R2"]
    assert "gcp-logging-bucket-retention" in rows["R2"]  # a finding behind it, listed
    req = hostile.data()["requirements"]["html-test::R5"]
    assert [hostile.data()["checks"][i]["id"] for i in req["checks"]] == ["gcp-kms-key-rotation"]


def test_registers_are_shown_as_the_scan_judged_them(hostile: Page, plain: Page, hostile_report: Path) -> None:
    raw = hostile_report.read_text("utf-8")
    exceptions = raw.split('id="exceptions"')[1].split("</section>")[0]
    assert re.search(r"EXC-HTML-1</code>.*?c-PASS\">.*?applied", exceptions, re.S)
    assert re.search(r"EXC-HTML-2</code>.*?c-FAIL\">.*?expired", exceptions, re.S)
    assert "judged at 2026-11-25" in exceptions and "1 finding(s) muted" in exceptions
    attestations = raw.split('id="attestations"')[1].split("</section>")[0]
    assert re.search(r"ATT-HTML-1</code>.*?html-test R3.*?valid", attestations, re.S)
    assert re.search(r"ATT-HTML-2</code>.*?LOG-05.*?expired", attestations, re.S)
    assert exceptions_section(None) is None and attestations_section(None) is None  # a scan without registers
    assert hostile.all("a", href="#exceptions") and hostile.all("a", href="#attestations")  # in the contents


def test_json_for_a_script_element_escapes_what_could_end_it() -> None:
    text = script_json({"name": "</script><!--\u2028\u2029&>\ud800 한"})
    assert text == '{"name":"\\u003c/script\\u003e\\u003c!--\\u2028\\u2029\\u0026\\u003e\\ud800 한"}'
    assert json.loads(text) == {"name": "</script><!--\u2028\u2029&>\ud800 한"}
    assert esc("\ud800<b>") == "\ufffd&lt;b&gt;"  # static markup: an unencodable surrogate becomes U+FFFD
