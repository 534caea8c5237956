"""Write reports for a scan: the one function behind ``clearance report`` and package building."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

from ..scanresults import open_results
from . import registry
from .context import build_context

REPORTS_DIR = "reports"
"""Where a scan directory keeps its reports; a package carries them as ``evidence/report/``."""


def write_reports(
    source: Path,
    out_dir: Path,
    formats: Sequence[str] = registry.PACKAGED,
    frameworks: Sequence[str | Path] = (),
) -> list[Path]:
    """Render ``formats`` for the scan or package at ``source`` into ``out_dir``; return the files written."""
    chosen = [registry.get(name) for name in formats]  # unknown names fail before any work
    with open_results(source) as results:
        ctx = build_context(results, frameworks)
        written: list[Path] = []
        for report in chosen:
            written.extend(report.write(ctx, out_dir))
    return written


def prepare_package_reports(scan_dir: Path) -> list[Path]:
    """Refresh ``scan_dir/reports`` with every packaged format, for every framework covering the scan."""
    shutil.rmtree(scan_dir / REPORTS_DIR, ignore_errors=True)  # no stale report of an earlier scan rides along
    return write_reports(scan_dir, scan_dir / REPORTS_DIR)
