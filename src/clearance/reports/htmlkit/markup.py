"""Markup that cannot carry an injection: every string is escaped unless it is already ``Html``.

Resource names, tags and reasons come from the scanned cloud, so they are attacker-influenced.
Building the static part of the report only through ``h`` keeps them text, never markup.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping

_SURROGATE = re.compile("[\ud800-\udfff]")


class Html(str):
    """A string of markup that is safe to write as is."""

    __slots__ = ()


def esc(value: object) -> Html:
    """Text as markup: HTML-escaped, and lone surrogates (unencodable in UTF-8) replaced."""
    if isinstance(value, Html):
        return value
    text = _SURROGATE.sub("\ufffd", "" if value is None else str(value))
    return Html(html.escape(text, quote=True))


def _children(items: Iterable[object]) -> Iterable[str]:
    for item in items:
        if item is None:
            continue
        if isinstance(item, str | int | float):
            yield esc(item)
        elif isinstance(item, Iterable):
            yield from _children(item)
        else:
            yield esc(item)


def join(*items: object) -> Html:
    """Concatenate children (strings are escaped, ``Html`` is kept, nested iterables are flattened)."""
    return Html("".join(_children(items)))


def attrs(values: Mapping[str, object]) -> Html:
    """`` name="value"`` pairs; ``class_`` -> ``class``, ``data_x`` -> ``data-x``; None/False omitted."""
    out = []
    for name, value in values.items():
        if value is None or value is False:
            continue
        key = name.rstrip("_").replace("_", "-")
        out.append(f" {key}" if value is True else f' {key}="{esc(value)}"')
    return Html("".join(out))


def h(tag: str, *children: object, **attributes: object) -> Html:
    """One element with escaped attributes and children."""
    return Html(f"<{tag}{attrs(attributes)}>{join(*children)}</{tag}>")


def void(tag: str, **attributes: object) -> Html:
    """An element without content or end tag (``input``, ``meta``, ``link``)."""
    return Html(f"<{tag}{attrs(attributes)}>")
