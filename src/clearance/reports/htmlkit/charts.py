"""Charts drawn by hand: stacked bars in CSS and donuts in inline SVG, no chart library, no external file.

Every chart carries its numbers as text too (a legend or a visually hidden list), so the figures
reach screen readers, survive black-and-white printing and never depend on telling colours apart.
Segment colours come from the stylesheet through ``c-<key>`` classes; unknown-data segments
(errors, needs-context, not evaluated) are hatched there, so missing data never looks like a colour
of its own that could be mistaken for a result.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .markup import Html, h, join
from .text import t

_LABEL_MIN_SHARE = 0.07
"""Segments narrower than this show their number only in the tooltip and the legend."""
_RADIUS = 15.915494
"""Circumference 100, so dash lengths are percentages."""


@dataclass(frozen=True)
class Segment:
    key: str
    """Colour class suffix (``c-<key>``): a verdict, ``st-<status>``, ``cl-<class>``, ``cov-<status>``."""
    label: Html
    count: int


def _number(n: int) -> str:
    return f"{n:,}"


def _percent(part: int, total: int) -> str:
    return f"{100 * part / total:.1f}%" if total else "0%"


def counts_text(segments: Sequence[Segment]) -> Html:
    """``Fail 7, Pass 100`` for screen readers (zero counts left out)."""
    parts = [join(s.label, " ", _number(s.count)) for s in segments if s.count]
    return Html(", ".join(parts))


def stacked_bar(segments: Sequence[Segment], *, empty: Html | None = None) -> Html:
    """One 100 % stacked bar; ``empty`` is shown instead when every count is zero."""
    total = sum(s.count for s in segments)
    if not total:
        return h("div", empty if empty is not None else t("chart.empty"), class_="bar bar-empty")
    parts = []
    for s in segments:
        if not s.count:
            continue
        share = s.count / total
        number = h("span", _number(s.count), class_="n") if share >= _LABEL_MIN_SHARE else None
        tip = h("span", s.label, ": ", _number(s.count), " (", _percent(s.count, total), ")", class_="tip")
        parts.append(h("span", number, tip, class_=f"seg c-{s.key}", style=f"flex-grow:{s.count}"))
    return join(
        h("div", *parts, class_="bar", aria_hidden="true"),
        h("span", counts_text(segments), class_="sr-only"),
    )


def bar_row(label: Html, segments: Sequence[Segment], *, note: Html | None = None, empty: Html | None = None) -> Html:
    """A labelled bar with its total (and an optional note such as the not-applicable count)."""
    total = sum(s.count for s in segments)
    return h(
        "div",
        h("div", label, class_="bar-label"),
        stacked_bar(segments, empty=empty),
        h(
            "div",
            _number(total) if total else "",
            h("span", note, class_="bar-note") if note else None,
            class_="bar-total",
        ),
        class_="bar-row",
    )


def legend(segments: Sequence[Segment], *, counts: bool = False) -> Html:
    items = [
        h(
            "li",
            h("span", class_=f"sw c-{s.key}", aria_hidden="true"),
            s.label,
            h("b", _number(s.count)) if counts else None,
            class_="zero" if counts and not s.count else None,
        )
        for s in segments
    ]
    return h("ul", *items, class_="legend")


def donut(segments: Sequence[Segment], centre: Html, caption: Html) -> Html:
    """A ring chart with ``centre`` text and a legend that carries every count."""
    total = sum(s.count for s in segments)
    arcs = [f'<circle class="ring" cx="21" cy="21" r="{_RADIUS}"/>']
    start = 25.0  # a dash offset of 25 puts the first arc at twelve o'clock
    for s in segments:
        if not s.count:
            continue
        length = 100 * s.count / total
        arcs.append(
            f'<circle class="arc c-{s.key}" cx="21" cy="21" r="{_RADIUS}" '
            f'stroke-dasharray="{length:.3f} {100 - length:.3f}" stroke-dashoffset="{start:.3f}"/>'
        )
        start -= length
    svg = Html(f'<svg class="donut" viewBox="0 0 42 42" aria-hidden="true" focusable="false">{"".join(arcs)}</svg>')
    return h(
        "figure",
        h("div", svg, h("div", centre, class_="donut-centre"), class_="donut-wrap"),
        h("figcaption", h("span", caption, class_="chart-title"), legend(segments, counts=True)),
        class_="donut-fig",
    )
