"""The tables below the findings: coverage gaps, and the scan's exceptions and attestations registers.

Register entries are shown field by field as the scan recorded them. When an entry carries no
``status`` of its own, it is derived from its dates against the scan's day, the same day the
report is dated, so the table never depends on when it is opened.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ...engine.checks import Check
from .markup import Html, h, join
from .text import t, tr

GAPS_SHOWN = 2000
"""Coverage gaps listed in the page; the count of the rest points to coverage.json."""
_IN_FORCE = {"applied", "active", "valid", "in_force"}


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


def _status(entry: Mapping[str, Any], day: str, valid: str, expired: str) -> Html:
    """The entry's own status, or one derived from its dates (expires is the last day in force)."""
    status = entry.get("status")
    if status is None:
        in_force = str(entry.get("created", "")) <= day <= str(entry.get("expires", "9999"))
        return h("span", t(valid if in_force else expired), class_="badge " + ("c-PASS" if in_force else "c-FAIL"))
    good = str(status) in _IN_FORCE
    return h("span", str(status), class_="badge " + ("c-PASS" if good else "c-FAIL"))


def _selector(selector: object) -> Html:
    if not isinstance(selector, Mapping):
        return join(str(selector or ""))
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


def exceptions_section(register: Mapping[str, Any] | None, day: str) -> Html | None:
    if register is None:
        return None
    rows = [
        h(
            "tr",
            h("th", h("code", x.get("id", "")), scope="row"),
            h("td", h("code", x.get("check") or x.get("control") or "")),
            h("td", _selector(x.get("resources"))),
            h("td", _status(x, day, "x.applied", "x.expired")),
            h("td", x.get("approver", "")),
            h("td", x.get("created", "")),
            h("td", x.get("expires", "")),
            h("td", x.get("justification", ""), class_="reason"),
            h("td", x.get("ticket", "")),
            h("td", "–", class_="num", data_muted=str(x.get("id", ""))),
        )
        for x in register.get("exceptions", ())
    ]
    headers = (
        "x.id",
        "x.scope",
        "x.resources",
        "x.status",
        "x.approver",
        "x.created",
        "x.expires",
        "x.justification",
        "x.ticket",
        "x.muted",
    )
    return h(
        "section",
        h("h2", t("nav.exceptions"), id="h-exceptions"),
        h("p", t("x.intro"), class_="muted"),
        _table(t("nav.exceptions"), headers, rows),
        id="exceptions",
        aria_labelledby="h-exceptions",
    )


def _covers(covers: object) -> Html:
    """Both shapes: the register's list of one-key items, or the scan's ``{controls, checks, requirements}``."""
    items: list[tuple[str, str]] = []
    if isinstance(covers, Mapping):
        for kind in ("controls", "checks"):
            items += [(kind.rstrip("s"), str(v)) for v in covers.get(kind, ())]
        items += [("requirement", f"{r.get('framework')} {r.get('id')}") for r in covers.get("requirements", ())]
    elif isinstance(covers, list):
        for item in covers:
            for kind, value in sorted(dict(item).items()):
                text = f"{value.get('framework')} {value.get('id')}" if isinstance(value, Mapping) else str(value)
                items.append((kind, text))
    return join(*[h("div", h("span", kind, class_="k"), " ", h("code", text)) for kind, text in items])


def _evidence(files: Any) -> Html:
    names = [str(f.get("path") or f.get("name") or f) if isinstance(f, Mapping) else str(f) for f in files or ()]
    return join(*[h("div", h("code", n)) for n in names])


def attestations_section(register: Mapping[str, Any] | None, day: str) -> Html | None:
    if register is None:
        return None
    rows = [
        h(
            "tr",
            h("th", h("code", a.get("id", "")), scope="row"),
            h("td", _covers(a.get("covers"))),
            h("td", _status(a, day, "a.valid", "a.expired")),
            h("td", a.get("owner", "")),
            h("td", a.get("created", "")),
            h("td", a.get("expires", "")),
            h("td", a.get("statement", ""), class_="reason"),
            h("td", _evidence(a.get("evidence"))),
        )
        for a in register.get("attestations", ())
    ]
    headers = ("x.id", "a.covers", "x.status", "a.owner", "x.created", "x.expires", "a.statement", "a.evidence")
    return h(
        "section",
        h("h2", t("nav.attestations"), id="h-attestations"),
        h("p", t("a.intro"), class_="muted"),
        _table(t("nav.attestations"), headers, rows),
        id="attestations",
        aria_labelledby="h-attestations",
    )
