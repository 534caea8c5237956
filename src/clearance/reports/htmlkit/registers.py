"""The tables below the findings: coverage gaps, and the scan's exceptions and attestations registers.

Register entries are shown as the scan judged them (exceptions.json / attestations.json, with the
day they were judged at), so the tables never depend on when the report is opened.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ...engine.checks import Check
from .markup import Html, esc, h, join
from .text import UI, t, tr

GAPS_SHOWN = 2000
"""Coverage gaps listed in the page; the count of the rest points to coverage.json."""


def _table(caption: Html, headers: Sequence[str], rows: Iterable[Html]) -> Html:
    return h(
        "div",
        h(
            "table",
            h("caption", caption, class_="sr-only"),
            h("thead", h("tr", *[h("th", t(k), scope="col") for k in headers])),
            h("tbody", *rows),
            class_="plain",
        ),
        class_="table-wrap",
    )


def _check_cell(check_id: str, checks: Mapping[str, Check]) -> Html:
    check = checks.get(check_id)
    return join(h("code", check_id), h("div", tr(check.title), class_="muted") if check else None)


def gaps_section(coverage: Sequence[Mapping[str, Any]], checks: Mapping[str, Check]) -> Html:
    gaps = sorted(
        (e for e in coverage if e.get("status") == "not_evaluated"),
        key=lambda e: (str(e.get("check_id")), str(e.get("account")), str(e.get("region"))),
    )
    heading = h("h2", t("nav.gaps"), id="h-gaps")
    if not gaps:
        return h("section", heading, h("p", t("gaps.none"), class_="ok-note"), id="gaps", aria_labelledby="h-gaps")
    rows = []
    for e in gaps[:GAPS_SHOWN]:
        err = e.get("error") or {}
        denied = h("span", t("d.denied"), class_="badge c-ERROR") if err.get("denied") else None
        rows.append(
            h(
                "tr",
                h("td", _check_cell(str(e.get("check_id", "")), checks)),
                h("td", e.get("account", "")),
                h("td", e.get("region", "")),
                h("td", h("code", err.get("code", "")), " ", denied),
                h("td", h("code", err.get("operation", ""))),
                h("td", h("code", err.get("permission") or "")),
                h("td", err.get("message", ""), class_="reason"),
            )
        )
    rest = len(gaps) - GAPS_SHOWN
    return h(
        "section",
        heading,
        h("p", t("gaps.intro"), class_="warn-note"),
        _table(
            t("nav.gaps"),
            ("f.check", "f.account", "f.region", "gaps.code", "gaps.operation", "d.permission", "gaps.message"),
            rows,
        ),
        h("p", t("gaps.more", n=f"{rest:,}"), class_="warn-note") if rest > 0 else None,
        id="gaps",
        aria_labelledby="h-gaps",
    )


_STATUS_TONE = {
    "applied": "c-PASS",
    "valid": "c-PASS",
    "unused": "c-NOT_APPLICABLE",
    "expired": "c-FAIL",
    "not_yet_valid": "c-NEEDS_CONTEXT",
}


def register_status(status: str) -> Html:
    """An entry's status as the scan judged it (exceptions-results / attestations-results schemas)."""
    label = t(f"xs.{status}") if f"xs.{status}" in UI else esc(status)
    return h("span", label, class_=f"badge {_STATUS_TONE.get(status, 'c-ERROR')}")


def _register_line(results: Mapping[str, Any], totals: Html) -> Html:
    reg = results.get("register") or {}
    source = t("x.register", source=reg.get("source", ""), as_of=results.get("as_of", ""), sha256=reg.get("sha256", ""))
    return h("p", h("span", source, class_="muted"), h("br"), h("strong", totals), class_="register-line")


def _selector(selector: Mapping[str, Any]) -> Html:
    parts = []
    for key, value in sorted(selector.items()):
        if isinstance(value, Mapping):
            shown = ", ".join(f"{k}={v}" for k, v in sorted(value.items()))
        elif isinstance(value, list | tuple):
            shown = ", ".join(str(v) for v in value)
        else:
            shown = str(value)
        parts.append(h("div", h("span", key, class_="k"), ": ", h("code", shown)))
    return join(*parts)


