"""Human output: the summary table per control family and the worst findings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .model import Severity, Verdict

if TYPE_CHECKING:
    from .engine.checks import Check
    from .engine.runner import Results
    from .frameworks.model import FrameworkResult

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


_STATUS_STYLE = {
    "satisfied": "green",
    "not_satisfied": "red",
    "partly": "yellow",
    "manual_pending": "cyan",
    "not_evaluated": "yellow",
    "not_applicable": "dim",
}
_STATUS_LABEL = {
    "en": {
        "satisfied": "satisfied",
        "not_satisfied": "NOT satisfied",
        "partly": "partly",
        "manual_pending": "manual pending",
        "not_evaluated": "not evaluated",
        "not_applicable": "n/a",
    },
    "ko": {
        "satisfied": "충족",
        "not_satisfied": "미충족",
        "partly": "부분 충족",
        "manual_pending": "수동 확인 대기",
        "not_evaluated": "평가 불가",
        "not_applicable": "해당 없음",
    },
}


def print_framework(result: FrameworkResult, lang: str = "en") -> None:
    """One framework: a row per requirement (status, class, reason), then the counts."""
    from rich.console import Console
    from rich.table import Table

    fw = result.framework
    table = Table(title=f"{fw.title[lang]} ({fw.id} {fw.version}) — {result.provider}", title_justify="left")
    for col in ("requirement", "status", "class", "conf.", "reason"):
        table.add_column(col, overflow="fold")
    for r in result.results:
        style = _STATUS_STYLE[r.status.value]
        conf = r.requirement.provenance.confidence if r.requirement.provenance else ""
        table.add_row(
            f"{r.requirement.id} {r.requirement.title[lang]}",
            f"[{style}]{_STATUS_LABEL[lang][r.status.value]}[/{style}]",
            r.klass.value,
            conf,
            r.reason[lang],
        )
    console = Console()
    console.print(table)
    counts = ", ".join(f"{_STATUS_LABEL[lang][k]} {n}" for k, n in result.status_counts().items() if n)
    console.print(f"{len(result.results)} requirements: {counts}")
