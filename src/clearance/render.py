"""Human output: the summary table per control family and the worst findings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .model import Severity, Verdict

if TYPE_CHECKING:
    from .engine.checks import Check
    from .engine.runner import Results

_FAMILIES = ("encryption", "isolation", "logging", "gen-ai")
_OTHER = (Verdict.NOT_APPLICABLE, Verdict.MANUAL, Verdict.NEEDS_CONTEXT, Verdict.MUTED)
_WORST = 10


def print_summary(results: Results) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    summary = results.summary
    table = Table(title="Results per control family", title_justify="left")
    for col in ("family", "pass", "fail", "error", "needs context", "manual", "n/a"):
        table.add_column(col, justify="right" if col != "family" else "left")
    for fam in [*_FAMILIES, *sorted(set(summary.by_family) - set(_FAMILIES))]:
        counts = summary.by_family.get(fam)
        if not counts:
            continue
        table.add_row(
            fam,
            str(counts[Verdict.PASS.value]),
            f"[red]{counts[Verdict.FAIL.value]}[/red]" if counts[Verdict.FAIL.value] else "0",
            f"[yellow]{counts[Verdict.ERROR.value]}[/yellow]" if counts[Verdict.ERROR.value] else "0",
            str(counts[Verdict.NEEDS_CONTEXT.value]),
            str(counts[Verdict.MANUAL.value]),
            str(counts[Verdict.NOT_APPLICABLE.value]),
        )
    console.print(table)
    worst = sorted(
        (f for f in results.iter_findings() if f["verdict"] == Verdict.FAIL.value),
        key=lambda f: (-Severity(f["severity"]).rank, f["check_id"], f["resource"]["id"]),
    )[:_WORST]
    if worst:
        top = Table(title=f"Worst findings (top {len(worst)})", title_justify="left", show_lines=False)
        for col in ("severity", "check", "resource", "reason"):
            top.add_column(col, overflow="fold")
        for f in worst:
            top.add_row(f["severity"], f["check_id"], f["resource"]["name"], f["reason"])
        console.print(top)
    cov = summary.coverage
    state = "[green]complete[/green]" if summary.complete else "[yellow]INCOMPLETE[/yellow]"
    console.print(
        f"{summary.findings} findings on {summary.resources} resources from {summary.checks} checks; coverage "
        f"{cov['evaluated']} evaluated, {cov['no_resources']} no resources"
        f"{f' ({summary.scoped_out} because the scope filtered them out)' if summary.scoped_out else ''}, "
        f"{cov['not_evaluated']} not evaluated: {state}"
    )


def print_checks(checks: Sequence[Check]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{len(checks)} checks", title_justify="left")
    for col in ("id", "severity", "controls", "resource type", "title"):
        table.add_column(col, overflow="fold")
    for c in checks:
        table.add_row(c.id, c.severity.value, ", ".join(c.controls), c.resource_type, c.title["en"])
    Console().print(table)
