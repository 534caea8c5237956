"""One block per framework: status and class charts, then a row per requirement with the findings behind it.

Each requirement row lists a few of the non-passing findings that decided it and offers a button
that filters the findings table to every finding of the requirement's checks (the full list lives
in the table, not duplicated here).
"""

from __future__ import annotations

from collections.abc import Sequence

from ...frameworks.model import FrameworkResult, RequirementClass, RequirementResult, RequirementStatus
from .charts import Segment, bar_row, legend, stacked_bar
from .markup import Html, h, join
from .text import VERDICTS, t, tr

REFS_SHOWN = 5
"""Findings listed inline per requirement; the button shows all of them in the findings table."""
STATUS_ICON = {
    "satisfied": "✓",
    "not_satisfied": "✗",
    "partly": "◐",
    "manual_pending": "✎",
    "not_evaluated": "?",
    "not_applicable": "–",
}


def requirement_key(result: FrameworkResult, req: RequirementResult) -> str:
    """What the findings table's requirement filter is keyed by."""
    return f"{result.framework.id}::{req.requirement.id}"


def status_badge(status: str) -> Html:
    return h(
        "span",
        h("span", STATUS_ICON.get(status, "•"), aria_hidden="true"),
        " ",
        t(f"st.{status}"),
        class_=f"badge c-st-{status}",
    )


def _ids(values: Sequence[str]) -> Html:
    return join(*[join(", " if i else "", h("code", v)) for i, v in enumerate(values)])


def _reason(r: RequirementResult) -> Html:
    req = r.requirement
    lines = [h("div", tr(r.reason))]
    if req.attestation and r.klass in (RequirementClass.MANUAL, RequirementClass.PARTIAL):
        lines.append(h("div", h("span", t("fw.attestation"), class_="k"), " ", tr(req.attestation), class_="sub"))
    for key, ids in (
        ("fw.attested", r.attestations),
        ("fw.expired", r.expired_attestations),
        ("fw.exceptions", r.exceptions),
    ):
        if ids:
            lines.append(h("div", h("span", t(key), class_="k"), " ", _ids(ids), class_="sub"))
    if req.note and r.status is not RequirementStatus.NOT_APPLICABLE:
        lines.append(h("div", h("span", t("fw.note"), class_="k"), " ", tr(req.note), class_="sub"))
    return join(*lines)


def _confidence(r: RequirementResult) -> Html:
    prov = r.requirement.provenance
    if prov is None:
        return h("span", "–", class_="muted")
    return h("span", f"[{prov.confidence}]", class_=f"conf conf-{prov.confidence}", title=prov.source)


def _findings_cell(result: FrameworkResult, r: RequirementResult) -> Html:
    if not r.checks:
        return h("span", "–", class_="muted")
    counts = [
        h("span", t(f"v.{v}"), " ", h("b", f"{r.verdicts[v]:,}"), class_=f"chip c-{v}")
        for v in VERDICTS
        if r.verdicts.get(v)
    ]
    refs = None
    if r.findings:
        shown = r.findings[:REFS_SHOWN]
        refs = h(
            "details",
            h("summary", t("fw.refs", shown=f"{len(shown):,}", total=f"{r.findings_total:,}")),
            h(
                "ul",
                *[
                    h(
                        "li",
                        h("span", t(f"v.{f.verdict}"), class_=f"badge c-{f.verdict}"),
                        " ",
                        h("code", f.check_id),
                        " ",
                        h("span", f.resource_id, class_="rid"),
                        " ",
                        h("span", f.account, " · ", f.region, class_="muted"),
                    )
                    for f in shown
                ],
                class_="refs",
            ),
        )
    return join(
        h("div", *counts, class_="chips") if counts else h("div", t("fw.nofindings"), class_="muted"),
        h("div", t("fw.checks", n=f"{len(r.checks):,}"), class_="muted"),
        refs,
        h(
            "a",
            t("fw.show"),
            href="#findings",
            class_="goto",
            data_goto=f"req:{requirement_key(result, r)}",
        ),
    )


