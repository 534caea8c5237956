"""``report.html``: one self-contained page for people, in Korean and English, opened offline by regulators.

The file makes no request of any kind: styles, script, charts (CSS bars, inline SVG) and data are
all inside it, and a Content-Security-Policy in the page forbids every load (the script is allowed
by its hash only). The static part (summary, charts, frameworks, coverage gaps, registers) is
rendered here with every data string escaped; the findings table is rendered by the embedded
script from a JSON block, so 50,000 findings stay responsive (pages of 100 rows, precomputed
search strings). Same scan, same bytes: the only timestamp is the scan's end.
"""

from __future__ import annotations

import base64
import hashlib
from importlib import resources
from pathlib import Path
from typing import IO, ClassVar

from .htmlkit.findings import PAGE_SIZE, FindingsWriter, findings_section, ui_table, write_data
from .htmlkit.frameworks import frameworks_section, requirement_checks
from .htmlkit.markup import Html, h, join, void
from .htmlkit.overview import is_complete, posture_section, summary_section, when
from .htmlkit.registers import attestations_section, exceptions_section, gaps_section
from .htmlkit.text import t, text
from .interface import ReportContext, ReportFormat
from .output import atomic_open

FILE_NAME = "report.html"


def asset(name: str) -> str:
    return resources.files("clearance.reports.htmlkit").joinpath("assets", name).read_text("utf-8")


def content_security_policy(script: str) -> str:
    """Nothing may load; only this exact script may run (styles are inline, charts use style attributes)."""
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    return (
        "default-src 'none'; "
        f"script-src 'sha256-{digest}'; "
        "style-src 'unsafe-inline'; "
        "img-src data:; "
        "base-uri 'none'; "
        "form-action 'none'"
    )


def page_title(ctx: ReportContext, lang: str) -> str:
    meta = ctx.scan
    accounts = list(meta.get("accounts") or [])
    scope = accounts[0] + (f" +{len(accounts) - 1}" if len(accounts) > 1 else "") if accounts else ""
    parts = [text("title", lang), ctx.results.provider, scope, str(ctx.generated)[:10]]
    title = " — ".join(p for p in parts if p)
    return f"[{text('badge.incomplete', lang)}] {title}" if not is_complete(ctx.summary) else title


def _top_bar(ctx: ReportContext) -> Html:
    complete = is_complete(ctx.summary)
    badge = h(
        "span",
        t("badge.complete") if complete else join("⚠ ", t("badge.incomplete")),
        class_="status-badge " + ("is-complete" if complete else "is-incomplete"),
    )
    lang = h(
        "div",
        h("button", "English", type="button", data_set_lang="en", lang="en", aria_pressed="true"),
        h("button", "한국어", type="button", data_set_lang="ko", lang="ko", aria_pressed="false"),
        class_="lang",
        role="group",
        aria_label="Language / 언어",
    )
    title = join(h("span", t("title")), " · ", h("span", ctx.results.provider), " · ", when(ctx.generated))
    return h(
        "header",
        h("span", "clearance", class_="brand"),
        h("span", title, class_="top-title"),
        badge,
        lang,
        class_="topbar",
    )


def _contents(ctx: ReportContext) -> Html:
    sections = ["summary", "posture", "frameworks", "findings", "gaps"]
    sections += [
        s for s, reg in (("exceptions", ctx.exceptions), ("attestations", ctx.attestations)) if reg is not None
    ]
    return h(
        "nav",
        h("ul", *[h("li", h("a", t(f"nav.{s}"), href=f"#{s}")) for s in sections]),
        class_="toc",
        aria_label="Contents / 목차",
    )


def _footer(ctx: ReportContext) -> Html:
    tool = ctx.scan.get("tool") or {}
    return h(
        "footer",
        h("p", t("footer.generated", version=tool.get("version", ""), finished=when(ctx.generated))),
        h("p", t("footer.data")),
    )


def _head(ctx: ReportContext, script: str) -> str:
    return join(
        Html("<!DOCTYPE html>\n"),
        Html('<html lang="en" data-ui="en">\n<head>\n'),
        void("meta", charset="utf-8"),
        void("meta", name="viewport", content="width=device-width, initial-scale=1"),
        void("meta", http_equiv="Content-Security-Policy", content=content_security_policy(script)),
        void("meta", name="referrer", content="no-referrer"),
        void("meta", name="color-scheme", content="light"),
        void("link", rel="icon", href="data:,"),
        h("title", page_title(ctx, "en")),
        Html(f"\n<style>\n{asset('report.css')}</style>\n</head>\n"),
    )


def _body_static(ctx: ReportContext) -> str:
    main = h(
        "main",
        summary_section(ctx),
        posture_section(ctx),
        frameworks_section(ctx.frameworks),
        findings_section(int(ctx.summary.get("findings", 0))),
        gaps_section(ctx.coverage(), ctx.checks),
        exceptions_section(ctx.exceptions),
        attestations_section(ctx.attestations),
        id="main",
    )
    skip = h("a", t("skip"), href="#findings", class_="skip")
    return join(Html("<body>\n"), skip, _top_bar(ctx), _contents(ctx), main, _footer(ctx), Html("\n"))


def write_document(ctx: ReportContext, fh: IO[str]) -> None:
    """The whole page: head, static sections, the streamed findings rows, their tables, the script."""
    script = asset("report.js")
    fh.write(_head(ctx, script))
    fh.write(_body_static(ctx))
    rows = FindingsWriter()
    rows.write_rows(fh, ctx.iter_findings())
    data = rows.tables(ctx.checks)
    data.update(
        controls={c.id: {"family": c.family, "title": dict(c.title)} for c in ctx.controls.values()},
        requirements=rows.requirement_filters(requirement_checks(ctx.frameworks)),
        ui=ui_table(),
        title={lang: page_title(ctx, lang) for lang in ("en", "ko")},
        pageSize=PAGE_SIZE,
    )
    write_data(fh, data)
    fh.write(f"<script>{script}</script>\n</body>\n</html>\n")


class HtmlReport(ReportFormat):
    name: ClassVar[str] = "html"
    description: ClassVar[str] = (
        "report.html: one offline page (Korean/English) with charts and a searchable findings table"
    )

    def write(self, ctx: ReportContext, out_dir: Path) -> list[Path]:
        path = out_dir / FILE_NAME
        with atomic_open(path) as fh:
            write_document(ctx, fh)
        return [path]
