"""What the OSCAL and OCSF report tests share: rendering a report, a scan with every verdict, a signed package."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from clearance.reports.context import build_context
from clearance.reports.interface import ReportFormat
from clearance.scanresults import open_results


def render(report: ReportFormat, source: Path, out: Path) -> list[Path]:
    """Write ``report`` for the scan (or package) at ``source`` into ``out``."""
    with open_results(source) as results:
        return report.write(build_context(results), out)


def findings(scan_dir: Path) -> list[dict[str, Any]]:
    from clearance.engine.runner import iter_findings

    return list(iter_findings(scan_dir / "findings.json"))


def _rewrite(finding: dict[str, Any], index: int) -> dict[str, Any]:
    """Give some demo findings the verdicts the demo does not produce (MUTED, ERROR, NEEDS_CONTEXT, MANUAL)."""
    if finding["verdict"] == "FAIL" and index % 2:
        exception = {"id": "EXC-7", "status": "applied", "expires": "2027-01-31"}
        return {**finding, "verdict": "MUTED", "underlying_verdict": "FAIL", "exception": exception}
    if finding["verdict"] != "PASS":
        return finding
    kind = index % 7
    if kind == 1:
        error = {
            "operation": "GetThing",
            "code": "AccessDenied",
            "message": "denied",
            "permission": "thing:Get",
            "denied": True,
        }
        return {**finding, "verdict": "ERROR", "reason": "GetThing was denied", "observed": [], "error": error}
    if kind == 2:
        return {**finding, "verdict": "NEEDS_CONTEXT", "reason": "the data-class tag is missing"}
    if kind == 3:
        return {**finding, "verdict": "MANUAL", "reason": "attest the process", "observed": []}
    return finding


def vary_verdicts(scan_dir: Path, dest: Path) -> Path:
    """A copy of ``scan_dir`` whose findings carry every verdict (frameworks are re-evaluated from them)."""
    shutil.copytree(scan_dir, dest)
    path = dest / "findings.json"
    lines = path.read_text("utf-8").splitlines(keepends=True)
    index = 0
    out = []
    for line in lines:
        if not line.startswith('{"check_id"'):
            out.append(line)
            continue
        end = "," if line.rstrip().endswith(",") else ""
        finding = _rewrite(json.loads(line.rstrip().rstrip(",")), index)
        index += 1
        out.append(json.dumps(finding, sort_keys=True, separators=(",", ":")) + end + "\n")
    path.write_text("".join(out), "utf-8")
    return dest


def signed_package(scan_dir: Path, dest: Path) -> Path:
    """The demo's signed (and verified) evidence package of a copy of ``scan_dir``, with every packaged report."""
    from clearance.evidence.demo import build_demo_package

    work = Path(shutil.copytree(scan_dir, dest))
    for stale in ("reports", "pki", "evidence.zip"):
        target = work / stale
        if target.is_dir():
            shutil.rmtree(target)
        else:
            target.unlink(missing_ok=True)
    return build_demo_package(work)


def jsonl(path: Path) -> Iterator[dict[str, Any]]:
    for line in path.read_text("utf-8").splitlines():
        yield json.loads(line)


def scale_findings(scan_dir: Path, dest: Path, total: int) -> Path:
    """A copy of ``scan_dir`` with ``total`` findings: the demo's, repeated on renamed resources."""
    shutil.copytree(scan_dir, dest)
    path = dest / "findings.json"
    first, _ = path.read_text("utf-8").split("\n", 1)
    header = json.loads(first.removesuffix(",") + "}")
    header["summary"]["findings"] = total
    demo = findings(scan_dir)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(header, sort_keys=True, separators=(",", ":"))[:-1] + ',\n"findings":[\n')
        for n in range(total):
            finding = demo[n % len(demo)]
            copy = n // len(demo)
            resource = {**finding["resource"], "id": f"{finding['resource']['id']}-{copy}"}
            resource["name"] = f"{resource['name']}-{copy}"
            line = json.dumps({**finding, "resource": resource}, sort_keys=True, separators=(",", ":"))
            fh.write(line + (",\n" if n < total - 1 else "\n"))
        fh.write("]}\n")
    return dest
