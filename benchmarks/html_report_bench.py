"""HTML report benchmark: write report.html for 50,000 findings and measure it in headless Chromium.

Usage (from the repository root, ``test`` extra installed, Debian's ``chromium`` at /usr/bin/chromium)::

    python benchmarks/html_report_bench.py                          # print
    python benchmarks/html_report_bench.py --write docs/benchmarks.md

The scan is the GCP demo's (real engine output), with findings.json multiplied to ``--findings``
findings: every copy of a finding gets a distinct resource id and name, the summary is recomputed
from the copies, and the file keeps the engine's layout (header line, then one finding per line),
so the report reads it exactly as it reads a real scan. Measured: report generation (context and
HTML separately, best of the runs, plus the peak memory of a fresh process doing both), file size,
and in the browser the time to the first rendered table (``performance`` mark ``rendered``, from
navigation start), a search keystroke until the table is updated, and a filter change until the
table is updated. ``synthesize`` and ``write_findings`` are also used by the browser tests.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SECTION = "html-report"
CHROMIUM = os.environ.get("CLEARANCE_CHROMIUM", "/usr/bin/chromium")
_COPIED = ("scan.json", "profile.json", "coverage.json", "exceptions.json", "attestations.json")


def write_findings(path: Path, header: Mapping[str, Any], findings: Iterable[Mapping[str, Any]]) -> int:
    """findings.json in the engine's layout: the header object on line 1, then one finding per line."""
    head = json.dumps(dict(header), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    count = 0
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(head[:-1] + ',\n"findings":[\n')
        for f in findings:
            fh.write(
                ("" if not count else ",\n") + json.dumps(f, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
            )
            count += 1
        fh.write("\n]}\n")
    return count


def summarize(
    findings: Iterable[Mapping[str, Any]], families: Mapping[str, str], base: Mapping[str, Any]
) -> dict[str, Any]:
    """The summary block for ``findings``, counted the way the engine counts it; coverage kept from ``base``."""
    verdicts: Counter[str] = Counter(dict.fromkeys(base["verdicts"], 0))
    severity: Counter[str] = Counter()
    by_control: dict[str, Counter[str]] = {}
    by_family: dict[str, Counter[str]] = {}
    resources = set()
    total = 0
    for f in findings:
        total += 1
        verdict = f["verdict"]
        verdicts[verdict] += 1
        resources.add(f["resource"]["id"])
        if verdict == "FAIL":
            severity[f["severity"]] += 1
        for cid in f["control_ids"]:
            by_control.setdefault(cid, Counter())[verdict] += 1
        for fam in sorted({families.get(cid, "other") for cid in f["control_ids"]}):
            by_family.setdefault(fam, Counter())[verdict] += 1
    complete = bool(base["complete"]) and not verdicts["ERROR"]
    return {
        **base,
        "complete": complete,
        "findings": total,
        "resources": len(resources),
        "verdicts": dict(verdicts),
        "fail_by_severity": dict(severity),
        "by_control": {k: dict(v) for k, v in sorted(by_control.items())},
        "by_family": {k: dict(v) for k, v in sorted(by_family.items())},
    }


def synthesize(source: Path, target: Path, count: int) -> int:
    """Copy the scan at ``source`` to ``target`` with its findings multiplied to ``count``; return the count."""
    from clearance.engine.checks import load_controls
    from clearance.scanresults import open_results

    target.mkdir(parents=True, exist_ok=True)
    for name in _COPIED:
        if (source / name).is_file():
            shutil.copyfile(source / name, target / name)
    with open_results(source) as results:
        header = dict(results.header)
        originals = list(results.iter_findings())

    def copies() -> Iterable[dict[str, Any]]:
        for i in range(count):
            f = originals[i % len(originals)]
            n = i // len(originals)
            res = {**f["resource"], "id": f"{f['resource']['id']}~{n:05d}", "name": f"{f['resource']['name']}~{n:05d}"}
            yield {**f, "resource": res}

    families = {c.id: c.family for c in load_controls().values()}
    header["summary"] = summarize(copies(), families, header["summary"])
    return write_findings(target / "findings.json", header, copies())


def _best(fn: Any, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def bench_generation(scan: Path, out: Path, repeat: int) -> dict[str, float]:
    from clearance.reports.context import build_context
    from clearance.reports.html import HtmlReport
    from clearance.scanresults import open_results

    with open_results(scan) as results:
        context_s = _best(lambda: build_context(results), repeat)
        ctx = build_context(results)
        html_s = _best(lambda: HtmlReport().write(ctx, out), repeat)
    code = (
        "import sys; from pathlib import Path; from clearance.reports.generate import write_reports; "
        "write_reports(Path(sys.argv[1]), Path(sys.argv[2]), formats=['html'])"
    )
    subprocess.run([sys.executable, "-c", code, str(scan), str(out / "rss")], check=True)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"context_s": context_s, "html_s": html_s, "peak_mb": peak, "bytes": (out / "report.html").stat().st_size}


_WAIT_RENDER = "n => window.clearanceReport && window.clearanceReport.renders > n"
_LATENCY = """() => {
  const s = window.clearanceReport;
  return [s.lastRenderedAt - s.lastEventAt, s.lastFilterMs, s.lastRenderMs];
}"""


def _renders(page: Any) -> int:
    return int(page.evaluate("() => window.clearanceReport.renders"))


def _measure(page: Any, action: Any) -> list[float]:
    """Run ``action`` (one user event) and return [event -> table updated, filter ms, render ms]."""
    before = _renders(page)
    action()
    page.wait_for_function(_WAIT_RENDER, arg=before, timeout=60_000)
    return [float(x) for x in page.evaluate(_LATENCY)]


def bench_browser(report: Path, findings: int) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(report.as_uri(), timeout=120_000)
        page.wait_for_function(_WAIT_RENDER, arg=0, timeout=120_000)
        marks = page.evaluate(
            "() => Object.fromEntries(performance.getEntriesByType('mark').map(m => [m.name, m.startTime]))"
        )
        status = page.inner_text("#f-status")
        assert f"{findings:,}" in status, status
        search = page.locator("#f-q")
        search.focus()
        first = _measure(page, lambda: page.keyboard.type("c"))
        later = [_measure(page, lambda ch=ch: page.keyboard.type(ch)) for ch in "rm-arc"]
        shown = int(page.evaluate("() => Number(document.documentElement.dataset.rows)"))
        search.fill("")
        _measure(page, lambda: search.dispatch_event("input"))
        filters = [_measure(page, lambda v=v: page.select_option("#f-v", v)) for v in ("FAIL", "PASS", "attention", "")]
        paging = [_measure(page, lambda: page.click("#p-next")) for _ in range(3)]
        browser.close()
    return {
        "parsed_ms": marks["clearance:parsed"],
        "rendered_ms": marks["rendered"],
        "first_key_ms": first[0],
        "first_key_work_ms": first[1] + first[2],
        "key_ms": statistics.median(x[0] for x in later),
        "key_work_ms": statistics.median(x[1] + x[2] for x in later),
        "search_rows": shown,
        "filter_ms": statistics.median(x[0] for x in filters),
        "filter_work_ms": statistics.median(x[1] + x[2] for x in filters),
        "page_ms": statistics.median(x[0] for x in paging),
    }


def markdown(findings: int, gen: Mapping[str, float], web: Mapping[str, float]) -> str:
    cpu = platform.processor() or platform.machine()
    version = subprocess.run([CHROMIUM, "--version"], check=False, capture_output=True, text=True).stdout.strip()
    return "\n".join(
        [
            f"## HTML report ({findings:,} findings)",
            "",
            "Generated by `python benchmarks/html_report_bench.py --write docs/benchmarks.md`: the GCP demo scan",
            f"with its findings multiplied to {findings:,} (distinct resource ids), `report.html` written, then opened",
            f"from `file://` in headless {version or 'Chromium'}.",
            "",
            f"- date: {datetime.now(UTC).strftime('%Y-%m-%d')}, Python {platform.python_version()}, "
            f"{platform.system()} {cpu}, CPUs: {os.cpu_count()}",
            "",
            "| measurement | value |",
            "|---|---:|",
            f"| report.html size | {gen['bytes'] / 1e6:.1f} MB |",
            f"| build context (frameworks evaluated over the findings), best | {gen['context_s']:.2f} s |",
            f"| write report.html, best | {gen['html_s']:.2f} s |",
            f"| peak RSS of a fresh process doing both | {gen['peak_mb']:.0f} MB |",
            f"| data parsed in the page (from navigation start) | {web['parsed_ms']:.0f} ms |",
            f"| first table rendered (`rendered` mark, from navigation start) | {web['rendered_ms']:.0f} ms |",
            f"| first search keystroke -> table updated (150 ms debounce included) "
            f"| {web['first_key_ms']:.0f} ms (work {web['first_key_work_ms']:.0f} ms) |",
            f"| later search keystroke -> table updated, median (150 ms debounce included) "
            f"| {web['key_ms']:.0f} ms (work {web['key_work_ms']:.0f} ms) |",
            f"| verdict filter change -> table updated, median "
            f"| {web['filter_ms']:.0f} ms (work {web['filter_work_ms']:.0f} ms) |",
            f"| next page -> table updated, median | {web['page_ms']:.0f} ms |",
            "",
            '"work" is the page script\'s own filtering and rendering time; the rest is event dispatch and the',
            f"debounce. The search typed `crm-arc` one key at a time ({web['search_rows']:,} rows matched at the end).",
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--findings", type=int, default=50_000, help="findings in the synthetic scan (default 50,000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per generation measurement (default 3)")
    parser.add_argument("--write", type=Path, help="write the Markdown section into this file")
    args = parser.parse_args()
    from clearance.demo import run_demo

    with tempfile.TemporaryDirectory(prefix="clearance-html-bench-") as tmp:
        base = Path(tmp)
        run_demo(base / "demo", provider="gcp")
        synthesize(base / "demo", base / "scan", args.findings)
        gen = bench_generation(base / "scan", base / "out", args.repeat)
        web = bench_browser(base / "out" / "report.html", args.findings)
    text = markdown(args.findings, gen, web)
    print(text)
    if args.write:
        from sections import write_section

        write_section(args.write, SECTION, text)


if __name__ == "__main__":
    main()
