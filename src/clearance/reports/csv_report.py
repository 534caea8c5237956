"""CSV for spreadsheets: every finding, and every framework requirement result.

UTF-8 with a byte-order mark, because Excel (what most compliance teams open CSV in) otherwise
shows Korean text as mojibake. Cells that a spreadsheet would run as a formula are neutralised.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path
from typing import ClassVar

from .interface import ReportContext, ReportFormat
from .output import atomic_open

FINDINGS_COLUMNS = (
    "check_id",
    "title",
    "severity",
    "verdict",
    "underlying_verdict",
    "exception",
    "controls",
    "provider",
    "account",
    "region",
    "resource_type",
    "resource_id",
    "resource_name",
    "reason",
)
REQUIREMENTS_COLUMNS = (
    "framework",
    "requirement",
    "title_en",
    "title_ko",
    "class",
    "status",
    "reason_en",
    "reason_ko",
    "controls",
    "checks",
    "fail",
    "error",
    "pass",
    "attestations",
    "exceptions",
    "confidence",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> str:
    """A CSV cell that a spreadsheet shows as text, never evaluates (CSV/formula injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _write(path: Path, header: Iterable[str], rows: Iterable[Iterable[object]]) -> Path:
    with atomic_open(path, newline="") as fh:
        fh.write("\ufeff")
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow([cell(v) for v in row])
    return path


class CsvReport(ReportFormat):
    name: ClassVar[str] = "csv"
    description: ClassVar[str] = "findings.csv and requirements.csv for spreadsheets"

    def write(self, ctx: ReportContext, out_dir: Path) -> list[Path]:
        findings = (
            (
                f["check_id"],
                f.get("title", ""),
                f["severity"],
                f["verdict"],
                f.get("underlying_verdict"),
                (f.get("exception") or {}).get("id"),
                " ".join(f["control_ids"]),
                f["resource"]["provider"],
                f["resource"]["account"],
                f["resource"]["region"],
                f["resource"]["type"],
                f["resource"]["id"],
                f["resource"]["name"],
                f["reason"],
            )
            for f in ctx.iter_findings()
        )
        requirements = (
            (
                fw.framework.id,
                r.requirement.id,
                r.requirement.title["en"],
                r.requirement.title["ko"],
                r.klass.value,
                r.status.value,
                r.reason["en"],
                r.reason["ko"],
                " ".join(r.requirement.controls),
                " ".join(r.checks),
                r.verdicts.get("FAIL", 0),
                r.verdicts.get("ERROR", 0),
                r.verdicts.get("PASS", 0),
                " ".join(r.attestations),
                " ".join(r.exceptions),
                r.requirement.provenance.confidence if r.requirement.provenance else "",
            )
            for fw in ctx.frameworks
            for r in fw.results
        )
        return [
            _write(out_dir / "findings.csv", FINDINGS_COLUMNS, findings),
            _write(out_dir / "requirements.csv", REQUIREMENTS_COLUMNS, requirements),
        ]
