"""report.html in a real headless Chromium: it renders, filters, searches, switches language, and loads nothing.

Needs Debian's ``chromium`` (``/usr/bin/chromium``, or ``CLEARANCE_CHROMIUM``) and Playwright for Python
(the ``test`` extra); Playwright's own browser download is never used. Where either is missing the
tests are skipped with the reason — except under ``CLEARANCE_REQUIRE_BROWSER=1`` (set by .ci/run, which
installs both), where they fail: CI never skips them quietly.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from clearance.reports.context import build_context
from clearance.reports.html import HtmlReport
from clearance.scanresults import open_results

from .html_support import HOSTILE, Page, bench

pytestmark = pytest.mark.browser
CHROMIUM = os.environ.get("CLEARANCE_CHROMIUM", "/usr/bin/chromium")
REQUIRED = os.environ.get("CLEARANCE_REQUIRE_BROWSER") == "1"
"""Set by .ci/run: there a missing browser fails the run instead of skipping the tests."""


def _unavailable(reason: str) -> None:
    if REQUIRED:
        pytest.fail(f"CLEARANCE_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed (pip install playwright; it is in the test extra)")
    if not Path(CHROMIUM).is_file():
        _unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium, or set CLEARANCE_CHROMIUM)")
    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=CHROMIUM)
        yield launched
        launched.close()


@dataclass
class Opened:
    """A page showing a report, with everything it tried to load and every error or dialog it raised."""

    page: Any
    url: str
    requests: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def rows(self) -> int:
        return int(self.page.evaluate("() => Number(document.documentElement.dataset.rows)"))

    def renders(self) -> int:
        return int(self.page.evaluate("() => window.clearanceReport.renders"))

    def after(self, action: Any) -> None:
        """Run a user action and wait until the findings table was rendered again."""
        before = self.renders()
        action()
        self.page.wait_for_function("n => window.clearanceReport.renders > n", arg=before)

    def search(self, text: str, action: Any) -> None:
        """Type into the search box with ``action`` and wait until the table shows the result for ``text``."""
        action()
        self.page.wait_for_function("q => window.clearanceReport.query === q", arg=text)

    def status(self) -> str:
        return str(self.page.inner_text("#f-status"))

    def table_column(self, index: int) -> list[str]:
        return [
            str(t) for t in self.page.locator(f"#f-body tr:not(.detail) > td:nth-child({index})").all_text_contents()
        ]


def open_report(browser: Any, report: Path) -> Opened:
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="en-US")
    opened = Opened(page, report.as_uri())
    page.on("request", lambda r: opened.requests.append(r.url))
    page.on(
        "console",
        lambda m: opened.problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning") else None,
    )
    page.on("pageerror", lambda e: opened.problems.append(f"page error: {e}"))
    page.on("dialog", lambda d: (opened.problems.append(f"dialog: {d.message}"), d.dismiss()))
    page.goto(opened.url)
    page.wait_for_function("() => window.clearanceReport && window.clearanceReport.renders > 0")
    return opened


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", path
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.fixture
def hostile_page(browser: Any, hostile_report: Path) -> Iterator[Opened]:
    opened = open_report(browser, hostile_report)
    yield opened
    assert opened.requests == [opened.url]  # the report itself, nothing else
    assert opened.problems == []  # no script error, no CSP violation, no alert()
    opened.page.close()


def test_summary_frameworks_search_filter_and_language_in_chromium(
    hostile_page: Opened, hostile_scan: Path, hostile_report: Path, tmp_path: Path
) -> None:
    page = hostile_page.page
    with open_results(hostile_scan) as results:
        summary = results.summary
        haystacks = [
            f"{f['resource']['id']} {f['resource']['name']} {f['reason']}".lower() for f in results.iter_findings()
        ]
    total, fails = summary["findings"], summary["verdicts"]["FAIL"]
    assert page.locator(".banner-incomplete").is_visible()
    assert "Incomplete scan" in page.inner_text(".banner-incomplete")
    assert page.inner_text(".kpi-bad .kpi-value") == f"{fails:,}"
    assert page.inner_text(".kpi-unknown .kpi-value >> nth=0") == "1"  # the ERROR finding
    r5 = page.locator("#fw-html-test tr", has=page.locator("th", has_text="R5"))
    assert r5.is_visible() and "Satisfied" in r5.inner_text() and "EXC-HTML-1" in r5.inner_text()
    assert hostile_page.status() == f"Showing 1–100 of {total:,} findings"
    assert len(hostile_page.table_column(2)) == 100

    search = page.locator("#f-q")
    hostile_page.search("crm-archive", lambda: search.press_sequentially("crm-archive"))
    assert hostile_page.rows() == sum("crm-archive" in h for h in haystacks) > 1
    assert f"(filtered from {total:,})" in hostile_page.status()
    assert all("crm-archive" in row.lower() for row in page.locator("#f-body tr").all_inner_texts())

    hostile_page.search("onerror", lambda: search.fill("onerror"))  # the hostile name is found, and shown as text
    assert hostile_page.rows() == 1
    assert page.inner_text("#f-body .rname") == HOSTILE
    assert page.locator("img").count() == 0

    hostile_page.search("", lambda: search.fill(""))
    hostile_page.after(lambda: page.select_option("#f-v", "FAIL"))
    assert hostile_page.rows() == fails
    assert set(hostile_page.table_column(2)) == {"Fail"}
    hostile_page.after(lambda: page.select_option("#f-s", "1"))  # severities are indexed critical, high, ...
    assert hostile_page.rows() == summary["fail_by_severity"]["high"] and set(hostile_page.table_column(3)) == {"High"}
    hostile_page.after(lambda: page.select_option("#f-s", "-1"))

    hostile_page.after(lambda: page.click("[data-set-lang=ko]"))
    assert page.evaluate("document.documentElement.lang") == "ko"
    assert page.inner_text("h1").startswith("클라우드 보안 점검 보고서")
    assert page.locator("h1 span.en").is_hidden()
    assert hostile_page.status() == f"결과 {fails:,}건 중 1–{fails:,}건 표시 (전체 {total:,}건 중)"
    assert set(hostile_page.table_column(2)) == {"미충족"}
    titles = {c["id"]: c["title"]["ko"] for c in Page(hostile_report.read_text("utf-8")).data()["checks"]}
    assert titles["gcp-compute-firewall-no-internet-admin-ports"] in page.inner_text("#f-body")  # from the content pack
    shot = tmp_path / "report-ko.png"
    page.screenshot(path=str(shot), full_page=False)
    assert png_size(shot) == (1400, 1000) and shot.stat().st_size > 30_000


def test_links_from_charts_and_requirements_filter_the_table(hostile_page: Opened) -> None:
    page = hostile_page.page
    hostile_page.after(lambda: page.click('[data-goto="req:html-test::R5"]'))
    assert page.inner_text("#f-chips").startswith("Requirement html-test R5")
    assert set(page.locator("#f-body .cid").all_inner_texts()) == {"gcp-kms-key-rotation"}
    hostile_page.after(lambda: page.click("#f-chips button"))
    assert page.inner_text("#f-chips") == "" and "filtered" not in hostile_page.status()
    hostile_page.after(lambda: page.click('a[data-goto="control:ENC-01"]'))
    assert page.input_value("#f-ctl") == "ENC-01"
    assert 0 < hostile_page.rows() < int(page.evaluate("window.clearanceReport.findings"))
    hostile_page.after(lambda: page.click('a.kpi[data-goto="verdict:ERROR"]'))
    assert hostile_page.rows() == 1
    hostile_page.after(lambda: page.click("#f-reset"))
    assert page.input_value("#f-v") == "" and page.input_value("#f-ctl") == ""


def test_the_table_works_from_the_keyboard(hostile_page: Opened) -> None:
    page = hostile_page.page
    page.focus("#f-q")
    hostile_page.search("kms-key-rotation", lambda: page.keyboard.type("kms-key-rotation"))
    toggle = page.locator(".tog-btn").first
    toggle.focus()
    hostile_page.after(lambda: page.keyboard.press("Enter"))
    toggle = page.locator(".tog-btn").first
    assert toggle.get_attribute("aria-expanded") == "true"
    assert page.evaluate("document.activeElement.classList.contains('tog-btn')")
    detail = page.inner_text("tr.detail")
    assert "Why it matters" in detail and "How to fix" in detail and "ENC-02" in detail
    sort = page.locator("button.sort[data-sort=n]")
    sort.focus()
    hostile_page.after(lambda: page.keyboard.press("Enter"))
    assert page.get_attribute("th:has(button[data-sort=n])", "aria-sort") == "ascending"
    page.focus("#f-q")
    hostile_page.search("", lambda: page.fill("#f-q", ""))
    page.focus("#p-next")
    hostile_page.after(lambda: page.keyboard.press("Enter"))
    assert hostile_page.status().startswith("Showing 101–")


def test_printing_hides_the_controls_and_keeps_the_content(hostile_page: Opened) -> None:
    page = hostile_page.page
    page.emulate_media(media="print")
    assert (
        page.locator(".filters").is_hidden()
        and page.locator(".lang").is_hidden()
        and page.locator(".pager").is_hidden()
    )
    assert page.locator(".print-only").is_visible() and page.locator(".banner-incomplete").is_visible()
    assert page.locator("#fw-html-test table").is_visible()


def test_five_thousand_findings_render_page_and_search(browser: Any, demo_scan: Path, tmp_path: Path) -> None:
    scan = tmp_path / "scan"
    bench().synthesize(demo_scan, scan, 5000)
    with open_results(scan) as results:
        (report,) = HtmlReport().write(build_context(results), tmp_path / "out")
        seventh = sum(1 for f in results.iter_findings() if f["resource"]["id"].endswith("~00007"))
    opened = open_report(browser, report)
    try:
        assert opened.status() == "Showing 1–100 of 5,000 findings"
        assert opened.page.inner_text("#p-info") == "Page 1 of 50"
        opened.search("~00007", lambda: opened.page.fill("#f-q", "~00007"))
        assert opened.rows() == seventh > 100  # every finding of the eighth copy, and only those
        assert opened.status() == f"Showing 1–100 of {seventh:,} findings (filtered from 5,000)"
        assert opened.requests == [opened.url] and opened.problems == []
    finally:
        opened.page.close()