def _n(value: Any) -> str:
    return f"{int(value or 0):,}"


def exceptions_section(results: Mapping[str, Any] | None) -> Html | None:
    """exceptions.json of the scan: every entry with the status it was judged to have."""
    if results is None:
        return None
    totals = results.get("totals") or {}
    rows = [
        h(
            "tr",
            h("th", h("code", x.get("id", "")), scope="row"),
            h("td", h("code", x.get("check") or x.get("control") or "")),
            h("td", _selector(x.get("resources") or {})),
            h("td", register_status(str(x.get("status", "")))),
            h("td", _n(x.get("matched")), class_="num"),
            h("td", x.get("approver", "")),
            h("td", x.get("created", "")),
            h("td", x.get("expires", "")),
            h("td", x.get("justification", ""), class_="reason"),
            h("td", x.get("ticket") or ""),
        )
        for x in results.get("exceptions", ())
    ]
    headers = (
        "x.id",
        "x.scope",
        "x.resources",
        "x.status",
        "x.matched",
        "x.approver",
        "x.created",
        "x.expires",
        "x.justification",
        "x.ticket",
    )
    line = t(
        "x.totals",
        **{k: _n(totals.get(k)) for k in ("applied", "unused", "expired", "not_yet_valid")},
        muted=_n(totals.get("muted_findings")),
    )
    return h(
        "section",
        h("h2", t("nav.exceptions"), id="h-exceptions"),
        h("p", t("x.intro"), class_="muted"),
        _register_line(results, line),
        _table(t("nav.exceptions"), headers, rows),
        id="exceptions",
        aria_labelledby="h-exceptions",
    )


def _covers(covers: Mapping[str, Any]) -> Html:
    items = [("control", str(v)) for v in covers.get("controls", ())]
    items += [("check", str(v)) for v in covers.get("checks", ())]
    items += [("requirement", f"{r.get('framework')} {r.get('id')}") for r in covers.get("requirements", ())]
    return join(*[h("div", h("span", kind, class_="k"), " ", h("code", text)) for kind, text in items])


def _evidence(files: Sequence[Mapping[str, Any]]) -> Html:
    return join(
        *[
            h("div", h("code", f.get("source", "")), " ", h("span", str(f.get("sha256", ""))[:12], class_="digest"))
            for f in files
        ]
    )


def attestations_section(results: Mapping[str, Any] | None) -> Html | None:
    """attestations.json of the scan: every attestation with the status it was judged to have."""
    if results is None:
        return None
    totals = results.get("totals") or {}
    rows = [
        h(
            "tr",
            h("th", h("code", a.get("id", "")), scope="row"),
            h("td", _covers(a.get("covers") or {})),
            h("td", register_status(str(a.get("status", "")))),
            h("td", _n(a.get("matched")), class_="num"),
            h("td", a.get("owner", "")),
            h("td", a.get("created", "")),
            h("td", a.get("expires", "")),
            h("td", a.get("statement", ""), class_="reason"),
            h("td", _evidence(a.get("evidence") or ())),
        )
        for a in results.get("attestations", ())
    ]
    headers = (
        "x.id",
        "a.covers",
        "x.status",
        "x.matched",
        "a.owner",
        "x.created",
        "x.expires",
        "a.statement",
        "a.evidence",
    )
    line = t(
        "a.totals",
        **{k: _n(totals.get(k)) for k in ("valid", "expired", "not_yet_valid")},
        attested=_n(totals.get("attested_findings")),
    )
    return h(
        "section",
        h("h2", t("nav.attestations"), id="h-attestations"),
        h("p", t("a.intro"), class_="muted"),
        _register_line(results, line),
        _table(t("nav.attestations"), headers, rows),
        id="attestations",
        aria_labelledby="h-attestations",
    )
