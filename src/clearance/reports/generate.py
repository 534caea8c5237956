"""Write reports for a scan: the one function behind ``clearance report`` and package building."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

from ..scanresults import open_results
from . import registry
from .context import build_context

REPORTS_DIR = "reports"
"""Where a scan directory keeps the reports of its package (rendered from the redacted evidence)."""


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
        return [path for report in chosen for path in report.write(ctx, out_dir)]


def render_for_package(view: Path, checks_root: Path, out_dir: Path) -> list[Path]:
    """Every packaged format, for every framework covering the scan, from the evidence as packaged.

    The package builder calls this with ``view`` holding the findings, coverage and metadata exactly as they
    go into the package (redacted), so no report can carry a value the redaction removed. ``out_dir`` is
    emptied first: no stale report of an earlier scan rides along.
    """
    shutil.rmtree(out_dir, ignore_errors=True)
    chosen = [registry.get(name) for name in registry.PACKAGED]
    with open_results(view, checks_root=checks_root) as results:
        ctx = build_context(results)
        return [path for report in chosen for path in report.write(ctx, out_dir)]
