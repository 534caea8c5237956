"""Build a ReportContext from scan results: load the scan's content pack and evaluate its frameworks."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..engine.checks import CheckSet, load_checks
from ..frameworks.evaluate import Attestations, evaluate_framework, tally
from ..frameworks.loader import load_framework, load_frameworks
from ..frameworks.model import Framework, FrameworkResult
from ..scanresults import ScanResults
from .interface import ReportContext


def frameworks_for(checks: CheckSet, provider: str, refs: Sequence[str | Path] = ()) -> list[Framework]:
    """The frameworks asked for (ids or files), or every built-in one that covers ``provider``."""
    if refs:
        return [load_framework(ref, checks) for ref in refs]
    return load_frameworks(checks, provider)


def framework_results(
    results: ScanResults, checks: CheckSet, frameworks: Sequence[Framework]
) -> tuple[FrameworkResult, ...]:
    tallies = tally(results.iter_findings(), results.coverage())
    attestations = Attestations.from_json(results.optional_json("attestations.json"))
    return tuple(evaluate_framework(fw, results.provider, checks, tallies, attestations) for fw in frameworks)


def build_context(results: ScanResults, frameworks: Sequence[str | Path] = ()) -> ReportContext:
    """Everything a report needs, from the content pack the scan was made with."""
    checks = load_checks(root=results.checks_root)
    chosen = frameworks_for(checks, results.provider, frameworks)
    return ReportContext(
        results=results,
        checks={c.id: c for c in checks.checks},
        controls=dict(checks.controls),
        frameworks=framework_results(results, checks, chosen),
        exceptions=results.optional_json("exceptions.json"),
        attestations=results.optional_json("attestations.json"),
        generated=str(results.meta.get("finished") or results.header.get("scan", {}).get("finished", "")),
    )
