"""The findings table: its static frame, and the findings themselves as JSON the page script renders.

Findings are streamed from findings.json straight into the page, one compact row per finding;
repeated strings (check, account, region, resource type) become indices into tables written after
the rows, so the file holds each finding once and the writer holds only those tables.

The JSON sits in ``<script type="application/json">``, which the browser never runs. Every ``<``,
``>`` and ``&`` is written as a ``\\u`` escape, so no resource name can close the element
(``</script>``) or open a comment; U+2028/U+2029 and lone surrogates are escaped too. The script
reads the block with ``JSON.parse`` and puts values into the page only as text (``textContent``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import IO, Any

from ...engine.checks import Check
from .markup import Html, h, void
from .text import SEVERITIES, UI, VERDICTS, t

FINDINGS_ID = "clearance-findings"
DATA_ID = "clearance-data"
PAGE_SIZE = 100
ROW_FIELDS = (
    "check",
    "verdict",
    "severity",
    "account",
    "region",
    "type",
    "id",
    "name",
    "reason",
    "underlying",
    "exception",
    "error",
    "dependency",
    "attestation",
)
"""The layout of one finding row (indices into the tables; -1 or null when absent)."""

_UNSAFE = re.compile("[<>&\u2028\u2029\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def script_json(value: object) -> str:
    """JSON that is safe inside a ``<script>`` element of an HTML page (see the module docstring)."""
    return _UNSAFE.sub(_escape, json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True))


class Interner:
    """Strings -> stable small integers, in first-seen order (so the same scan gives the same file)."""

    def __init__(self, seed: Iterable[str] = ()) -> None:
        self.values: list[str] = []
        self._index: dict[str, int] = {}
        for value in seed:
            self(value)

    def __call__(self, value: str) -> int:
        index = self._index.get(value)
        if index is None:
            index = self._index[value] = len(self.values)
            self.values.append(value)
        return index

    def get(self, value: str) -> int | None:
        return self._index.get(value)


class FindingsWriter:
    """Writes the findings rows, remembering what the tables after them must hold."""

    def __init__(self) -> None:
        self.checks = Interner()
        self.verdicts = Interner(VERDICTS)
        self.severities = Interner(SEVERITIES)
        self.accounts = Interner()
        self.regions = Interner()
        self.types = Interner()
        self.titles: dict[str, str] = {}
        """Check id -> the finding's own title, for checks the content pack no longer has."""
        self.controls: dict[str, list[str]] = {}

    def row(self, f: Mapping[str, Any]) -> list[object]:
        res = f["resource"]
        check_id = f["check_id"]
        if check_id not in self.titles:
            self.titles[check_id] = str(f.get("title", ""))
            self.controls[check_id] = list(f.get("control_ids", ()))
        err, exc, att = f.get("error"), f.get("exception"), f.get("manual_attestation")
        underlying = f.get("underlying_verdict")
        return [
            self.checks(check_id),
            self.verdicts(f["verdict"]),
            self.severities(f["severity"]),
            self.accounts(res["account"]),
            self.regions(res["region"]),
            self.types(res["type"]),
            res["id"],
            res["name"],
            f["reason"],
            self.verdicts(underlying) if underlying else -1,
            [exc["id"], exc.get("status", ""), exc.get("expires", "")] if exc else None,
            [err["operation"], err["code"], err["message"], err.get("permission"), bool(err.get("denied"))]
            if err
            else None,
            1 if res.get("dependency") else 0,
            [att["id"], att.get("status", "")] if att else None,
        ]

    def write_rows(self, fh: IO[str], findings: Iterable[Mapping[str, Any]]) -> None:
        fh.write(f'<script type="application/json" id="{FINDINGS_ID}">[')
        separator = "\n"
        for f in findings:
            fh.write(separator + script_json(self.row(f)))
            separator = ",\n"
        fh.write("\n]</script>\n")

    def tables(self, checks: Mapping[str, Check]) -> dict[str, Any]:
        """The lookup tables the rows index into (call after ``write_rows``)."""
        out = []
        for check_id in self.checks.values:
            check = checks.get(check_id)
            if check is None:
                title = self.titles[check_id]
                out.append({"id": check_id, "title": {"en": title, "ko": title}, "controls": self.controls[check_id]})
                continue
            out.append(
                {
                    "id": check_id,
                    "title": dict(check.title),
                    "controls": list(check.controls),
                    "rationale": dict(check.rationale),
                    "remediation": dict(check.remediation),
                    "references": list(check.references),
                }
            )
        return {
            "checks": out,
            "verdicts": self.verdicts.values,
            "severities": self.severities.values,
            "accounts": self.accounts.values,
            "regions": self.regions.values,
            "types": self.types.values,
            "fields": list(ROW_FIELDS),
        }

    def requirement_filters(self, requirements: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
        """Requirement key -> label and the indices of its checks that have findings."""
        out = {}
        for key, req in requirements.items():
            found = (self.checks.get(c) for c in req["checks"])
            out[key] = {"label": req["label"], "checks": sorted(i for i in found if i is not None)}
        return out


def write_data(fh: IO[str], data: Mapping[str, Any]) -> None:
    fh.write(f'<script type="application/json" id="{DATA_ID}">{script_json(data)}</script>\n')


def ui_table() -> dict[str, list[str]]:
    return {key: list(pair) for key, pair in UI.items()}


def _select(key: str, ident: str) -> Html:
    return h("div", h("label", t(key), for_=ident), h("select", id=ident), class_="field")


_COLUMNS: Sequence[tuple[str, str | None]] = (
    ("f.verdict", "v"),
    ("f.severity", "s"),
    ("f.check", "c"),
    ("f.resource", "n"),
    ("f.account", "a"),
    ("f.region", "r"),
    ("f.reason", None),
)


def _header(key: str, sort: str | None) -> Html:
    if sort is None:
        return h("th", t(key), scope="col")
    return h(
        "th",
        h(
            "button",
            t(key),
            h("span", class_="sort-mark", aria_hidden="true"),
            type="button",
            class_="sort",
            data_sort=sort,
        ),
        scope="col",
        aria_sort="none",
    )


def findings_section(total: int) -> Html:
    """The frame the page script fills: filters, search, the table and its pager."""
    return h(
        "section",
        h("h2", t("nav.findings"), " ", h("span", f"{total:,}", class_="count"), id="h-findings"),
        h("noscript", h("p", t("f.noscript"), class_="warn-note")),
        h(
            "form",
            h(
                "div",
                h("label", t("f.search"), for_="f-q"),
                void(
                    "input",
                    type="search",
                    id="f-q",
                    autocomplete="off",
                    spellcheck="false",
                    aria_describedby="f-q-hint",
                ),
                h("span", t("f.search.hint"), id="f-q-hint", class_="hint"),
                class_="field field-search",
            ),
            _select("f.verdict", "f-v"),
            _select("f.severity", "f-s"),
            _select("f.control", "f-ctl"),
            _select("f.check", "f-c"),
            _select("f.account", "f-a"),
            _select("f.region", "f-r"),
            h("div", h("button", t("f.reset"), type="button", id="f-reset", class_="btn"), class_="field field-btn"),
            class_="filters",
            role="search",
            id="f-form",
            aria_label="Findings filters / 점검 결과 필터",
        ),
        h("div", id="f-chips", class_="chips"),
        h("p", id="f-status", class_="f-status", role="status", aria_live="polite"),
        h(
            "div",
            h(
                "table",
                h("caption", t("nav.findings"), class_="sr-only"),
                h(
                    "thead",
                    h(
                        "tr",
                        h("th", h("span", t("f.details"), class_="sr-only"), scope="col", class_="tog"),
                        *[_header(key, sort) for key, sort in _COLUMNS],
                    ),
                ),
                h("tbody", id="f-body"),
                class_="findings",
                id="f-table",
            ),
            class_="table-wrap",
        ),
        h(
            "nav",
            h("button", "«", type="button", class_="btn", id="p-first", data_label="f.first"),
            h("button", "‹", type="button", class_="btn", id="p-prev", data_label="f.prev"),
            h("span", id="p-info"),
            h("button", "›", type="button", class_="btn", id="p-next", data_label="f.next"),
            h("button", "»", type="button", class_="btn", id="p-last", data_label="f.last"),
            class_="pager",
            aria_label="Pages / 쪽",
        ),
        h("p", t("f.print"), class_="print-only"),
        id="findings",
        aria_labelledby="h-findings",
    )