def _row(result: FrameworkResult, r: RequirementResult) -> Html:
    req = r.requirement
    title = join(h("div", tr(req.title, req.id)), h("div", tr(req.section), class_="muted") if req.section else None)
    return h(
        "tr",
        h("th", h("code", req.id), scope="row"),
        h("td", title),
        h("td", h("span", t(f"cl.{r.klass.value}"), class_=f"badge c-cl-{r.klass.value}")),
        h("td", status_badge(r.status.value)),
        h("td", _reason(r), class_="reason"),
        h("td", _confidence(r), class_="center"),
        h("td", _findings_cell(result, r)),
        class_=f"st-{r.status.value}",
    )


def _status_segments(result: FrameworkResult) -> list[Segment]:
    counts = result.status_counts()
    return [Segment(f"st-{s}", t(f"st.{s}"), counts[s]) for s in counts]


def framework_block(result: FrameworkResult, *, open_table: bool) -> Html:
    fw = result.framework
    by_class = result.class_counts()
    status = _status_segments(result)
    classes = [Segment(f"cl-{c}", t(f"cl.{c}"), by_class[c]) for c in by_class]
    meta = [fw.publisher, fw.kind, fw.jurisdiction, fw.source]
    heading_id = f"h-fw-{fw.id}"
    headers = (
        "fw.col.id",
        "fw.col.requirement",
        "fw.col.class",
        "fw.col.status",
        "fw.col.reason",
        "fw.col.confidence",
        "fw.col.findings",
    )
    table = h(
        "table",
        h("caption", tr(fw.title, fw.id), class_="sr-only"),
        h("thead", h("tr", *[h("th", t(k), scope="col") for k in headers])),
        h("tbody", *[_row(result, r) for r in result.results]),
        class_="req",
    )
    return h(
        "article",
        h("h3", tr(fw.title, fw.id), " ", h("small", fw.id, " ", fw.version), id=heading_id),
        h(
            "p",
            " · ".join(str(m) for m in meta if m),
            " · ",
            t("fw.requirements", n=f"{len(result.results):,}"),
            class_="muted",
        ),
        h("p", tr(fw.description)) if fw.description else None,
        h(
            "div",
            h("div", h("h4", t("chart.status")), stacked_bar(status), legend(status, counts=True)),
            h("div", h("h4", t("chart.class")), stacked_bar(classes), legend(classes, counts=True)),
            class_="fw-charts",
        ),
        h(
            "p",
            t("fw.conf.legend"),
            *[join(" ", h("span", f"[{c}]", class_=f"conf conf-{c}"), " ", t(f"conf.{c}")) for c in "CPU"],
            class_="conf-legend",
        ),
        h(
            "details",
            h("summary", t("fw.table", n=f"{len(result.results):,}")),
            h("div", table, class_="table-wrap"),
            class_="req-table",
            open=open_table,
        ),
        class_="panel fw",
        id=f"fw-{fw.id}",
        aria_labelledby=heading_id,
    )


def overview(results: Sequence[FrameworkResult]) -> Html:
    """Every framework's requirement status side by side, each label linking to its block."""
    rows = [
        bar_row(h("a", tr(r.framework.title, r.framework.id), href=f"#fw-{r.framework.id}"), _status_segments(r))
        for r in results
    ]
    return h(
        "div",
        h("h3", t("chart.status")),
        legend(_status_segments(results[0])),
        h("div", *rows, class_="bars"),
        class_="panel",
    )


def frameworks_section(results: Sequence[FrameworkResult]) -> Html:
    """An overview chart, then one block per framework (requirement tables folded when there are several)."""
    if results:
        body = [overview(results), *[framework_block(r, open_table=len(results) == 1) for r in results]]
    else:
        body = [h("p", t("fw.none"), class_="muted")]
    return h(
        "section",
        h("h2", t("nav.frameworks"), id="h-frameworks"),
        *body,
        id="frameworks",
        aria_labelledby="h-frameworks",
    )


def requirement_checks(results: Sequence[FrameworkResult]) -> dict[str, dict[str, object]]:
    """Requirement key -> its label and checks, for the findings table's requirement filter."""
    return {
        requirement_key(fr, r): {"label": f"{fr.framework.id} {r.requirement.id}", "checks": list(r.checks)}
        for fr in results
        for r in fr.results
        if r.checks
    }
