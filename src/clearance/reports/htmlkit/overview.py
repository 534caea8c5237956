"""The top of the report: what was scanned, whether the scan is complete, and the posture in charts.

The completeness banner is the first thing on the page. A scan counts as complete only when the
engine said so *and* nothing contradicts it (no ERROR finding, no coverage gap), so a report can
never look clean while data is missing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from ..interface import ReportContext
from .charts import Segment, bar_row, donut, legend
from .markup import Html, esc, h, join
from .text import FAMILIES, VERDICTS, t, tr

_SHOWN_NAMES = 12
"""Accounts or regions listed before the rest fold into a disclosure."""
_BAR_VERDICTS = tuple(v for v in VERDICTS if v != "NOT_APPLICABLE")
COVERAGE = ("evaluated", "no_resources", "not_evaluated")


def is_complete(summary: Mapping[str, Any]) -> bool:
    verdicts, coverage = summary.get("verdicts", {}), summary.get("coverage", {})
    return bool(summary.get("complete")) and not verdicts.get("ERROR") and not coverage.get("not_evaluated")


def when(timestamp: object) -> str:
    """``2026-11-25T04:35:10Z`` -> ``2026-11-25 04:35:10 UTC``."""
    text = str(timestamp or "")
    return text.replace("T", " ").removesuffix("Z") + " UTC" if text.endswith("Z") else text


def verdict_segments(counts: Mapping[str, int], verdicts: Sequence[str] = _BAR_VERDICTS) -> list[Segment]:
    return [Segment(v, t(f"v.{v}"), int(counts.get(v, 0))) for v in verdicts]


def coverage_segments(counts: Mapping[str, int]) -> list[Segment]:
    return [Segment(f"cov-{s}", t(f"cov.{s}"), int(counts.get(s, 0))) for s in COVERAGE]


def _n(value: Any) -> str:
    return f"{int(value or 0):,}"


def banner(summary: Mapping[str, Any]) -> Html:
    verdicts, coverage = summary.get("verdicts", {}), summary.get("coverage", {})
    undecided = None
    if verdicts.get("NEEDS_CONTEXT") or verdicts.get("MANUAL"):
        undecided = h(
            "p",
            t("banner.undecided", context=_n(verdicts.get("NEEDS_CONTEXT")), manual=_n(verdicts.get("MANUAL"))),
            class_="banner-note",
        )
    if not is_complete(summary):
        return h(
            "div",
            h("span", "!", class_="banner-icon", aria_hidden="true"),
            h(
                "div",
                h("strong", t("banner.incomplete"), class_="banner-title"),
                h(
                    "p",
                    t(
                        "banner.incomplete.detail",
                        gaps=_n(coverage.get("not_evaluated")),
                        errors=_n(verdicts.get("ERROR")),
                    ),
                    " ",
                    h("a", t("banner.incomplete.link"), href="#gaps"),
                ),
                undecided,
            ),
            class_="banner banner-incomplete",
            role="alert",
        )
    return h(
        "div",
        h("span", "✓", class_="banner-icon", aria_hidden="true"),
        h(
            "div",
            h("strong", t("banner.complete"), class_="banner-title"),
            h("p", t("banner.complete.detail")),
            undecided,
        ),
        class_="banner banner-complete",
        role="status",
    )


def _names(values: Sequence[str]) -> Html:
    shown = [h("li", h("code", v)) for v in values[:_SHOWN_NAMES]]
    rest = values[_SHOWN_NAMES:]
    more = (
        h("details", h("summary", t("fact.more", n=f"{len(rest):,}")), h("ul", *[h("li", h("code", v)) for v in rest]))
        if rest
        else None
    )
    return join(h("ul", *shown, class_="names"), more)


def facts(ctx: ReportContext) -> Html:
    meta = ctx.scan or ctx.results.header.get("scan", {})
    profile, content, tool = meta.get("profile") or {}, meta.get("content_pack") or {}, meta.get("tool") or {}
    rows = [
        ("fact.provider", h("strong", ctx.results.provider)),
        ("fact.accounts", _names(list(meta.get("accounts") or []))),
        ("fact.regions", _names(list(meta.get("regions") or []))),
        ("fact.started", when(meta.get("started"))),
        ("fact.finished", when(meta.get("finished"))),
        (
            "fact.profile",
            join(
                h("strong", profile.get("id", "")),
                " ",
                profile.get("version", ""),
                " ",
                h("code", profile.get("sha256", ""), class_="digest", title="SHA-256"),
            ),
        ),
        (
            "fact.content",
            join(
                t("content.checks", n=_n(content.get("checks"))),
                " ",
                h("code", content.get("sha256", ""), class_="digest", title="SHA-256"),
            ),
        ),
        ("fact.tool", f"{tool.get('name', 'clearance')} {tool.get('version', '')}".strip()),
        ("fact.source", t(f"source.{ctx.results.kind}")),
    ]
    return h("dl", *[h("div", h("dt", t(key)), h("dd", value)) for key, value in rows], class_="facts")


def _kpi(label: Html, value: int, detail: Html | None, tone: str, goto: str | None) -> Html:
    body = join(h("span", label, class_="kpi-label"), h("span", f"{value:,}", class_="kpi-value"), detail)
    tag = "a" if goto else "div"
    link = {"href": "#gaps" if goto == "gaps" else "#findings", "data_goto": None if goto == "gaps" else goto}
    return h(tag, body, class_=f"kpi kpi-{tone}", **(link if goto else {}))


def key_figures(summary: Mapping[str, Any]) -> Html:
    v = summary.get("verdicts", {})
    cov = summary.get("coverage", {})
    sev = summary.get("fail_by_severity", {})
    gaps, total_cov = int(cov.get("not_evaluated", 0)), sum(int(n) for n in cov.values())
    undecided = int(v.get("NEEDS_CONTEXT", 0)) + int(v.get("MANUAL", 0))
    small = "kpi-detail"
    cards = [
        _kpi(
            t("kpi.findings"),
            int(summary.get("findings", 0)),
            h("span", t("kpi.resources"), " ", _n(summary.get("resources")), class_=small),
            "plain",
            None,
        ),
        _kpi(
            t("kpi.fail"),
            int(v.get("FAIL", 0)),
            h("span", t("kpi.high", critical=_n(sev.get("critical")), high=_n(sev.get("high"))), class_=small),
            "bad" if v.get("FAIL") else "good",
            "verdict:FAIL",
        ),
        _kpi(t("kpi.error"), int(v.get("ERROR", 0)), None, "unknown" if v.get("ERROR") else "good", "verdict:ERROR"),
        _kpi(
            t("kpi.gaps"),
            gaps,
            h("span", t("kpi.gaps.detail", total=f"{total_cov:,}"), class_=small),
            "unknown" if gaps else "good",
            "gaps",
        ),
        _kpi(
            t("kpi.undecided"),
            undecided,
            h(
                "span",
                t("kpi.undecided.detail", context=_n(v.get("NEEDS_CONTEXT")), manual=_n(v.get("MANUAL"))),
                class_=small,
            ),
            "warn" if undecided else "good",
            "verdict:attention",
        ),
        _kpi(t("kpi.pass"), int(v.get("PASS", 0)), None, "plain", "verdict:PASS"),
    ]
    if v.get("MUTED"):
        cards.append(_kpi(t("kpi.muted"), int(v["MUTED"]), None, "plain", "verdict:MUTED"))
    return h("div", *cards, class_="kpis")


def summary_section(ctx: ReportContext) -> Html:
    summary = ctx.summary
    verdicts = summary.get("verdicts", {})
    return h(
        "section",
        banner(summary),
        h("h1", t("title"), " ", h("span", ctx.results.provider, class_="provider"), id="h-summary"),
        h(
            "div",
            facts(ctx),
            h(
                "div",
                donut(
                    verdict_segments(verdicts, VERDICTS),
                    join(h("b", _n(summary.get("findings"))), h("small", t("kpi.findings"))),
                    t("chart.verdicts"),
                ),
                donut(
                    coverage_segments(summary.get("coverage", {})),
                    join(
                        h("b", _n(sum(int(n) for n in summary.get("coverage", {}).values()))),
                        h("small", t("chart.coverage")),
                    ),
                    t("chart.coverage"),
                ),
                class_="donuts",
            ),
            class_="summary-grid",
        ),
        key_figures(summary),
        id="summary",
        aria_labelledby="h-summary",
        class_="summary",
    )


def _family_of(ctx: ReportContext) -> dict[str, set[str]]:
    """Check id -> the control families it serves."""
    return {
        cid: {ctx.controls[c].family for c in check.controls if c in ctx.controls} for cid, check in ctx.checks.items()
    }


def family_coverage(ctx: ReportContext) -> dict[str, Counter[str]]:
    families = _family_of(ctx)
    out: dict[str, Counter[str]] = {}
    for entry in ctx.coverage():
        for fam in families.get(entry["check_id"]) or {"other"}:
            out.setdefault(fam, Counter())[entry["status"]] += 1
    return out


def _ordered_families(*present: Mapping[str, object]) -> list[str]:
    extra = sorted({k for p in present for k in p} - set(FAMILIES))
    return [*FAMILIES, *extra]


def _family_label(family: str) -> Html:
    return t(f"fam.{family}") if family in (*FAMILIES, "other") else esc(family)


def _na_note(counts: Mapping[str, int]) -> Html | None:
    na = int(counts.get("NOT_APPLICABLE", 0))
    return t("chart.na", n=f"{na:,}") if na else None


def posture_section(ctx: ReportContext) -> Html:
    summary = ctx.summary
    by_family: Mapping[str, Mapping[str, int]] = summary.get("by_family", {})
    by_control: Mapping[str, Mapping[str, int]] = summary.get("by_control", {})
    coverage = family_coverage(ctx)
    checked = {c for check in ctx.checks.values() if check.provider == ctx.results.provider for c in check.controls}
    families = _ordered_families(by_family, coverage)
    family_rows = [
        bar_row(_family_label(f), verdict_segments(by_family.get(f, {})), note=_na_note(by_family.get(f, {})))
        for f in families
        if f in FAMILIES or f in by_family
    ]
    groups = []
    for fam in families:
        controls = sorted((c for c in ctx.controls.values() if c.family == fam), key=lambda c: c.id)
        if not controls:
            continue
        rows = []
        for control in controls:
            counts = by_control.get(control.id, {})
            label = join(h("b", control.id), " ", tr(control.title, control.id))
            if counts:
                label = h("a", label, href="#findings", data_goto=f"control:{control.id}")
            empty = t("chart.empty") if control.id in checked else t("chart.nocheck")
            rows.append(bar_row(label, verdict_segments(counts), note=_na_note(counts), empty=empty))
        groups.append(h("div", h("h4", _family_label(fam)), *rows, class_="control-group"))
    coverage_rows = [bar_row(_family_label(f), coverage_segments(coverage[f])) for f in families if f in coverage]
    scoped_out = int(summary.get("no_resources_scoped_out", 0) or 0)
    return h(
        "section",
        h("h2", t("nav.posture"), id="h-posture"),
        h("div", h("span", t("chart.legend"), class_="sr-only"), legend(verdict_segments({})), class_="legend-wrap"),
        h("div", h("h3", t("chart.families")), h("div", *family_rows, class_="bars"), class_="panel"),
        h(
            "div",
            h("h3", t("chart.controls")),
            h("p", t("chart.hint"), class_="hint"),
            h("div", *groups, class_="control-groups"),
            class_="panel",
        ),
        h(
            "div",
            h("h3", t("chart.family_coverage")),
            legend(coverage_segments({})),
            h("div", *coverage_rows, class_="bars"),
            h("p", t("cov.scoped_out", n=f"{scoped_out:,}"), class_="hint") if scoped_out else None,
            class_="panel",
        ),
        id="posture",
        aria_labelledby="h-posture",
    )
